// Crash tests: the engine runs as a child process against a venue that keeps its own ledger in
// a file outside the state dir; it is SIGKILLed at named crash points, restarted, and the
// state dir is audited against the venue's ledger (RELIABILITY.md F01–F21).
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOST_BEFORE_SEND, OrderJournal, StateStore, STATE_DB_FILE } from '@tradewire/core';
import { FakeVenue } from './fake-venue.js';
import { audit, type Audit } from './invariants.js';
import { cleanupTempDirs, tempDir } from './helpers.js';

const CHILD = fileURLToPath(new URL('./crash-child.js', import.meta.url));

interface ChildResult { status: number | null; signal: string | null; out: Record<string, unknown>; stderr: string }

function runChild(env: Record<string, string>): ChildResult {
  const base = { ...process.env };
  delete base['TRADEWIRE_CRASH_AT'];
  delete base['TRADEWIRE_CRASH_AFTER'];
  const r = spawnSync(process.execPath, [CHILD], { env: { ...base, ...env }, encoding: 'utf8', timeout: 30_000 });
  const last = r.stdout.trim().split('\n').filter(Boolean).at(-1);
  return { status: r.status, signal: r.signal, out: last ? (JSON.parse(last) as Record<string, unknown>) : {}, stderr: r.stderr };
}

function expectClean(a: Audit): void {
  expect({ lost: a.lost, duplicated: a.duplicated, missingLocally: a.missingLocally, statusMismatch: a.statusMismatch, fillsMissed: a.fillsMissed, fillsExtra: a.fillsExtra, positionMismatch: a.positionMismatch })
    .to.deep.equal({ lost: 0, duplicated: 0, missingLocally: [], statusMismatch: [], fillsMissed: [], fillsExtra: [], positionMismatch: [] });
  expect(a.fillsJournal).to.equal(a.fillsVenue);
  expect(a.journalPositions).to.deep.equal(a.venuePositions);
}

