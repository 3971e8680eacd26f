/** TB01–TB09: market, position changes, partial fills, limits, stops. */
import { expect } from 'chai';
import { cashDelta, close, expectFillsMatchLedger, fillsFor, intent, ledger, positionOf, trade, waitFills, waitOrder, filled, type Get } from './common.js';
import { settle } from '../eventually.js';

export function orderCases(get: Get): void {
  it('TB01 market buy from flat: FILLED, one fill per execution, position +q, cash −(q·price + commission)', async () => {
    const c = get();
    const cash0 = await c.h.broker.getCash();
    close(cash0, c.h.startingCash, 'starting cash');
    expect(await c.h.broker.getPositions(), 'flat at start').to.deep.equal([]);
    const { order, fills, intent: i } = await trade(c, { side: 'BUY', quantity: 10 });
    expect(order.filledQuantity).to.equal(10);
    close(order.avgFillPrice, 100, 'avg fill price');
    expect(await positionOf(c)).to.equal(10);
    close(await c.h.broker.getCash(), cash0 + cashDelta(fills), 'adapter cash');
    const l = await ledger(c);
    expect(l.order(i.clientOrderId)?.state).to.equal('filled');
    expect(l.position(c.h.asset)).to.equal(10);
    close(l.cash, cash0 + cashDelta(fills), 'venue cash');
    expectFillsMatchLedger(c, l, i.clientOrderId);
    const updates = c.orders.filter((o) => o.clientOrderId === i.clientOrderId);
    expect(updates.filter((o) => o.status === 'FILLED').length, 'one FILLED update').to.be.at.least(1);
  });

  it('TB02 market sell from flat opens a short', async function () {
    const c = get();
    if (!c.h.broker.capabilities.shorting) this.skip();
    const { intent: i } = await trade(c, { side: 'SELL', quantity: 5 });
    expect(await positionOf(c)).to.equal(-5);
    const l = await ledger(c);
    expect(l.position(c.h.asset)).to.equal(-5);
    expectFillsMatchLedger(c, l, i.clientOrderId);
  });

  it('TB03 closePosition from long and from short: flat, realized P&L in cash', async function () {
    const c = get();
    const cash0 = await c.h.broker.getCash();
    const open = await trade(c, { side: 'BUY', quantity: 10 });
    await c.h.venue.setPrice(c.h.asset, 110);
    const ack = await c.h.broker.closePosition(c.h.asset);
    expect(ack, 'closePosition returns the order').to.not.equal(undefined);
    if (!ack) return;
    await waitOrder(c, ack.clientOrderId, filled, 'FILLED');
    expect(ack.side).to.equal('SELL');
    expect(await positionOf(c)).to.equal(0);
    const closeFills = await waitFills(c, ack.clientOrderId, 10);
    const realized = cashDelta([...open.fills, ...closeFills]);
    close(await c.h.broker.getCash(), cash0 + realized, 'cash after round trip');
    expect(realized + open.fills.concat(closeFills).reduce((s, f) => s + f.commission, 0)).to.be.closeTo(100, 1e-6); // 10 × (110 − 100)
    expect((await ledger(c)).position(c.h.asset)).to.equal(0);
    expect(await c.h.broker.closePosition(c.h.asset), 'flat: nothing to close').to.equal(undefined);
    if (!c.h.broker.capabilities.shorting) return;
    await trade(c, { side: 'SELL', quantity: 4 });
    const ack2 = await c.h.broker.closePosition(c.h.asset);
    expect(ack2?.side).to.equal('BUY');
    if (ack2) await waitOrder(c, ack2.clientOrderId, filled, 'FILLED');
    expect(await positionOf(c)).to.equal(0);
    expect((await ledger(c)).position(c.h.asset)).to.equal(0);
  });

  it('TB04 reverse long → short in one order', async function () {
    const c = get();
    if (!c.h.broker.capabilities.shorting) this.skip();
    await trade(c, { side: 'BUY', quantity: 10 });
    const { intent: i } = await trade(c, { side: 'SELL', quantity: 25 });
    expect(await positionOf(c)).to.equal(-15);
    const l = await ledger(c);
    expect(l.position(c.h.asset)).to.equal(-15);
    expect([...l.orders.values()].filter((o) => o.clientOrderId === i.clientOrderId)).to.have.length(1);
  });

  it('TB05 add to a position: average entry is the weighted average', async () => {
    const c = get();
    await trade(c, { side: 'BUY', quantity: 10 });
    await c.h.venue.setPrice(c.h.asset, 110);
    await trade(c, { side: 'BUY', quantity: 30 });
    const p = await c.h.broker.getPosition(c.h.asset);
    expect(p?.quantity).to.equal(40);
    close(p?.avgEntryPrice ?? NaN, (10 * 100 + 30 * 110) / 40, 'average entry');
    expect((await ledger(c)).position(c.h.asset)).to.equal(40);
  });

  it('TB06 partial fills: PARTIALLY_FILLED then FILLED, exact quantities and VWAP, one event per execution', async function () {
    const c = get();
    if (!c.h.broker.capabilities.partialFills) this.skip();
    await c.h.venue.setPrice(c.h.asset, 100, 4);
    const i = intent(c, { side: 'BUY', quantity: 10 });
    await c.h.broker.submitOrder(i);
    const part = await waitOrder(c, i.clientOrderId, (o) => o.status === 'PARTIALLY_FILLED', 'PARTIALLY_FILLED');
    expect(part.filledQuantity).to.equal(4);
    await c.h.venue.setPrice(c.h.asset, 102, 1_000);
    const done = await waitOrder(c, i.clientOrderId, filled, 'FILLED');
    expect(done.filledQuantity).to.equal(10);
    const fills = await waitFills(c, i.clientOrderId, 10);
    const vwap = fills.reduce((s, f) => s + f.quantity * f.price, 0) / 10;
    close(done.avgFillPrice, vwap, 'avgFillPrice = VWAP of fills');
    expect(fills.length).to.be.at.least(2);
    expect(c.orders.some((o) => o.clientOrderId === i.clientOrderId && o.status === 'PARTIALLY_FILLED'), 'a PARTIALLY_FILLED update was pushed').to.equal(true);
    expectFillsMatchLedger(c, await ledger(c), i.clientOrderId);
  });

  it('TB07 limit buy below the market rests: SUBMITTED, pending, no fill', async () => {
    const c = get();
    const i = intent(c, { side: 'BUY', quantity: 5, limitPrice: 90 });
    const ack = await c.h.broker.submitOrder(i);
    expect(ack.status).to.equal('SUBMITTED');
    await settle(100);
    expect((await c.h.broker.getPendingOrders()).map((o) => o.clientOrderId)).to.include(i.clientOrderId);
    expect(fillsFor(c, i.clientOrderId)).to.have.length(0);
    const l = await ledger(c);
    expect(l.order(i.clientOrderId)?.state).to.equal('open');
    expect(l.executionsFor(i.clientOrderId)).to.have.length(0);
  });

  it('TB08 limit fills when crossed (at the limit or better), and a marketable limit fills at once', async () => {
    const c = get();
    const i = intent(c, { side: 'BUY', quantity: 5, limitPrice: 95 });
    await c.h.broker.submitOrder(i);
    await c.h.venue.setPrice(c.h.asset, 94);
    const o = await waitOrder(c, i.clientOrderId, filled, 'FILLED');
    expect(o.avgFillPrice).to.be.at.most(95);
    const m = await trade(c, { side: 'SELL', quantity: 5, limitPrice: 90 });
    expect(m.order.avgFillPrice).to.be.at.least(90);
    const l = await ledger(c);
    expect(l.order(i.clientOrderId)?.state).to.equal('filled');
    expectFillsMatchLedger(c, l, i.clientOrderId);
  });

  it('TB09 stop and stop-limit wait for the trigger, then fill', async function () {
    const c = get();
    if (!c.h.broker.capabilities.orderTypes.includes('STOP') || !c.h.broker.capabilities.orderTypes.includes('STOP_LIMIT')) this.skip();
    const stop = intent(c, { side: 'BUY', quantity: 3, stopPrice: 105 });
    expect((await c.h.broker.submitOrder(stop)).status).to.equal('SUBMITTED');
    await settle(50);
    expect(fillsFor(c, stop.clientOrderId)).to.have.length(0);
    await c.h.venue.setPrice(c.h.asset, 106);
    const s = await waitOrder(c, stop.clientOrderId, filled, 'FILLED');
    expect(s.avgFillPrice).to.be.at.least(105);
    const sl = intent(c, { side: 'SELL', quantity: 3, stopPrice: 95, limitPrice: 94 });
    expect((await c.h.broker.submitOrder(sl)).status).to.equal('SUBMITTED');
    await c.h.venue.setPrice(c.h.asset, 94.5);
    const x = await waitOrder(c, sl.clientOrderId, filled, 'FILLED');
    expect(x.avgFillPrice).to.be.at.least(94);
    const l = await ledger(c);
    expect(l.order(stop.clientOrderId)?.state).to.equal('filled');
    expect(l.order(sl.clientOrderId)?.state).to.equal('filled');
  });
}

