import { expect } from 'chai';
import { PaperBroker, SimulatedClock, silentLogger, type Fill, type Order, type OrderIntent } from '@tradewire/core';
import { bar, flat } from './helpers.js';

let seq = 0;
function intent(p: Partial<OrderIntent> & { side: 'BUY' | 'SELL'; quantity: number }): OrderIntent {
  return { clientOrderId: `t${++seq}`, asset: 'AAA', orderType: 'MARKET', timeInForce: 'GTC', createdAt: 0, ...p };
}

async function paper(cfg: Record<string, unknown> = {}) {
  const clock = new SimulatedClock(0);
  const b = new PaperBroker({ initialCash: 100_000, ...cfg }, clock, silentLogger);
  await b.connect();
  const fills: Fill[] = [];
  const updates: Order[] = [];
  b.onFill((f) => fills.push(f));
  b.onOrderUpdate((o) => updates.push(o));
  const feed = (ev: ReturnType<typeof bar>): void => { clock.set(ev[0]); b.onMarketData(ev[0], ev[1], ev[2]); };
  return { b, clock, fills, updates, feed };
}

describe('PaperBroker', () => {
  it('applies slippage (bps) and commission (per share with minimum)', async () => {
    const { b, fills, feed } = await paper({ slippageBps: 10, commission: { perShare: 0.01, minimum: 2 } });
    feed(flat(0, 100));
    await b.submitOrder(intent({ side: 'BUY', quantity: 100 }));
    expect(fills[0]!.price).to.be.closeTo(100.1, 1e-9);
    expect(fills[0]!.commission).to.equal(2); // 100 × 0.01 = 1 < minimum 2
    expect(await b.getCash()).to.be.closeTo(100_000 - 100 * 100.1 - 2, 1e-6);
    await b.submitOrder(intent({ side: 'SELL', quantity: 300 }));
    expect(fills[1]!.price).to.be.closeTo(99.9, 1e-9);
    expect(fills[1]!.commission).to.be.closeTo(3, 1e-9);
  });

  it('rests a limit buy below the market and fills it when a bar trades through, at min(limit, open)', async () => {
    const { b, fills, feed } = await paper();
    feed(flat(0, 100));
    const o = await b.submitOrder(intent({ side: 'BUY', quantity: 10, orderType: 'LIMIT', limitPrice: 98 }));
    expect(o.status).to.equal('SUBMITTED');
    expect((await b.getPendingOrders()).map((x) => x.clientOrderId)).to.deep.equal([o.clientOrderId]);
    feed(bar(1, 99.5, 100, 98.5, 99)); // low 98.5 > 98: no fill
    expect(fills).to.have.length(0);
    feed(bar(2, 97, 99, 96, 98.5)); // opens below the limit: fills at the open
    expect(fills[0]!.price).to.equal(97);
    expect((await b.getOrder(o.clientOrderId))!.status).to.equal('FILLED');
  });

  it('triggers a sell stop on the bar low and a stop-limit only within its limit', async () => {
    const { b, fills, feed } = await paper();
    feed(flat(0, 100));
    await b.submitOrder(intent({ side: 'BUY', quantity: 20 }));
    const stop = await b.submitOrder(intent({ side: 'SELL', quantity: 10, orderType: 'STOP', stopPrice: 95 }));
    const sl = await b.submitOrder(intent({ side: 'SELL', quantity: 10, orderType: 'STOP_LIMIT', stopPrice: 95, limitPrice: 94.5 }));
    feed(bar(1, 99, 99, 96, 97));
    expect(fills).to.have.length(1);
    feed(bar(2, 96, 96, 94, 94.2)); // trades through 95: stop fills at 95; stop-limit triggers, low 94 ≤ … sell limit needs high ≥ 94.5: fills at max(94.5, open 96)= 96? open is 96 ≥ limit
    const byId = new Map(fills.map((f) => [f.clientOrderId, f]));
    expect(byId.get(stop.clientOrderId)!.price).to.equal(95);
    expect(byId.get(sl.clientOrderId)!.price).to.equal(96);
  });

  it('caps fills at a fraction of bar volume: partial then filled, avg price exact', async () => {
    const { b, fills, updates, feed } = await paper({ maxVolumeFraction: 0.1 });
    feed(flat(0, 100, 500)); // cap 50 now
    const o = await b.submitOrder(intent({ side: 'BUY', quantity: 120 }));
    expect(o.status).to.equal('PARTIALLY_FILLED');
    expect(o.filledQuantity).to.equal(50);
    feed(flat(1, 102, 500));
    feed(flat(2, 104, 500));
    expect(fills.map((f) => f.quantity)).to.deep.equal([50, 50, 20]);
    const last = updates.filter((u) => u.clientOrderId === o.clientOrderId).at(-1)!;
    expect(last.status).to.equal('FILLED');
    expect(last.avgFillPrice).to.be.closeTo((50 * 100 + 50 * 102 + 20 * 104) / 120, 1e-9);
  });

  it('flips a long into a short with realized P&L, and back', async () => {
    const { b, feed } = await paper();
    feed(flat(0, 100));
    await b.submitOrder(intent({ side: 'BUY', quantity: 10 }));
    feed(flat(1, 110));
    await b.submitOrder(intent({ side: 'SELL', quantity: 25 }));
    let p = (await b.getPosition('AAA'))!;
    expect(p.quantity).to.equal(-15);
    expect(p.avgEntryPrice).to.equal(110);
    expect(p.realizedPnl).to.equal(100);
    feed(flat(2, 100));
    await b.submitOrder(intent({ side: 'BUY', quantity: 15 }));
    expect(await b.getPosition('AAA')).to.equal(undefined);
    expect(await b.getCash()).to.be.closeTo(100_000 + 100 + 150, 1e-9);
  });

  it('rejects on insufficient buying power (cash account) and honours margin', async () => {
    const { b, updates, feed } = await paper({ initialCash: 1000 });
    feed(flat(0, 100));
    try { await b.submitOrder(intent({ side: 'BUY', quantity: 11 })); expect.fail(); } catch (e) { expect((e as { code: string }).code).to.equal('INSUFFICIENT_FUNDS'); }
    expect(updates.at(-1)!.status).to.equal('REJECTED');
    const m = await paper({ initialCash: 1000, marginRequirement: 0.5 });
    m.feed(flat(0, 100));
    expect((await m.b.submitOrder(intent({ side: 'BUY', quantity: 20 }))).status).to.equal('FILLED');
  });

  it('expires IOC remainder and GTD orders; cancels resting orders once', async () => {
    const { b, feed } = await paper();
    feed(flat(0, 100));
    const ioc = await b.submitOrder(intent({ side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 90, timeInForce: 'IOC' }));
    expect(ioc.status).to.equal('CANCELLED');
    const gtd = await b.submitOrder(intent({ side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 90, timeInForce: 'GTD', expireAt: flat(2, 0)[0] }));
    feed(flat(1, 100));
    expect((await b.getOrder(gtd.clientOrderId))!.status).to.equal('SUBMITTED');
    feed(flat(2, 100));
    expect((await b.getOrder(gtd.clientOrderId))!.status).to.equal('EXPIRED');
    const rest = await b.submitOrder(intent({ side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 90 }));
    expect(await b.cancelOrder(rest.clientOrderId)).to.equal(true);
    expect(await b.cancelOrder(rest.clientOrderId)).to.equal(false);
    expect(await b.cancelOrder('unknown')).to.equal(false);
  });
});
