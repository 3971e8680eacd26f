import { expect } from 'chai';
import { OrderJournal, PersistentClientOrderIdGenerator, StateStore, SimulatedClock, seededRandom, type Fill, type OrderStatus } from '@tradewire/core';
import { cleanupTempDirs, intent, tempDir } from './helpers.js';

/** A seeded PRNG so a failing sequence replays from its seed. */
const rng = seededRandom;

const STATUSES: OrderStatus[] = ['SUBMITTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'UNKNOWN'];

describe("write-behind journal (durability 'batch', and 'process' with its log) behaves like the synchronous journal", () => {
  afterEach(cleanupTempDirs);

  // batches of 5 ops: many drains and evictions; of 400: rows go through the multi-row statements (32 rows a call)
  for (const [seed, mode, batchOps] of [[1, 'batch', 5], [7, 'batch', 5], [42, 'batch', 5], [3, 'process', 5], [42, 'process', 5], [11, 'batch', 400], [5, 'process', 400]] as const) {
    it(`random op sequence (seed ${seed}, ${mode}, ${batchOps} ops a batch): orders, fills, positions, journal rows and dedup outcomes are identical to direct commits`, () => {
      const clock = new SimulatedClock(1_000);
      const a = StateStore.open({ stateDir: tempDir(), clock });
      const b = StateStore.open({ stateDir: tempDir(), clock, durability: mode });
      const ja = new OrderJournal(a, { direct: true }); // the reference: one commit per write
      const jb = new OrderJournal(b, { batchOps });
      const r = rng(seed);
      const fills: Fill[] = [];
      let n = 0;
      const outcomes: [string, string][] = [];
      for (let step = 0; step < 1500; step++) {
        clock.advance(10);
        const x = r();
        const k = n === 0 ? 0 : Math.floor(r() * n);
        const cid = `tw${k}`;
        if (x < 0.25 || n === 0) {
          const i = intent(`tw${n++}`, { quantity: 1 + Math.floor(r() * 5), side: r() < 0.5 ? 'BUY' : 'SELL', asset: r() < 0.5 ? 'AAPL' : 'MSFT', createdAt: clock.now() });
          ja.recordIntent(i); jb.recordIntent(i);
        } else if (x < 0.45) {
          const st = STATUSES[Math.floor(r() * STATUSES.length)]!;
          const o = { orderId: `V${k}`, kind: r() < 0.5 ? 'ACK' : 'UPDATE' };
          outcomes.push([String(ja.recordStatus(cid, st, o)), String(jb.recordStatus(cid, st, o))]);
        } else if (x < 0.5) {
          const st = STATUSES[Math.floor(r() * STATUSES.length)]!;
          ja.recordStatus(cid, st, { authoritative: true, kind: 'RECONCILE', reason: 'venue' });
          jb.recordStatus(cid, st, { authoritative: true, kind: 'RECONCILE', reason: 'venue' });
        } else if (x < 0.85) {
          const o = ja.getOrder(cid)!;
          const f: Fill = { executionId: `E${fills.length}`, orderId: `V${k}`, clientOrderId: cid, asset: o.asset, side: o.side, quantity: 1, price: 100 + Math.floor(r() * 10), commission: 0, timestamp: clock.now() };
          fills.push(f);
          const ra = ja.applyFill(f); const rb = jb.applyFill(f);
          outcomes.push([JSON.stringify(ra), JSON.stringify(rb)]);
        } else if (fills.length > 0) {
          const f = fills[Math.floor(r() * fills.length)]!; // a duplicate delivery
          outcomes.push([JSON.stringify(ja.applyFill(f)), JSON.stringify(jb.applyFill(f))]);
        }
        if (step % 500 === 499) expect(jb.orders().length).to.equal(ja.orders().length); // reads in the middle force a sync
      }
      expect(outcomes.filter(([p, q]) => p !== q)).to.deep.equal([]);
      const strip = (o: ReturnType<OrderJournal['orders']>[number]): unknown => ({ ...o, updatedAt: 0, submittedAt: 0 });
      expect(jb.orders().map(strip)).to.deep.equal(ja.orders().map(strip));
      expect(jb.fills()).to.deep.equal(ja.fills());
      expect(jb.positions()).to.deep.equal(ja.positions());
      // journal-table rows: the same, but for acks and stream updates (coalesced into the order row)
      const entries = (j: OrderJournal): unknown[] => j.entriesAfter(0).filter((e) => e.kind !== 'ACK' && e.kind !== 'UPDATE').map((e) => ({ ...e, seq: 0 }));
      expect(entries(jb)).to.deep.equal(entries(ja));
      a.close();
      b.close();
    });
  }

  it('dedup with bounded memory: generated ids and execution ids stay refused after their rows left memory, and after a restart', () => {
    const dir = tempDir();
    const clock = new SimulatedClock(1_000);
    let store = StateStore.open({ stateDir: dir, clock });
    let j = new OrderJournal(store, { batchOps: 7 }); // many batches: terminal orders leave memory, fills are committed
    let ids = new PersistentClientOrderIdGenerator(store, { blockSize: 50 });
    const cids: string[] = [];
    for (let k = 0; k < 300; k++) {
      const cid = ids.next();
      cids.push(cid);
      j.recordIntent(intent(cid, { quantity: 1 }));
      j.recordStatus(cid, 'SUBMITTED', { orderId: `V${k}`, kind: 'ACK' });
      expect(j.applyFill({ executionId: `X${k}`, orderId: `V${k}`, clientOrderId: cid, asset: 'AAPL', side: 'BUY', quantity: 1, price: 10, commission: 0, timestamp: clock.now() }).kind).to.equal('new');
    }
    const refused = (cid: string): string => { try { j.recordIntent(intent(cid)); return 'accepted'; } catch (err) { return (err as { code: string }).code; } };
    const fill = (k: number): string => j.applyFill({ executionId: `X${k}`, orderId: `V${k}`, clientOrderId: cids[k] ?? 'x', asset: 'AAPL', side: 'BUY', quantity: 1, price: 10, commission: 0, timestamp: clock.now() }).kind;
    expect([refused(cids[0]!), refused(cids[150]!), refused(cids[299]!)]).to.deep.equal(['DUPLICATE_CLIENT_ORDER_ID', 'DUPLICATE_CLIENT_ORDER_ID', 'DUPLICATE_CLIENT_ORDER_ID']);
    expect([fill(0), fill(150), fill(299)]).to.deep.equal(['duplicate', 'duplicate', 'duplicate']);
    expect(j.fillCount()).to.equal(300);
    store.close();
    store = StateStore.open({ stateDir: dir, clock });
    j = new OrderJournal(store, { batchOps: 7 });
    ids = new PersistentClientOrderIdGenerator(store, { blockSize: 50 });
    expect([refused(cids[0]!), refused(cids[299]!)]).to.deep.equal(['DUPLICATE_CLIENT_ORDER_ID', 'DUPLICATE_CLIENT_ORDER_ID']);
    expect([fill(0), fill(299), fill(300)]).to.deep.equal(['duplicate', 'duplicate', 'new']);
    const fresh = ids.next();
    expect(refused(fresh)).to.equal('accepted');
    expect(refused(fresh)).to.equal('DUPLICATE_CLIENT_ORDER_ID');
    expect(j.fillCount()).to.equal(301);
    expect(j.orders()).to.have.length(301);
    store.close();
  });

  it('a store write waits until the writer thread has committed the posted batches (no race for the lock between its transactions)', () => {
    const clock = new SimulatedClock(1_000);
    const store = StateStore.open({ stateDir: tempDir(), clock, durability: 'process' });
    const j = new OrderJournal(store, { batchOps: 30 }); // a batch every 10 orders: several in flight
    const ids = new PersistentClientOrderIdGenerator(store, { blockSize: 64 }); // a counter write every 64 orders
    for (let n = 0; n < 3000; n++) {
      const cid = ids.next();
      j.recordIntent(intent(cid));
      j.recordStatus(cid, 'SUBMITTED', { orderId: `V${n}`, kind: 'ACK' });
      j.applyFill({ executionId: `E${n}`, orderId: `V${n}`, clientOrderId: cid, asset: 'AAPL', side: 'BUY', quantity: 10, price: 100, commission: 0, timestamp: clock.now() });
    }
    let busyInside: boolean | undefined;
    store.write(() => { busyInside = store.writerBusy(); });
    expect(busyInside).to.equal(false);
    expect(j.orders().length).to.equal(3000);
    store.close();
  });
});
