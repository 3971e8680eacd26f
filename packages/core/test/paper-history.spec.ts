import { expect } from 'chai';
import { AccountView, IdIndex, PaperBroker, SimulatedClock, seededRandom, silentLogger, type Fill, type Order, type OrderIntent } from '@tradewire/core';
import { flat } from './helpers.js';

let seq = 0;
const intent = (p: Partial<OrderIntent> & { side: 'BUY' | 'SELL'; quantity: number }): OrderIntent =>
  ({ clientOrderId: `h${++seq}`, asset: 'AAA', orderType: 'MARKET', timeInForce: 'GTC', createdAt: 0, ...p });

describe('IdIndex', () => {
  it('agrees with a Map over random sets, deletes and lookups (collisions, wrap-around, backward-shift deletes)', () => {
    const rnd = seededRandom(7);
    const idx = new IdIndex(64);
    const model = new Map<string, number>();
    for (let step = 0; step < 50_000; step++) {
      const id = `o${Math.floor(rnd() * 150)}`;
      const r = rnd();
      if (r < 0.45 && (model.size < 64 || model.has(id))) { idx.set(id, step); model.set(id, step); }
      else if (r < 0.75) expect(idx.delete(id)).to.equal(model.delete(id));
      else expect(idx.get(id)).to.equal(model.get(id) ?? -1);
      expect(idx.size).to.equal(model.size);
    }
    for (const [id, v] of model) expect(idx.get(id)).to.equal(v);
    idx.clear();
    expect(idx.size).to.equal(0);
    expect(idx.has([...model.keys()][0] ?? 'o1')).to.equal(false);
  });

  it('refuses more ids than its capacity, naming it', () => {
    const idx = new IdIndex(2);
    idx.set('a', 1); idx.set('b', 2); idx.set('a', 3);
    expect(() => idx.set('c', 4)).to.throw(RangeError, /full \(2 ids\)/);
    expect(idx.get('a')).to.equal(3);
  });
});

