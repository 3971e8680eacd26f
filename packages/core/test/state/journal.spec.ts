import { expect } from 'chai';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import {
  StateStore, OrderJournal, JournalBroker, PersistentClientOrderIdGenerator, isVenueSafeClientOrderId, SimulatedClock, silentLogger,
  isTradingError, type Fill, type JournalAnomaly,
} from '@tradewire/core';
import { FakeVenue } from './fake-venue.js';
import { cleanupTempDirs, intent, tempDir } from './helpers.js';

let durability: 'process' | 'batch' = 'process';
function setup(dir = tempDir()) {
  const clock = new SimulatedClock(1_000);
  const store = StateStore.open({ stateDir: dir, clock, durability });
  const journal = new OrderJournal(store);
  const venue = new FakeVenue();
  venue.now = () => clock.now();
  const ids = new PersistentClientOrderIdGenerator(store);
  const broker = new JournalBroker(venue, { journal, clock, logger: silentLogger, idGenerator: ids });
  const fills: Fill[] = [];
  broker.onFill((f) => fills.push(f));
  const anomalies: JournalAnomaly[] = [];
  broker.onAnomaly((a) => anomalies.push(a));
  return { dir, clock, store, journal, venue, broker, fills, anomalies, ids };
}

async function rejects(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try { await p; } catch (err) {
    if (isTradingError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('client order id generator', () => {
  afterEach(cleanupTempDirs);

  it('B21: 200k ids, all venue-safe (≤32, alphanumeric), 0 collisions, also across restarts', () => {
    const dir = tempDir();
    const seen = new Set<string>();
    for (let run = 0; run < 3; run++) {
      const store = StateStore.open({ stateDir: dir });
      const gen = new PersistentClientOrderIdGenerator(store, { blockSize: 1000 });
      const n = run === 0 ? 200_000 : 1_500; // later runs: a restart mid-block must not reuse ids
      for (let i = 0; i < n; i++) {
        const id = gen.next();
        if (!isVenueSafeClientOrderId(id) || id.length > 32 || seen.has(id)) throw new Error(`bad or repeated id ${id}`);
        seen.add(id);
      }
      store.close();
    }
    expect(seen.size).to.equal(203_000);
  });

  it('reserves the next block ahead once three quarters of the current one are used (writer idle), and uses it without another commit', () => {
    const store = StateStore.open({ stateDir: tempDir() });
    const counter = (): number => (store.db.prepare(`SELECT value FROM counters WHERE name = 'client_order_id'`).get() as { value: number }).value;
    const gen = new PersistentClientOrderIdGenerator(store, { blockSize: 64 });
    const ids: string[] = [];
    const take = (n: number): void => { for (let i = 0; i < n; i++) ids.push(gen.next()); };
    take(1);
    expect(counter()).to.equal(64); // the first block, committed before the first id
    take(47); // 48 used, 16 left: not yet a quarter
    expect(counter()).to.equal(64);
    take(1); // 15 left of 64: the next block (128) is reserved now
    expect(counter()).to.equal(64 + 128);
    take(15 + 128); // the rest of the first block and the whole block reserved ahead: no commit...
    expect(counter()).to.equal(64 + 128 + 256); // ...but the one ahead of the third block
    expect(ids.map((id) => parseInt(id.slice(10), 36))).to.deep.equal(Array.from({ length: 64 + 128 }, (_, i) => i + 1)); // no gap, no repeat
    store.close();
  });

  it('with a write-behind journal, the block ahead is reserved inside the writer\'s next batch and used only once that batch is committed', () => {
    const dir = tempDir();
    const store = StateStore.open({ stateDir: dir, durability: 'process' });
    const journal = new OrderJournal(store); // worker thread: the block ahead commits with its batch
    const counter = (): number => (store.db.prepare(`SELECT value FROM counters WHERE name = 'client_order_id'`).get() as { value: number }).value;
    const gen = new PersistentClientOrderIdGenerator(store, { blockSize: 64 });
    const ids: string[] = [];
    const take = (n: number): void => { for (let i = 0; i < n; i++) ids.push(gen.next()); };
    take(1);
    expect(counter()).to.equal(64); // the first block: committed here, before the first id
    take(1); // a block in use: the next one (128) is asked of the writer, not committed on this connection
    expect(counter()).to.equal(64);
    store.flush(); // the batch carrying it (nothing else to write) is committed
    expect(counter()).to.equal(64 + 128);
    take(62); // the first block used up
    take(1); // the first id of the block ahead: no commit for it
    expect(counter()).to.equal(64 + 128);
    take(1); // the next block (256) is asked of the writer
    take(62); // 64 of the block's 128 ids used; that batch is not due yet (nothing else to write)
    expect(counter()).to.equal(64 + 128);
    take(1); // half the block used: the batch carrying the block ahead goes to the writer now, not at the block's end
    const until = Date.now() + 10_000;
    while (counter() !== 64 + 128 + 256 && Date.now() < until) { /* the writer thread commits it */ }
    expect(counter()).to.equal(64 + 128 + 256);
    take(64); // the rest of the block and the first id of the block ahead: no commit for it
    expect(counter()).to.equal(64 + 128 + 256);
    expect(ids.map((id) => parseInt(id.slice(10), 36))).to.deep.equal(Array.from({ length: ids.length }, (_, i) => i + 1)); // no gap, no repeat
    store.close();
    // a restart starts past every block reserved, the one taken ahead included
    const again = StateStore.open({ stateDir: dir, durability: 'process' });
    new OrderJournal(again);
    expect(parseInt(new PersistentClientOrderIdGenerator(again).next().slice(10), 36)).to.equal(64 + 128 + 256 + 1);
    again.close();
  });

  it('a block ahead whose batch failed is never used: the block\'s end reserves on the store\'s connection instead', () => {
    const store = StateStore.open({ stateDir: tempDir(), durability: 'batch' });
    new OrderJournal(store, { worker: false }); // batches commit on this connection: the failure is synchronous
    store.db.exec(`CREATE TABLE refuse (on_ INTEGER NOT NULL); INSERT INTO refuse VALUES (1);
      CREATE TRIGGER refuse_block BEFORE UPDATE ON counters WHEN NEW.name = 'client_order_id' AND (SELECT on_ FROM refuse) = 1
      BEGIN SELECT RAISE(ABORT, 'no block today'); END;`);
    const counter = (): number => (store.db.prepare(`SELECT value FROM counters WHERE name = 'client_order_id'`).get() as { value: number }).value;
    const gen = new PersistentClientOrderIdGenerator(store, { blockSize: 64 });
    const ids: number[] = [];
    const take = (n: number): void => { for (let i = 0; i < n; i++) ids.push(parseInt(gen.next().slice(10), 36)); };
    take(2); // the first block (an insert: not refused), then the block ahead asked of the next batch
    expect(() => store.flush()).to.throw(/no block today/); // that batch fails: its block must not count
    expect(counter()).to.equal(64);
    store.db.exec('UPDATE refuse SET on_ = 0');
    take(63); // the first block, then its end: the failed block ahead is skipped, a block (the next size, 256) is committed here
    expect(counter()).to.equal(64 + 256);
    expect(ids).to.deep.equal(Array.from({ length: 65 }, (_, i) => i + 1));
    store.close();
  });

  it('two generators on one journal never share a block (the second reserves on the store\'s connection while the first one\'s block waits for its batch)', () => {
    const store = StateStore.open({ stateDir: tempDir(), durability: 'process' });
    new OrderJournal(store);
    const a = new PersistentClientOrderIdGenerator(store, { blockSize: 16 });
    const b = new PersistentClientOrderIdGenerator(store, { blockSize: 16 });
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      for (const id of [a.next(), b.next(), ...(i % 3 === 0 ? [a.next()] : [])]) {
        if (seen.has(id)) throw new Error(`id ${id} issued twice`);
        seen.add(id);
      }
      if (i % 500 === 0) store.flush();
    }
    expect(seen.size).to.equal(5_000 * 2 + 1_667);
    store.close();
  });

  it('different state dirs use different namespaces', () => {
    const a = StateStore.open({ stateDir: tempDir() });
    const b = StateStore.open({ stateDir: tempDir() });
    const ia = new PersistentClientOrderIdGenerator(a).next();
    const ib = new PersistentClientOrderIdGenerator(b).next();
    expect(ia).to.match(/^tw[A-Za-z0-9]{8}1$/);
    expect(ia.slice(0, 10)).to.not.equal(ib.slice(0, 10));
    a.close(); b.close();
  });
});

for (const mode of ['process', 'batch'] as const) describe(`JournalBroker (write-ahead order journal), durability ${mode}`, () => {
  before(() => { durability = mode; });
  after(() => { durability = 'process'; });
  afterEach(cleanupTempDirs);

  it('persists the intent before the adapter is called, then records the ack', async () => {
    const t = setup();
    let statusAtCall: string | undefined;
    const orig = t.venue.submitOrder.bind(t.venue);
    t.venue.submitOrder = async (i) => { statusAtCall = t.journal.getOrder(i.clientOrderId)?.status; return orig(i); };
    const cid = t.ids.next();
    const order = await t.broker.submitOrder(intent(cid));
    expect(statusAtCall).to.equal('PENDING_SUBMIT');
    const j = t.journal.getOrder(cid);
    expect(j?.status).to.equal('SUBMITTED');
    expect(j?.orderId).to.equal(order.orderId);
    // the write-behind journal (process and batch) coalesces ack rows into the order row (the status is the same)
    expect(t.journal.entriesAfter(0).map((e) => e.kind)).to.deep.equal(['INTENT']);
    t.store.close();
  });

  it('F13: a timeout leaves the intent UNKNOWN and it is never resent', async () => {
    const t = setup();
    t.venue.nextSubmit.push('timeout-after-accept');
    const e = await rejects(t.broker.submitOrder(intent('twA1')));
    expect(e.code).to.equal('REQUEST_TIMEOUT');
    expect(t.journal.getOrder('twA1')?.status).to.equal('UNKNOWN');
    expect(t.venue.submitCalls).to.deep.equal(['twA1']);
    // a retry with the same id is refused by the journal, not sent again
    expect((await rejects(t.broker.submitOrder(intent('twA1')))).code).to.equal('DUPLICATE_CLIENT_ORDER_ID');
    expect(t.venue.submitCalls).to.deep.equal(['twA1']);
    expect(t.venue.ledger.orders).to.have.length(1);
    t.store.close();
  });

  it('a definite venue rejection is recorded as REJECTED with the reason', async () => {
    const t = setup();
    t.venue.nextSubmit.push('reject');
    expect((await rejects(t.broker.submitOrder(intent('twR1')))).code).to.equal('ORDER_REJECTED');
    const o = t.journal.getOrder('twR1');
    expect(o?.status).to.equal('REJECTED');
    expect(o?.rejectionReason).to.contain('buying power');
    t.store.close();
  });

  it('refuses a venue-unsafe clientOrderId before anything is written or sent', async () => {
    const t = setup();
    expect((await rejects(t.broker.submitOrder(intent('bad-id_with:chars')))).code).to.equal('INVALID_CLIENT_ORDER_ID');
    expect((await rejects(t.broker.submitOrder(intent('a'.repeat(33))))).code).to.equal('INVALID_CLIENT_ORDER_ID');
    expect(t.journal.orders()).to.have.length(0);
    expect(t.venue.submitCalls).to.have.length(0);
    t.store.close();
  });

  it('F05: when the intent cannot be persisted, nothing is sent', async function () {
    if (mode === 'batch') this.skip(); // batch mode holds intents in memory by design (replay only)
    // process durability writes the intent to the journal log: make write(2) fail like a full disk
    // (the segment written by write(2); a mapped one has its disk space reserved when it is opened,
    // so the store of a frame cannot fail: `journal-log.spec`, a full disk when a segment is opened)
    process.env['TRADEWIRE_NATIVE_MMAP'] = '0';
    let t: ReturnType<typeof setup>;
    try { t = setup(); } finally { delete process.env['TRADEWIRE_NATIVE_MMAP']; }
    const write = fs.writeSync;
    fs.writeSync = () => { throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }); };
    syncBuiltinESMExports();
    try {
      const e = await rejects(t.broker.submitOrder(intent('twF5')));
      expect(e.code).to.equal('STATE_WRITE_FAILED');
      expect(t.venue.submitCalls).to.have.length(0);
    } finally {
      fs.writeSync = write;
      syncBuiltinESMExports();
    }
    t.store.close();
  });

  it('F05 (direct commits, as in power durability): when the intent cannot be committed, nothing is sent', async function () {
    if (mode === 'batch') this.skip();
    const clock = new SimulatedClock(1_000);
    const store = StateStore.open({ stateDir: tempDir(), clock });
    const venue = new FakeVenue();
    const broker = new JournalBroker(venue, { journal: new OrderJournal(store, { direct: true }), clock, logger: silentLogger });
    store.db.pragma('query_only = 1'); // every write now fails, like a full disk
    const e = await rejects(broker.submitOrder(intent('twF5')));
    expect(e.code).to.equal('STATE_WRITE_FAILED');
    expect(venue.submitCalls).to.have.length(0);
    store.db.pragma('query_only = 0');
    store.close();
  });

  it('F19: a duplicate fill (same execution id) is applied once and listeners see it once', async () => {
    const t = setup();
    await t.broker.submitOrder(intent('twD1', { quantity: 10 }));
    const f = t.venue.fill('twD1', 4, 100);
    t.venue.redeliver(f);
    t.venue.redeliver(f);
    expect(t.fills.map((x) => x.executionId)).to.deep.equal([f.executionId]);
    expect(t.broker.stats.fillsDuplicate).to.equal(2);
    const o = t.journal.getOrder('twD1');
    expect(o?.filledQuantity).to.equal(4);
    expect(o?.status).to.equal('PARTIALLY_FILLED');
    expect(t.journal.positions()[0]?.quantity).to.equal(4);
    t.store.close();
  });

  it("a fill journaled under another id of the same execution (executionIdAliases: an earlier adapter version's naming) is not applied again", async () => {
    const t = setup();
    await t.broker.submitOrder(intent('twA1', { quantity: 10 }));
    const f = t.venue.fill('twA1', 4, 100);
    const renamed = { ...f, executionId: `${f.executionId}x`, executionIdAliases: ['unrelated', f.executionId] };
    t.venue.redeliver(renamed);
    expect(t.fills.map((x) => x.executionId)).to.deep.equal([f.executionId]);
    expect(t.broker.stats.fillsDuplicate).to.equal(1);
    expect(t.journal.knowsFill(renamed)).to.equal(true);
    expect(t.journal.knowsFill({ ...renamed, executionIdAliases: ['unrelated'] })).to.equal(false);
    expect(t.journal.applyFill(renamed).kind).to.equal('duplicate');
    expect(t.journal.getOrder('twA1')?.filledQuantity).to.equal(4);
    expect(t.journal.positions()[0]?.quantity).to.equal(4);
    t.store.close();
  });

  it('F20: a replay of every past execution (session start) adds nothing', async () => {
    const t = setup();
    await t.broker.submitOrder(intent('twP1', { quantity: 10 }));
    await t.broker.submitOrder(intent('twP2', { quantity: 5, side: 'SELL' }));
    t.venue.fill('twP1', 6, 100); t.venue.fill('twP1', 4, 101); t.venue.fill('twP2', 5, 102);
    const before = { fills: t.journal.fillCount(), pos: t.journal.positions(), o1: t.journal.getOrder('twP1') };
    for (const f of t.venue.ledger.fills) t.venue.redeliver(f);
    expect(t.journal.fillCount()).to.equal(3);
    expect(t.journal.positions()).to.deep.equal(before.pos);
    expect(t.journal.getOrder('twP1')).to.deep.equal(before.o1);
    expect(t.journal.positions()[0]?.quantity).to.equal(5);
    expect(t.fills).to.have.length(3);
    t.store.close();
  });

  it('F21: out-of-order events (fill before ack, late SUBMITTED after FILLED) end in the ledger state', async () => {
    const t = setup();
    t.venue.fillOnSubmit = true; // the fill arrives before submitOrder resolves
    await t.broker.submitOrder(intent('twO1', { quantity: 10 }));
    expect(t.journal.getOrder('twO1')?.status).to.equal('FILLED');
    t.venue.emitOrder({ ...t.venue.ledger.orders[0]!, status: 'SUBMITTED', filledQuantity: 0 }); // stale update
    const o = t.journal.getOrder('twO1');
    expect(o?.status).to.equal('FILLED');
    expect(o?.filledQuantity).to.equal(10);
    expect(o?.orderId).to.equal(t.venue.ledger.orders[0]?.orderId);
    t.store.close();
  });

  it('F22: an overfill is flagged (order marked, anomaly raised)', async () => {
    const t = setup();
    await t.broker.submitOrder(intent('twV1', { quantity: 10 }));
    t.venue.fill('twV1', 10, 100);
    t.venue.emitFill({ executionId: 'EXTRA1', orderId: 'x', clientOrderId: 'twV1', asset: 'AAPL', side: 'BUY', quantity: 3, price: 100, commission: 0, timestamp: 2_000, cumulativeQuantity: 13 });
    expect(t.journal.getOrder('twV1')?.overfilled).to.equal(true);
    expect(t.anomalies.map((a) => a.code)).to.deep.equal(['OVERFILL']);
    t.store.close();
  });

  it('order updates for orders the journal never saw are adopted as external', async () => {
    const t = setup();
    t.venue.emitOrder({ orderId: 'M1', clientOrderId: 'manual1', asset: 'MSFT', side: 'SELL', quantity: 3, orderType: 'LIMIT', timeInForce: 'GTC', status: 'SUBMITTED', filledQuantity: 0, avgFillPrice: 0, createdAt: 1, updatedAt: 1 });
    const o = t.journal.getOrder('manual1');
    expect(o?.external).to.equal(true);
    expect(o?.tag).to.equal('EXTERNAL');
    t.store.close();
  });

  it('an external order reported filled before its fills arrive counts each fill once (no false overfill)', async () => {
    const t = setup();
    t.venue.emitOrder({ orderId: 'M2', clientOrderId: 'manual2', asset: 'MSFT', side: 'BUY', quantity: 3, orderType: 'MARKET', timeInForce: 'DAY', status: 'FILLED', filledQuantity: 3, avgFillPrice: 50, createdAt: 1, updatedAt: 1 });
    t.venue.emitFill({ executionId: 'M2E1', orderId: 'M2', clientOrderId: 'manual2', asset: 'MSFT', side: 'BUY', quantity: 1, price: 49, commission: 0, timestamp: 2_000, cumulativeQuantity: 1 });
    t.venue.emitFill({ executionId: 'M2E2', orderId: 'M2', clientOrderId: 'manual2', asset: 'MSFT', side: 'BUY', quantity: 2, price: 50.5, commission: 0, timestamp: 2_001, cumulativeQuantity: 3 });
    const o = t.journal.getOrder('manual2');
    expect([o?.status, o?.filledQuantity, o?.avgFillPrice, o?.overfilled]).to.deep.equal(['FILLED', 3, 50, false]);
    expect(t.anomalies).to.deep.equal([]);
    // fills journaled before the adoption (a reconciliation applies fills first) are counted in it
    t.venue.emitFill({ executionId: 'M3E1', orderId: 'M3', clientOrderId: 'manual3', asset: 'MSFT', side: 'SELL', quantity: 2, price: 51, commission: 0, timestamp: 2_002 });
    t.venue.emitOrder({ orderId: 'M3', clientOrderId: 'manual3', asset: 'MSFT', side: 'SELL', quantity: 5, orderType: 'LIMIT', timeInForce: 'DAY', status: 'PARTIALLY_FILLED', filledQuantity: 2, avgFillPrice: 51, createdAt: 1, updatedAt: 1 });
    expect(t.journal.getOrder('manual3')).to.deep.include({ filledQuantity: 2, avgFillPrice: 51, overfilled: false });
    t.store.close();
  });

  it('closePosition goes through the journal with a generated id', async () => {
    const t = setup();
    await t.broker.submitOrder(intent('twC1', { quantity: 7 }));
    t.venue.fill('twC1', 7, 100);
    const o = await t.broker.closePosition('AAPL');
    expect(o?.side).to.equal('SELL');
    expect(o?.quantity).to.equal(7);
    expect(t.journal.getOrder(o!.clientOrderId)?.reduceOnly).to.equal(true);
    t.store.close();
  });

  it('journal state survives a reopen (statuses, fills, positions)', async () => {
    const t = setup();
    await t.broker.submitOrder(intent('twS1', { quantity: 10 }));
    t.venue.fill('twS1', 10, 100);
    t.store.close();
    const store = StateStore.open({ stateDir: t.dir, durability: mode });
    const j = new OrderJournal(store);
    expect(j.getOrder('twS1')?.status).to.equal('FILLED');
    expect(j.fills('twS1').map((f) => f.quantity)).to.deep.equal([10]);
    expect(j.positions().map((p) => [p.asset, p.quantity])).to.deep.equal([['AAPL', 10]]);
    store.close();
  });
});