describe('crash tests (engine in a child process, SIGKILL at crash points)', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dir = tempDir('tw-crash-');
    env = { TW_STATE_DIR: join(dir, 'state'), TW_LEDGER: join(dir, 'venue-ledger.json'), TW_BARS: '30', TW_BREAK_STALE: '1' };
  });
  afterEach(cleanupTempDirs);

  const second = { TW_START: '1000000' };
  const third = { TW_START: '2000000' };

  it('baseline: two clean runs leave the journal equal to the venue ledger', () => {
    expect(runChild(env).out['tradingState']).to.equal('ACTIVE');
    const r = runChild({ ...env, ...second });
    expect(r.out['tradingState']).to.equal('ACTIVE');
    const a = audit(env.TW_STATE_DIR!, env.TW_LEDGER!);
    expectClean(a);
    expect(a.venueOrders).to.equal(60);
  });

  it('F01: killed after the intent is written, before the send → found PENDING_SUBMIT, settled as lost, never resent; 0 lost, 0 duplicated', () => {
    runChild(env);
    const k = runChild({ ...env, ...second, TRADEWIRE_CRASH_AT: 'after-intent-before-send', TRADEWIRE_CRASH_AFTER: '4' });
    expect(k.signal).to.equal('SIGKILL');
    const r = runChild({ ...env, ...third });
    expect(r.out['tradingState']).to.equal('ACTIVE');
    const a = audit(env.TW_STATE_DIR!, env.TW_LEDGER!);
    expectClean(a);
    const store = StateStore.openReadOnly(env.TW_STATE_DIR!);
    const lost = new OrderJournal(store).orders(['REJECTED']);
    store.close();
    expect(lost).to.have.length(1);
    expect(lost[0]?.rejectionReason).to.contain(LOST_BEFORE_SEND);
    expect(a.journalOrders).to.equal(a.venueOrders + 1);
  });

  it('F02: killed after the venue accepted, before the ack is persisted; fills while down → adopted, fills applied once', () => {
    runChild(env);
    const k = runChild({ ...env, ...second, TRADEWIRE_CRASH_AT: 'after-send-before-ack', TRADEWIRE_CRASH_AFTER: '6' });
    expect(k.signal).to.equal('SIGKILL');
    const venue = new FakeVenue(env.TW_LEDGER!); // the venue keeps trading while the engine is down
    for (const o of venue.ledger.orders.filter((x) => x.status === 'SUBMITTED')) venue.fill(o.clientOrderId, o.quantity, 99, { silent: true });
    const r = runChild({ ...env, ...third });
    expect(r.out['tradingState']).to.equal('ACTIVE');
    expectClean(audit(env.TW_STATE_DIR!, env.TW_LEDGER!));
  });

  it('F03: killed mid-checkpoint write → the previous checkpoint is intact, the journal tail is not lost', () => {
    const k = runChild({ ...env, TW_BARS: '40', TRADEWIRE_CRASH_AT: 'mid-checkpoint-write', TRADEWIRE_CRASH_AFTER: '2' });
    expect(k.signal).to.equal('SIGKILL');
    const store = StateStore.openReadOnly(env.TW_STATE_DIR!);
    const cp = store.lastCheckpoint();
    store.close();
    expect((cp?.strategy as { seen: number }).seen).to.be.greaterThan(0);
    const r = runChild({ ...env, ...second });
    expect(r.out['tradingState']).to.equal('ACTIVE');
    expect(r.out['seen']).to.equal((cp?.strategy as { seen: number }).seen + 30); // restored from the last good checkpoint
    expectClean(audit(env.TW_STATE_DIR!, env.TW_LEDGER!));
  });

  it('F04: corrupt state file at start → HALTED with STATE_CORRUPT, file moved aside, 0 orders sent', () => {
    runChild(env);
    const before = JSON.parse(readFileSync(env.TW_LEDGER!, 'utf8')).orders.length as number;
    const file = join(env.TW_STATE_DIR!, STATE_DB_FILE);
    writeFileSync(file, '{"killSwitch":tr' + 'garbage'.repeat(1000));
    for (const sfx of ['-wal', '-shm']) if (existsSync(file + sfx)) writeFileSync(file + sfx, '');
    const r = runChild({ ...env, ...second });
    expect(r.out['startupError']).to.equal('STATE_CORRUPT');
    expect(r.out['tradingState']).to.equal('HALTED');
    expect(String(r.out['haltReason'])).to.contain('STATE_CORRUPT');
    expect(r.out['submits']).to.equal(0);
    expect(JSON.parse(readFileSync(env.TW_LEDGER!, 'utf8')).orders.length).to.equal(before);
    expect(readdirSync(env.TW_STATE_DIR!).some((f) => f.startsWith(`${STATE_DB_FILE}.corrupt-`))).to.equal(true);
    // still HALTED on the next start: only an operator clears it
    expect(runChild({ ...env, ...third }).out['tradingState']).to.equal('HALTED');
  });

  it('F08: a second engine on the same state dir refuses to start and names the holder pid', async () => {
    const holder = spawn(process.execPath, [CHILD], { env: { ...process.env, ...env, TW_HOLD_MS: '2500' }, stdio: ['ignore', 'pipe', 'inherit'] });
    const ready = await new Promise<{ pid: number }>((resolve, reject) => {
      holder.stdout.once('data', (b: Buffer) => { try { resolve(JSON.parse(b.toString()) as { pid: number }); } catch (e) { reject(e); } });
      holder.once('error', reject);
    });
    const r = runChild({ ...env, TW_BREAK_STALE: '1' }); // even with the flag: the holder is alive
    expect(r.status).to.equal(3);
    expect(r.out['error']).to.equal('STATE_LOCKED');
    expect(String(r.out['message'])).to.contain(`pid ${ready.pid}`);
    expect(existsSync(env.TW_LEDGER!)).to.equal(false); // sent 0 orders
    await new Promise((res) => holder.once('exit', res));
  });

  it('F09: orders at the venue placed by hand are adopted as external, not cancelled', () => {
    runChild(env);
    const venue = new FakeVenue(env.TW_LEDGER!);
    venue.seedOrder({ clientOrderId: 'manual42', asset: 'MSFT', side: 'BUY', quantity: 3, limitPrice: 1 });
    const r = runChild({ ...env, ...second });
    expect(r.out['tradingState']).to.equal('ACTIVE');
    expectClean(audit(env.TW_STATE_DIR!, env.TW_LEDGER!));
    const store = StateStore.openReadOnly(env.TW_STATE_DIR!);
    const o = new OrderJournal(store).getOrder('manual42');
    store.close();
    expect(o?.external).to.equal(true);
    expect(o?.status).to.equal('SUBMITTED');
  });

  it('F10: restart with a venue position that differs → fails closed (halt), then adopt-broker aligns', () => {
    runChild(env);
    const venue = new FakeVenue(env.TW_LEDGER!);
    venue.ledger.positions['AAPL'] = (venue.ledger.positions['AAPL'] ?? 0) + 50;
    writeFileSync(env.TW_LEDGER!, JSON.stringify(venue.ledger));
    const r = runChild({ ...env, ...second });
    expect(r.out['tradingState']).to.equal('HALTED');
    expect(String(r.out['haltReason'])).to.contain('RECONCILE_MISMATCH');
    expect(r.out['submits']).to.equal(0);
    expect(audit(env.TW_STATE_DIR!, env.TW_LEDGER!).positionMismatch).to.deep.equal(['AAPL']);
    const r3 = runChild({ ...env, ...third, TW_POLICY: 'adopt-broker' });
    expect(r3.out['tradingState']).to.equal('ACTIVE');
    expectClean(audit(env.TW_STATE_DIR!, env.TW_LEDGER!));
  });

  it('F13: a submit whose response is lost → UNKNOWN, settled by lookup, never resent (also across a crash)', () => {
    const r = runChild({ ...env, TW_TIMEOUT_AT: '3' });
    expect(r.out['tradingState']).to.equal('ACTIVE');
    expect(r.out['submits']).to.equal(30);
    expectClean(audit(env.TW_STATE_DIR!, env.TW_LEDGER!));
    const k = runChild({ ...env, ...second, TW_TIMEOUT_AT: '2', TRADEWIRE_CRASH_AT: 'after-intent-before-send', TRADEWIRE_CRASH_AFTER: '2' });
    expect(k.signal).to.equal('SIGKILL');
    runChild({ ...env, ...third });
    expectClean(audit(env.TW_STATE_DIR!, env.TW_LEDGER!));
  });

  it('F19/F20: the venue replays every execution at reconnect → nothing booked twice', () => {
    runChild(env);
    const k = runChild({ ...env, ...second, TRADEWIRE_CRASH_AT: 'after-fill-record', TRADEWIRE_CRASH_AFTER: '5' });
    expect(k.signal).to.equal('SIGKILL');
    const r = runChild({ ...env, ...third, TW_REPLAY: '1' });
    expect(r.out['tradingState']).to.equal('ACTIVE');
    // the engine saw only this run's fills (30 orders, the last one still open), not the ~35 replayed ones
    expect(r.out['fills']).to.equal(29);
    expectClean(audit(env.TW_STATE_DIR!, env.TW_LEDGER!));
  });

  // journal log (process durability): SQLite is brought up to date in batches; each case kills
  // the engine at a different step of that pipeline and restarts it on the same state dir
  // (a log line is written per intent, carrying the acks and fills buffered since the previous one;
  // after-log-buffer kills with such records queued but not written: recovery reads them back from the venue)
  for (const [point, after] of [['after-log-append', '12'], ['after-log-append', '25'], ['after-log-buffer', '17'], ['after-log-buffer', '40'], ['mid-journal-flush', '2'], ['before-log-truncate', '2']] as const) {
    it(`F22: killed at ${point} (hit ${Number(after) + 1}) → log replayed into SQLite; 0 lost, 0 duplicated, 0 double-booked`, () => {
      runChild(env);
      const k = runChild({ ...env, ...second, TRADEWIRE_CRASH_AT: point, TRADEWIRE_CRASH_AFTER: after });
      expect(k.signal).to.equal('SIGKILL');
      const r = runChild({ ...env, ...third });
      expect(r.out['tradingState']).to.equal('ACTIVE');
      const a = audit(env.TW_STATE_DIR!, env.TW_LEDGER!);
      expectClean(a);
      expect(a.journalOrders - a.venueOrders).to.be.at.most(1); // at most the one intent cut before its send, settled REJECTED
      expect(readdirSync(env.TW_STATE_DIR!).filter((f) => f.startsWith('journal.') && f.endsWith('.log'))).to.deep.equal([]);
    });
  }

  it('F23: killed twice in a row (crash during the restart after a crash) → still 0 lost, 0 duplicated', () => {
    runChild(env);
    expect(runChild({ ...env, ...second, TRADEWIRE_CRASH_AT: 'after-log-append', TRADEWIRE_CRASH_AFTER: '20' }).signal).to.equal('SIGKILL');
    expect(runChild({ ...env, ...third, TRADEWIRE_CRASH_AT: 'mid-journal-flush', TRADEWIRE_CRASH_AFTER: '1' }).signal).to.equal('SIGKILL');
    const r = runChild({ ...env, TW_START: '3000000' });
    expect(r.out['tradingState']).to.equal('ACTIVE');
    expectClean(audit(env.TW_STATE_DIR!, env.TW_LEDGER!));
  });

  it('F21: out-of-order stream (update before fill, stale SUBMITTED after FILLED) → final state equals the ledger', () => {
    const r = runChild({ ...env, TW_REORDER: '1' });
    expect(r.out['tradingState']).to.equal('ACTIVE');
    expectClean(audit(env.TW_STATE_DIR!, env.TW_LEDGER!));
  });
});