describe('PaperBroker history (historyLimit)', () => {
  async function broker(historyLimit: number) {
    const clock = new SimulatedClock(0);
    const b = new PaperBroker({ initialCash: 1e9, historyLimit }, clock, silentLogger);
    await b.connect();
    const updates = new Map<string, Order>();
    const fills: Fill[] = [];
    b.onOrderUpdate((o) => updates.set(o.clientOrderId, { ...o }));
    b.onFill((f) => fills.push({ ...f }));
    let i = 0;
    const bar = (p: number): void => { const ev = flat(i++, p); clock.set(ev[0]); b.onMarketData(ev[0], ev[1], ev[2]); };
    return { b, clock, updates, fills, bar };
  }

  it('keeps the last N finished orders and fills exactly as reported, never drops a working order, frees old ids', async () => {
    const { b, updates, fills, bar } = await broker(5);
    bar(100);
    const resting = await b.submitOrder(intent({ side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 50, tag: 'rest' }));
    const ids: string[] = [];
    for (let k = 0; k < 12; k++) {
      bar(100 + k);
      const o = await b.submitOrder(intent({ side: k % 2 === 0 ? 'BUY' : 'SELL', quantity: 1 + k, ...(k === 11 ? { reduceOnly: false } : {}) }));
      ids.push(o.clientOrderId);
    }
    const kept = await b.getOrders();
    // the resting order is the oldest but still working: it stays, and finished orders behind it still go
    expect(kept).to.have.length(5);
    const rest = kept.filter((o) => o.clientOrderId === resting.clientOrderId);
    expect(rest.map((o) => [o.status, o.tag])).to.deep.equal([['SUBMITTED', 'rest']]);
    const done = kept.filter((o) => o.clientOrderId !== resting.clientOrderId);
    expect(done.map((o) => o.clientOrderId)).to.deep.equal(ids.slice(-4));
    for (const o of done) expect(o).to.deep.equal(updates.get(o.clientOrderId)); // every field, optional ones absent
    expect(await b.getOrder(ids[0]!)).to.equal(undefined);
    expect(await b.getOrder(ids[11]!)).to.deep.equal(updates.get(ids[11]!));
    expect(await b.getFills()).to.deep.equal(fills.slice(-5));
    expect((await b.getFills(fills.at(-2)!.timestamp)).map((f) => f.executionId)).to.deep.equal(fills.slice(-2).map((f) => f.executionId));
    // an id dropped from the history is free again at this venue; one still held is not
    await b.submitOrder({ ...intent({ side: 'BUY', quantity: 1 }), clientOrderId: ids[0]! });
    await b.submitOrder({ ...intent({ side: 'BUY', quantity: 1 }), clientOrderId: ids[11]! }).then(() => expect.fail('duplicate accepted'), (e: { code?: string }) => expect(e.code).to.match(/DUPLICATE/));
    expect(await b.cancelOrder(resting.clientOrderId)).to.equal(true);
    expect((await b.getOrder(resting.clientOrderId))!.status).to.equal('CANCELLED');
  });

  it('with more working orders than the limit: keeps every working order, still drops finished ones', async () => {
    const { b, bar } = await broker(3);
    bar(100);
    const resting: string[] = [];
    for (let k = 0; k < 20; k++) resting.push((await b.submitOrder(intent({ side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 50 - k }))).clientOrderId);
    const filled: string[] = [];
    for (let k = 0; k < 30; k++) filled.push((await b.submitOrder(intent({ side: 'BUY', quantity: 1 }))).clientOrderId);
    const kept = new Set((await b.getOrders()).map((o) => o.clientOrderId));
    for (const id of resting) expect(kept.has(id), id).to.equal(true);
    expect(filled.filter((id) => kept.has(id)).length).to.be.at.most(3);
    expect(kept.has(filled.at(-1)!)).to.equal(true);
    expect(await b.getPendingOrders()).to.have.length(20);
    for (const id of resting) expect(await b.cancelOrder(id)).to.equal(true);
    expect(await b.getPendingOrders()).to.have.length(0);
  });

  it('ids in any order (growing, repeated, shorter, interleaved): duplicates refused exactly while held, lookups agree with the book', async () => {
    // the history indexes ids lazily and takes an id that sorts after every earlier one as new
    // without a lookup: mix ids that grow, ids that do not, duplicates, resting orders and lookups
    for (const limit of [4, 7, 1000]) {
      const rnd = seededRandom(limit);
      const { b, updates, bar } = await broker(limit);
      bar(100);
      let counter = 0;
      const used: string[] = [];
      for (let step = 0; step < 600; step++) {
        const r = rnd();
        const id = r < 0.5 ? `g${++counter}` : r < 0.7 ? `x${Math.floor(rnd() * 40)}` : r < 0.85 && used.length > 0 ? used[Math.floor(rnd() * used.length)]! : `z${Math.floor(rnd() * 1e6)}`;
        // below the limit nothing is dropped, so the ids used are exactly the ids held; past it,
        // ask the venue now and then (a lookup brings the index up to date: not on every step)
        const held = limit === 1000 ? used.includes(id) : rnd() < 0.3 ? (await b.getOrder(id)) !== undefined : undefined;
        const resting = rnd() < 0.3;
        const sent = b.submitOrder({ ...intent({ side: 'BUY', quantity: 1, ...(resting ? { orderType: 'LIMIT', limitPrice: 50 } : {}) }), clientOrderId: id });
        const accepted = await sent.then(() => true, (e: { code?: string }) => { expect(e.code).to.match(/DUPLICATE/); return false; });
        if (held !== undefined) expect(accepted, `${id} (limit ${limit}, step ${step})`).to.equal(!held);
        if (accepted) used.push(id);
        if (rnd() < 0.3) expect(await b.getOrder(id), id).to.not.equal(undefined); // just sent, or refused because held
        if (rnd() < 0.1) {
          const open = await b.getPendingOrders();
          if (open.length > 0) expect(await b.cancelOrder(open[Math.floor(rnd() * open.length)]!.clientOrderId)).to.equal(true);
        }
        if (step % 50 === 49) {
          const book = await b.getOrders();
          expect(new Set(book.map((o) => o.clientOrderId)).size).to.equal(book.length);
          for (const o of book) expect(await b.getOrder(o.clientOrderId)).to.deep.equal(updates.get(o.clientOrderId));
          const inBook = new Set(book.map((o) => o.clientOrderId));
          for (const u of used) expect((await b.getOrder(u)) !== undefined, u).to.equal(inBook.has(u));
          if (limit === 1000) expect(book.length).to.equal(new Set(used).size); // nothing dropped below the limit
        }
      }
      for (const o of await b.getPendingOrders()) await b.cancelOrder(o.clientOrderId);
    }
  });

  it('restores from its own getOrders/getFills to the same books', async () => {
    const a = await broker(100);
    a.bar(100);
    await a.b.submitOrder(intent({ side: 'BUY', quantity: 10 }));
    await a.b.submitOrder(intent({ side: 'BUY', quantity: 3, orderType: 'LIMIT', limitPrice: 90, timeInForce: 'GTD', expireAt: 9e15 }));
    a.bar(101);
    await a.b.submitOrder(intent({ side: 'SELL', quantity: 4 }));
    const orders = await a.b.getOrders();
    const fills = await a.b.getFills();
    const c = await broker(100);
    await c.b.disconnect();
    c.b.restoreHistory(orders, fills);
    await c.b.connect();
    expect(await c.b.getOrders()).to.deep.equal(orders);
    expect(await c.b.getFills()).to.deep.equal(fills);
    expect(await c.b.getPositions()).to.deep.equal(await a.b.getPositions());
    expect(await c.b.getPendingOrders()).to.have.length(1);
  });
});

