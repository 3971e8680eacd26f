// The journal log of `process` durability, in process: a "crash" is simulated by copying the
// state dir (db, WAL, log segments) while the store is still open and nothing was flushed.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { MemoryLogger, OrderJournal, SimulatedClock, StateStore, createStateLayer, recover, silentLogger, type Fill, type Order } from '@tradewire/core';
import { segmentsMapped } from '../../dist/state/log-segment.js';
import { FakeVenue } from './fake-venue.js';
import { cleanupTempDirs, intent, tempDir } from './helpers.js';

const logs = (dir: string): string[] => readdirSync(dir).filter((f) => /^journal\.\d{16}\.log$/.test(f)).sort();

/**
 * The frames of a log segment (`0x02 | u32 length | u32 ~length | u32 xxh32 | payload | \n`), as byte
 * ranges; up to the zero bytes a mapped segment's file ends in until it is closed.
 */
function frames(buf: Buffer): [number, number][] {
  const out: [number, number][] = [];
  for (let p = 0; p < buf.length;) {
    if (buf.subarray(p).every((b) => b === 0)) break;
    expect(buf[p]).to.equal(0x02);
    const end = p + 13 + buf.readUInt32LE(p + 1) + 1;
    out.push([p, end]);
    p = end;
  }
  return out;
}

/**
 * Journals an order, its ack and fill and two more intents without any flush to SQLite, then copies
 * the dir as a crash would leave it. Log lines: [I twL1], [S twL1, F twL1, I twL2], [I twL3].
 */
function crashedDir(): string {
  const src = tempDir();
  const clock = new SimulatedClock(1_000);
  const store = StateStore.open({ stateDir: src, clock });
  const j = new OrderJournal(store, { worker: false, batchOps: 1_000_000, batchMs: 1_000_000 });
  j.recordIntent(intent('twL1', { quantity: 4 }));
  j.recordStatus('twL1', 'SUBMITTED', { orderId: 'V1', kind: 'ACK' });
  const f: Fill = { executionId: 'EL1', orderId: 'V1', clientOrderId: 'twL1', asset: 'AAPL', side: 'BUY', quantity: 4, price: 10, commission: 0, timestamp: 2_000 };
  j.applyFill(f);
  j.recordIntent(intent('twL2', { quantity: 1 })); // the ack and the fill were buffered: they go out with this intent, in one write
  j.recordIntent(intent('twL3', { quantity: 1 }));
  const dst = tempDir();
  for (const name of readdirSync(src)) if (name.startsWith('state.db') || name.startsWith('journal.')) copyFileSync(join(src, name), join(dst, name));
  store.close();
  return dst;
}

