// The journal log of `process` durability, in process: a "crash" is simulated by copying the
// state dir (db, WAL, log segments) while the store is still open and nothing was flushed.
import { expect } from 'chai';
import { appendFileSync, copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OrderJournal, SimulatedClock, StateStore, createStateLayer, type Fill } from '@tradewire/core';
import { cleanupTempDirs, intent, tempDir } from './helpers.js';

const logs = (dir: string): string[] => readdirSync(dir).filter((f) => /^journal\.\d{16}\.log$/.test(f)).sort();

/** Journals an order and its fill without any flush to SQLite, then copies the dir as a crash would leave it. */
function crashedDir(): string {
  const src = tempDir();
  const clock = new SimulatedClock(1_000);
  const store = StateStore.open({ stateDir: src, clock });
  const j = new OrderJournal(store, { worker: false, batchOps: 1_000_000, batchMs: 1_000_000 });
  j.recordIntent(intent('twL1', { quantity: 4 }));
  j.recordStatus('twL1', 'SUBMITTED', { orderId: 'V1', kind: 'ACK' });
  const f: Fill = { executionId: 'EL1', orderId: 'V1', clientOrderId: 'twL1', asset: 'AAPL', side: 'BUY', quantity: 4, price: 10, commission: 0, timestamp: 2_000 };
  j.applyFill(f);
  const dst = tempDir();
  for (const name of readdirSync(src)) if (name.startsWith('state.db') || name.startsWith('journal.')) copyFileSync(join(src, name), join(dst, name));
  store.close();
  return dst;
}

describe("journal log (durability 'process')", () => {
  afterEach(cleanupTempDirs);

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
      expect(j.entriesAfter(0).map((e) => e.kind)).to.deep.equal(['INTENT', 'ACK']);
      store.close();
      expect(logs(dir)).to.deep.equal([]);
    }
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

  it('a torn final line (the crash cut the write) is ignored', () => {
    const dir = crashedDir();
    const last = logs(dir).at(-1)!;
    appendFileSync(join(dir, last), '0123abcd\t[4,"N",1000,"twL1","NOTE"'); // no newline, bad checksum
    const store = StateStore.open({ stateDir: dir, breakStaleLock: true });
    const j = new OrderJournal(store);
    expect(j.getOrder('twL1')?.status).to.equal('FILLED');
    expect(j.entriesAfter(0).map((e) => e.kind)).to.deep.equal(['INTENT', 'ACK']);
    store.close();
  });

  it('a damaged line in the middle → STATE_CORRUPT naming the file; the layer starts HALTED with the log moved aside', () => {
    const dir = crashedDir();
    const file = join(dir, logs(dir)[0]!);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('SUBMITTED', 'CANCELLED'); // checksum no longer matches
    writeFileSync(file, lines.join('\n'));
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
});