describe('AccountView finished-order memory', () => {
  const order = (id: string, status: Order['status'], filled = 0): Order => ({
    orderId: `V${id}`, clientOrderId: id, asset: 'AAA', side: 'BUY', quantity: 1, orderType: 'MARKET', timeInForce: 'DAY',
    status, filledQuantity: filled, avgFillPrice: filled ? 10 : 0, createdAt: 0, updatedAt: 0,
  });
  const fill = (id: string, exec: string): Fill => ({ executionId: exec, orderId: `V${id}`, clientOrderId: id, asset: 'AAA', side: 'BUY', quantity: 1, price: 10, commission: 0, timestamp: 0 });

  it('ignores late updates and replayed fills of finished orders across generations, forgets the oldest', () => {
    const v = new AccountView(10); // remembers between 4096 and 8192 finished orders
    const n = AccountView.TERMINAL_MEMORY * 2 + 10;
    for (let k = 0; k < n; k++) {
      const id = `c${k}`;
      expect(v.onOrderUpdate(order(id, 'SUBMITTED'))).to.equal(true);
      expect(v.onFill(fill(id, `e${k}`))).to.equal(true);
      expect(v.onOrderUpdate(order(id, 'FILLED', 1))).to.equal(true);
    }
    expect(v.position('AAA')).to.equal(n);
    const recent = `c${n - 1}`;
    expect(v.onOrderUpdate(order(recent, 'SUBMITTED'))).to.equal(false); // late: stays finished
    expect(v.openOrderCount).to.equal(0);
    expect(v.onFill(fill(recent, `e${n - 1}`))).to.equal(false); // replayed execution
    expect(v.onFill(fill(recent, 'e-late'))).to.equal(true); // a new execution after the order finished still counts
    expect(v.onFill(fill(recent, 'e-late'))).to.equal(false);
    expect(v.position('AAA')).to.equal(n + 1);
    // the very first order is beyond the memory: an update for it is taken as news
    expect(v.onOrderUpdate(order('c0', 'SUBMITTED'))).to.equal(true);
  });
});