describe("journal log (durability 'process')", () => {
  afterEach(cleanupTempDirs);

  it('the journal writer thread never keeps a process alive (a process that ends without closing the layer exits)', () => {
    const dir = tempDir();
    const core = new URL('../../dist/index.js', import.meta.url).href;
    const script = `import { createStateLayer, SimulatedClock, silentLogger } from ${JSON.stringify(core)};
      const layer = createStateLayer({ stateDir: process.argv[2], durability: 'process', clock: new SimulatedClock(0), logger: silentLogger });
      layer.journal.recordIntent({ clientOrderId: 'x1', asset: 'A', side: 'BUY', quantity: 1, orderType: 'MARKET', timeInForce: 'DAY', createdAt: 0 });
      process.stdout.write('opened');`;
    const file = join(dir, 'child.mjs'); // a module file: \`node -e\` exits at the end of its script whatever is still referenced
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file, join(dir, 'state')], { timeout: 20_000, encoding: 'utf8' });
    expect(r.stdout).to.equal('opened');
    expect(r.signal, `still running after 20 s: ${r.stderr}`).to.equal(null);
    expect(r.status).to.equal(0);
  });

  it('records not yet in SQLite are replayed at open, once; the log is emptied', () => {
    const dir = crashedDir();
    const ro = StateStore.openReadOnly(dir);
    expect(new OrderJournal(ro).getOrder('twL1')).to.equal(undefined); // only the log has it
    ro.close();
    for (let run = 0; run < 2; run++) { // a second open must not apply anything twice
      const store = StateStore.open({ stateDir: dir, breakStaleLock: true });
      const j = new OrderJournal(store);
      const o = j.getOrder('twL1');
      expect([o?.status, o?.filledQuantity, o?.orderId]).to.deep.equal(['FILLED', 4, 'V1']);
      expect(j.fills().map((x) => x.executionId)).to.deep.equal(['EL1']);
      expect(j.positions().map((p) => [p.asset, p.quantity])).to.deep.equal([['AAPL', 4]]);
      expect(j.getOrder('twL2')?.status).to.equal('PENDING_SUBMIT');
      expect(j.entriesAfter(0).map((e) => e.kind)).to.deep.equal(['INTENT', 'INTENT', 'INTENT']);
      store.close();
      expect(logs(dir)).to.deep.equal([]);
    }
  });

  /** What `crashedDir`'s log replays to, and that nothing was reported torn. */
  const expectReplayed = (dir: string): void => {
    const logger = new MemoryLogger();
    const store = StateStore.open({ stateDir: dir, breakStaleLock: true, logger });
    const j = new OrderJournal(store);
    expect(j.orders().map((o) => [o.clientOrderId, o.status])).to.deep.equal([['twL1', 'FILLED'], ['twL2', 'PENDING_SUBMIT'], ['twL3', 'PENDING_SUBMIT']]);
    store.close();
    expect(logger.entries.filter((e) => /incomplete write/.test(e.msg))).to.deep.equal([]);
  };

  it('segments mapped into memory (core\'s native part) and segments written by write(2) hold the same frames; a mapped one ends in zeros until closed', function () {
    if (!segmentsMapped()) this.skip(); // not built here: every segment is written by write(2)
    const mapped = crashedDir();
    process.env['TRADEWIRE_NATIVE_MMAP'] = '0';
    let written: string;
    try { written = crashedDir(); } finally { delete process.env['TRADEWIRE_NATIVE_MMAP']; }
    const m = readFileSync(join(mapped, logs(mapped)[0]!));
    const w = readFileSync(join(written, logs(written)[0]!));
    expect(m.length).to.be.greaterThan(w.length); // the mapped file's reserved space, not yet cut to what was appended
    expect(m.subarray(w.length).every((b) => b === 0)).to.equal(true);
    expect(frames(m).length).to.equal(3);
    // byte for byte the same frames, but for the times a frame's records carry (the wall clock of `recordedAt` fields)
    expect(frames(m).map(([a, b]) => b - a)).to.deep.equal(frames(w).map(([a, b]) => b - a));
    expectReplayed(mapped);
    expectReplayed(written);
  });

  it('mapped segments are reused once the batch covering them is committed (a few files, however many batches); a crash\'s leftover .free file is deleted at the next start; a clean close leaves no file', function () {
    if (!segmentsMapped()) this.skip();
    const dir = tempDir();
    const store = StateStore.open({ stateDir: dir, clock: new SimulatedClock(1_000) });
    const j = new OrderJournal(store, { worker: false, batchOps: 3, batchMs: 1_000_000 });
    const inodes = new Set<number>();
    for (let i = 1; i <= 120; i++) {
      j.recordIntent(intent(`twR${i}`));
      for (const f of readdirSync(dir)) if (f.startsWith('journal.')) inodes.add(statSync(join(dir, f)).ino);
    }
    // 40 batches, each sealing a segment: a new file per batch would be 40 inodes
    expect(inodes.size).to.be.at.most(3);
    expect(readdirSync(dir).filter((f) => f.endsWith('.log.free')).length).to.be.at.least(1);
    // what a crash leaves: the log as it is, plus a retired segment still holding stale frames
    const copy = tempDir();
    for (const name of readdirSync(dir)) if (name.startsWith('state.db') || /^journal\.\d{16}\.log$/.test(name)) copyFileSync(join(dir, name), join(copy, name));
    copyFileSync(join(dir, logs(dir)[0]!), join(copy, 'journal.0000000000000001.log.free'));
    store.close();
    expect(readdirSync(dir).filter((f) => f.startsWith('journal.'))).to.deep.equal([]);
    const again = StateStore.open({ stateDir: copy, breakStaleLock: true });
    const k = new OrderJournal(again);
    expect(k.orders().length).to.equal(120);
    expect(readdirSync(copy).filter((f) => f.endsWith('.free'))).to.deep.equal([]);
    again.close();
  });

  it('zero bytes after the frames are the end of a segment, also of one before the newest (a crash between opening the next segment and closing this one)', () => {
    const dir = crashedDir();
    const [first] = logs(dir);
    const file = join(dir, first!);
    const buf = readFileSync(file);
    const end = frames(buf).at(-1)![1];
    writeFileSync(file, Buffer.concat([buf.subarray(0, end), Buffer.alloc(70_000)]));
    const lastSeq = 5; // crashedDir's records: I, S, F, I, I
    writeFileSync(join(dir, `journal.${String(lastSeq + 1).padStart(16, '0')}.log`), Buffer.alloc(70_000)); // the next segment, nothing in it yet
    expectReplayed(dir);
  });

  it('a mapped segment whose first frame was torn before its first bytes were stored (zeros, then the rest of the frame) is a torn tail, not a text segment', () => {
    const dir = crashedDir();
    const buf = readFileSync(join(dir, logs(dir)[0]!));
    const [a, b] = frames(buf).at(-1)!;
    const lastSeq = 5; // crashedDir's records: I, S, F, I, I
    // the next segment: its first frame copied but for its first 32 bytes (a copy of more than 256 bytes may store them last)
    const next = join(dir, `journal.${String(lastSeq + 1).padStart(16, '0')}.log`);
    writeFileSync(next, Buffer.concat([Buffer.alloc(32), buf.subarray(a + 32, b), Buffer.alloc(70_000)]));
    const logger = new MemoryLogger();
    const store = StateStore.open({ stateDir: dir, breakStaleLock: true, logger });
    try {
      const j = new OrderJournal(store);
      expect(j.orders().map((o) => o.clientOrderId)).to.deep.equal(['twL1', 'twL2', 'twL3']);
    } finally { store.close(); }
    expect(logger.entries.filter((e) => /incomplete write/.test(e.msg)).map((e) => e.fields['file'])).to.deep.equal([next]);
  });

  it('zero bytes followed by a frame are damage, not the end of the segment → STATE_CORRUPT', () => {
    const dir = crashedDir();
    const file = join(dir, logs(dir)[0]!);
    const buf = readFileSync(file);
    const end0 = frames(buf)[0]![1];
    const used = frames(buf).at(-1)![1];
    writeFileSync(file, Buffer.concat([buf.subarray(0, end0), Buffer.alloc(64), buf.subarray(end0, used)]));
    const store = StateStore.open({ stateDir: dir, breakStaleLock: true });
    let code = '';
    try { new OrderJournal(store); } catch (err) { code = (err as { code: string }).code; }
    store.close();
    expect(code).to.equal('STATE_CORRUPT');
  });

  it('after a failed SQLite batch nothing later commits; the next open replays every record from the log', () => {
    const src = tempDir();
    const store = StateStore.open({ stateDir: src, clock: new SimulatedClock(1_000) });
    const j = new OrderJournal(store, { worker: false, batchOps: 2, batchMs: 1_000_000 });
    const attempt = (fn: () => unknown): string => { try { fn(); return 'ok'; } catch (err) { return (err as { code: string }).code; } };
    j.recordIntent(intent('twB1', { quantity: 1 }));
    store.db.pragma('query_only = 1'); // the batch that includes the next record fails, like a full disk
    const codes = [
      attempt(() => j.recordIntent(intent('twB2', { quantity: 2 }))),
      attempt(() => j.recordIntent(intent('twB3', { quantity: 3 }))),
      attempt(() => j.recordIntent(intent('twB4', { quantity: 4 }))),
    ];
    expect(codes).to.include('STATE_WRITE_FAILED');
    store.db.pragma('query_only = 0'); // even with a healthy disk again, no later batch may commit
    expect(attempt(() => j.recordIntent(intent('twB5', { quantity: 5 })))).to.equal('ok'); // still durable: it is in the log
    expect(attempt(() => store.flush())).to.equal('STATE_WRITE_FAILED'); // reads and checkpoints refuse
    const dst = tempDir();
    for (const name of readdirSync(src)) if (name.startsWith('state.db') || name.startsWith('journal.')) copyFileSync(join(src, name), join(dst, name));
    store.close();
    const again = StateStore.open({ stateDir: dst, breakStaleLock: true });
    expect(new OrderJournal(again).orders().map((o) => [o.clientOrderId, o.quantity])).to.deep.equal([['twB1', 1], ['twB2', 2], ['twB3', 3], ['twB4', 4], ['twB5', 5]]);
    again.close();
  });

  it('a torn final frame (the crash cut the write) is ignored', () => {
    const dir = crashedDir();
    const last = join(dir, logs(dir).at(-1)!);
    const whole = readFileSync(last);
    const [a, b] = frames(whole)[0]!;
    appendFileSync(last, whole.subarray(a, a + Math.floor((b - a) / 2))); // a frame cut in the middle
    appendFileSync(last, Buffer.from([0x02, 0x40])); // and a header cut short
    const logger = new MemoryLogger();
    const store = StateStore.open({ stateDir: dir, breakStaleLock: true, logger });
    const j = new OrderJournal(store);
    expect(j.getOrder('twL1')?.status).to.equal('FILLED');
    expect(j.entriesAfter(0).map((e) => e.kind)).to.deep.equal(['INTENT', 'INTENT', 'INTENT']);
    store.close();
    // ignored, but not silently: the log says which file ended in an incomplete write
    const warned = logger.entries.filter((e) => /incomplete write/.test(e.msg));
    expect(warned.map((e) => e.fields['file'])).to.deep.equal([last]);
  });

  it('a damaged frame in the middle → STATE_CORRUPT naming the file; the layer starts HALTED with the log moved aside', () => {
    const dir = crashedDir();
    const file = join(dir, logs(dir)[0]!);
    const buf = readFileSync(file);
    const fr = frames(buf);
    expect(fr).to.have.length(3);
    const at = buf.indexOf('SUBMITTED');
    expect(at).to.be.greaterThan(fr[1]![0]).and.lessThan(fr[1]![1]); // the ack is in the middle frame
    buf.write('CANCELLED', at, 'latin1'); // checksum no longer matches
    writeFileSync(file, buf);
    const store = StateStore.open({ stateDir: dir, breakStaleLock: true });
    let code = '';
    let named = '';
    try { new OrderJournal(store); } catch (err) { code = (err as { code: string }).code; named = String((err as { details?: { file?: string } }).details?.file); }
    store.close();
    expect(code).to.equal('STATE_CORRUPT');
    expect(named).to.equal(file);
    const layer = createStateLayer({ stateDir: dir, breakStaleLock: true });
    expect(layer.startupError?.code).to.equal('STATE_CORRUPT');
    expect(layer.store.halt()?.code).to.equal('STATE_CORRUPT');
    const aside = readdirSync(dir).filter((f) => f.startsWith('journal.') && f.includes('.log.corrupt-'));
    expect(aside).to.have.length(1); // kept for the operator, never deleted
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).to.contain('CANCELLED');
    layer.close();
  });

  it('a multi-record frame torn at the end (the crash cut its write) is ignored as a whole', () => {
    const dir = crashedDir();
    const file = join(dir, logs(dir)[0]!);
    const buf = readFileSync(file);
    const [, [a, b]] = frames(buf) as [[number, number], [number, number]];
    expect(buf.subarray(a, b).includes('EL1')).to.equal(true); // ack, fill and the next intent share one frame
    writeFileSync(file, buf.subarray(0, a + Math.floor((b - a) * 0.8)));
    const store = StateStore.open({ stateDir: dir, breakStaleLock: true });
    const j = new OrderJournal(store);
    expect(j.orders().map((o) => [o.clientOrderId, o.status])).to.deep.equal([['twL1', 'PENDING_SUBMIT']]); // none of the torn line's records
    expect(j.fillCount()).to.equal(0);
    store.close();
    expect(logs(dir)).to.deep.equal([]);
  });

  it('frames written by earlier builds (CRC-32 checksum, first byte 0x01) still replay, and damage in them is still seen', () => {
    // the crashed dir's frames, rewritten as a build before xxHash32 wrote them
    const asCrc32 = (dir: string): string => {
      const file = join(dir, logs(dir)[0]!);
      const buf = readFileSync(file);
      const fr = frames(buf);
      for (const [a, b] of fr) {
        buf[a] = 0x01;
        buf.writeUInt32LE(crc32(buf.subarray(a + 13, b - 1)), a + 9);
      }
      writeFileSync(file, buf);
      return file;
    };
    const dir = crashedDir();
    asCrc32(dir);
    const store = StateStore.open({ stateDir: dir, breakStaleLock: true });
    const j = new OrderJournal(store);
    expect(j.orders().map((o) => [o.clientOrderId, o.status])).to.deep.equal([['twL1', 'FILLED'], ['twL2', 'PENDING_SUBMIT'], ['twL3', 'PENDING_SUBMIT']]);
    expect(j.fillCount()).to.equal(1);
    store.close();

    const damaged = crashedDir();
    const file = asCrc32(damaged);
    const buf = readFileSync(file);
    buf.write('CANCELLED', buf.indexOf('SUBMITTED'), 'latin1'); // the middle frame's CRC no longer matches
    writeFileSync(file, buf);
    const again = StateStore.open({ stateDir: damaged, breakStaleLock: true });
    let code = '';
    try { new OrderJournal(again); } catch (err) { code = (err as { code: string }).code; }
    again.close();
    expect(code).to.equal('STATE_CORRUPT');
  });

  it('logs written by earlier builds (one record per line) still replay', () => {
    const dir = tempDir();
    StateStore.open({ stateDir: dir }).close(); // creates state.db
    const line = (rec: unknown[]): string => { const json = JSON.stringify(rec); return `${crc32(json).toString(16).padStart(8, '0')}\t${json}\n`; };
    writeFileSync(join(dir, 'journal.0000000000000001.log'), [
      line([1, 'I', 1000, 'twO1', 'AAPL', 'BUY', 3, 'MARKET', null, null, 'DAY', null, null, 0, 1000]),
      line([2, 'S', 1001, 'twO1', 'SUBMITTED', 'V9', null, 'ACK', 0, 1001]),
      line([3, 'F', 1002, 'EO1', 'V9', 'twO1', 'AAPL', 'BUY', 3, 12.5, 0, 1002, null, 'stream']),
    ].join(''));
    const store = StateStore.open({ stateDir: dir, breakStaleLock: true });
    const j = new OrderJournal(store);
    const o = j.getOrder('twO1');
    expect([o?.status, o?.filledQuantity, o?.orderId, o?.avgFillPrice]).to.deep.equal(['FILLED', 3, 'V9', 12.5]);
    expect(j.positions().map((p) => [p.asset, p.quantity])).to.deep.equal([['AAPL', 3]]);
    // and new records continue the sequence in the new form
    j.recordIntent(intent('twO2'));
    store.close();
    expect(logs(dir)).to.deep.equal([]);
  });

  it('a gap in the sequence (a whole frame missing) → STATE_CORRUPT', () => {
    const dir = crashedDir();
    const file = join(dir, logs(dir)[0]!);
    const buf = readFileSync(file);
    const [[, end0], [, end1]] = frames(buf) as [[number, number], [number, number]];
    writeFileSync(file, Buffer.concat([buf.subarray(0, end0), buf.subarray(end1)])); // the middle frame (seq 2–4) is gone
    const store = StateStore.open({ stateDir: dir, breakStaleLock: true });
    let code = '';
    try { new OrderJournal(store); } catch (err) { code = (err as { code: string }).code; }
    store.close();
    expect(code).to.equal('STATE_CORRUPT');
  });

  it('an ack and a fill still buffered at the crash are lost from the log and recovered from the broker', async () => {
    const venue = new FakeVenue();
    const dir = tempDir();
    const store = StateStore.open({ stateDir: dir, clock: new SimulatedClock(1_000) });
    const j = new OrderJournal(store, { worker: false, batchOps: 1_000_000, batchMs: 1_000_000 });
    j.recordIntent(intent('twK1', { quantity: 5 })); // written: durable before the send
    const order = await venue.submitOrder(intent('twK1', { quantity: 5 }));
    j.recordStatus('twK1', 'SUBMITTED', { orderId: order.orderId, kind: 'ACK' }); // buffered
    j.applyFill(venue.fill('twK1', 5, 20, { silent: true })); // buffered
    const crashed = tempDir(); // SIGKILL now: the buffer dies with the process
    for (const name of readdirSync(dir)) if (name.startsWith('state.db') || name.startsWith('journal.')) copyFileSync(join(dir, name), join(crashed, name));
    store.close();
    const after = createStateLayer({ stateDir: crashed, breakStaleLock: true });
    expect(after.journal.getOrder('twK1')?.status).to.equal('PENDING_SUBMIT'); // the log had the intent only
    const r = await recover(after.store, after.journal, venue, silentLogger);
    expect(r.fillsApplied).to.equal(1);
    expect(r.settled.map((x) => [x.clientOrderId, x.outcome, x.status])).to.deep.equal([['twK1', 'adopted', 'FILLED']]);
    const o = after.journal.getOrder('twK1');
    expect([o?.status, o?.filledQuantity, o?.orderId]).to.deep.equal(['FILLED', 5, order.orderId]);
    expect(after.journal.positions().map((p) => [p.asset, p.quantity])).to.deep.equal([['AAPL', 5]]);
    expect(venue.submitCalls).to.deep.equal(['twK1']); // never resent
    after.close();
  });

  it('a record whose encoding throws (an odd value) leaves nothing behind: the log stays readable', () => {
    const src = tempDir();
    const store = StateStore.open({ stateDir: src, clock: new SimulatedClock(1_000) });
    const j = new OrderJournal(store, { worker: false, batchOps: 1_000_000, batchMs: 1_000_000 });
    j.recordIntent(intent('twZ1'));
    const odd = { orderId: 'V7', clientOrderId: 'ext7', asset: 'AAPL', side: 'BUY', quantity: 1, orderType: 'LIMIT', timeInForce: 'DAY', status: 'SUBMITTED', filledQuantity: 0, avgFillPrice: 0, createdAt: 1, updatedAt: 1, venueData: 1n };
    expect(() => j.adoptExternal(odd as unknown as Order)).to.throw(TypeError);
    j.recordIntent(intent('twZ2'));
    const dst = tempDir();
    for (const name of readdirSync(src)) if (name.startsWith('state.db') || name.startsWith('journal.')) copyFileSync(join(src, name), join(dst, name));
    store.close();
    const again = StateStore.open({ stateDir: dst, breakStaleLock: true });
    expect(new OrderJournal(again).orders().map((o) => o.clientOrderId)).to.deep.equal(['twZ1', 'twZ2']);
    again.close();
  });

  it('replay reproduces every field exactly (fractions, unicode, long strings, optionals)', () => {
    const src = tempDir();
    const store = StateStore.open({ stateDir: src, clock: new SimulatedClock(1_700_000_000_123) });
    const j = new OrderJournal(store, { worker: false, batchOps: 1_000_000, batchMs: 1_000_000 });
    j.recordIntent(intent('twR1', { quantity: 7.25, orderType: 'LIMIT', limitPrice: 101.37, tag: 'tâg € ✓', reduceOnly: true, expireAt: 1_700_000_999_000, timeInForce: 'GTC' }));
    j.recordStatus('twR1', 'SUBMITTED', { orderId: 'V-ü1', kind: 'ACK', submittedAt: 1_700_000_000_500 });
    j.applyFill({ executionId: 'E€1', orderId: 'V-ü1', clientOrderId: 'twR1', asset: 'AAPL', side: 'BUY', quantity: 2.5, price: 99.991, commission: 0.0123, timestamp: 1_700_000_000_777, cumulativeQuantity: 2.5 });
    j.recordStatus('twR1', 'CANCELLED', { kind: 'UPDATE', reason: `venue says: ${'x'.repeat(300)} ✗` });
    j.note('twR1', 'CANCEL_REQUEST', 'by operator ✓');
    j.recordIntent(intent('twR2')); // writes the buffered records with it
    const dst = tempDir();
    for (const name of readdirSync(src)) if (name.startsWith('state.db') || name.startsWith('journal.')) copyFileSync(join(src, name), join(dst, name));
    const expected = { orders: j.orders(), fills: j.fills(), positions: j.positions(), entries: j.entriesAfter(0).map(({ seq: _seq, ...e }) => e) };
    store.close();
    const again = StateStore.open({ stateDir: dst, breakStaleLock: true });
    const r = new OrderJournal(again);
    expect({ orders: r.orders(), fills: r.fills(), positions: r.positions(), entries: r.entriesAfter(0).map(({ seq: _seq, ...e }) => e) }).to.deep.equal(expected);
    expect(r.getOrder('twR1')?.rejectionReason).to.contain('✗');
    again.close();
  });
});
