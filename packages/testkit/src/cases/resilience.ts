/** TB17, TB19, TB22–TB24: replays, reconnects, account consistency, secrets. */
import { expect } from 'chai';
import { isTradingError } from '@tradewire/core';
import { cashDelta, close, expectFillsMatchLedger, fillsFor, intent, ledger, positionOf, trade, waitFills, waitOrder, filled, type Get } from './common.js';
import { eventually, settle } from '../eventually.js';
import { findSecrets } from '../secrets-canary.js';

export function resilienceCases(get: Get): void {
  it('TB17 replayed executions are applied once', async function () {
    const c = get();
    if (!c.h.venue.replayExecutions) this.skip();
    const { intent: i } = await trade(c, { side: 'BUY', quantity: 6 });
    const before = c.fills.length;
    await c.h.venue.replayExecutions();
    await settle(300);
    expect(c.fills.length, 'no new fill events').to.equal(before);
    expect((await c.h.broker.getOrder(i.clientOrderId))?.filledQuantity).to.equal(6);
    expect(await positionOf(c)).to.equal(6);
    expectFillsMatchLedger(c, await ledger(c), i.clientOrderId);
  });

  it('TB18 a submit whose acknowledgement is lost: UNKNOWN outcome, settled by lookup, one order at the venue', async function () {
    const c = get();
    if (!c.h.venue.loseNextAcknowledgement) this.skip();
    await c.h.venue.loseNextAcknowledgement();
    const i = intent(c, { side: 'BUY', quantity: 3, limitPrice: 90 });
    const err = await c.h.broker.submitOrder(i).then(() => undefined, (e: unknown) => e);
    expect(isTradingError(err) && err.code, 'UnknownOutcomeError').to.equal('UNKNOWN_OUTCOME');
    const o = await waitOrder(c, i.clientOrderId, (x) => x.status === 'SUBMITTED', 'settled as SUBMITTED');
    expect(o.quantity).to.equal(3);
    const l = await ledger(c);
    expect([...l.orders.values()].filter((x) => x.clientOrderId === i.clientOrderId), 'exactly one order at the venue').to.have.length(1);
    expect(await c.h.broker.cancelOrder(i.clientOrderId)).to.equal(true);
    expect((await ledger(c)).order(i.clientOrderId)?.state).to.equal('cancelled');
  });

  it('TB20 execution before acknowledgement, stale acknowledgement after: final state equals the venue', async function () {
    const c = get();
    if (!c.h.venue.reorderNext) this.skip();
    await c.h.venue.reorderNext();
    const { intent: i } = await trade(c, { side: 'BUY', quantity: 2 });
    await settle(200);
    const o = await c.h.broker.getOrder(i.clientOrderId);
    expect(o?.status).to.equal('FILLED');
    expect(o?.filledQuantity).to.equal(2);
    const updates = c.orders.filter((x) => x.clientOrderId === i.clientOrderId);
    expect(updates[updates.length - 1]?.status, 'no update after FILLED moves it back').to.equal('FILLED');
    const l = await ledger(c);
    expect(l.order(i.clientOrderId)?.state).to.equal('filled');
    expectFillsMatchLedger(c, l, i.clientOrderId);
  });

  it('TB19 disconnect and reconnect with a resting order and a fill while down', async function () {
    const c = get();
    const v = c.h.venue;
    if (!v.dropConnection || !v.restoreConnection) this.skip();
    const i = intent(c, { side: 'BUY', quantity: 5, limitPrice: 95 });
    await c.h.broker.submitOrder(i);
    await v.dropConnection();
    await eventually(() => { if (c.h.broker.isConnected()) throw new Error('still connected'); }, c.waitMs);
    await v.setPrice(c.h.asset, 94);
    expect((await ledger(c)).order(i.clientOrderId)?.state, 'filled at the venue while down').to.equal('filled');
    await v.restoreConnection();
    await eventually(async () => { if (!c.h.broker.isConnected()) await c.h.broker.connect(); }, c.waitMs * 2);
    const o = await waitOrder(c, i.clientOrderId, filled, 'FILLED after reconnect');
    expect(o.filledQuantity).to.equal(5);
    await waitFills(c, i.clientOrderId, 5);
    await settle(200);
    expectFillsMatchLedger(c, await ledger(c), i.clientOrderId);
    expect(await positionOf(c)).to.equal(5);
  });

  it('TB21 rate limit: a refused read is retried after the backoff; a refused submit is not replayed blind', async function () {
    const c = get();
    if (!c.h.venue.rateLimitNext) this.skip();
    await trade(c, { side: 'BUY', quantity: 3 });
    await c.h.venue.rateLimitNext('read');
    expect(await positionOf(c), 'the read succeeds after a retry').to.equal(3);
    await c.h.venue.rateLimitNext('submit');
    const i = intent(c, { side: 'BUY', quantity: 1, limitPrice: 90 });
    const err = await c.h.broker.submitOrder(i).then(() => undefined, (e: unknown) => e);
    const atVenue = [...(await ledger(c)).orders.values()].filter((o) => o.clientOrderId === i.clientOrderId);
    if (err !== undefined) {
      expect(isTradingError(err) && err.code, 'a RateLimitError').to.equal('RATE_LIMIT');
      expect(atVenue, 'refused and not resent').to.have.length(0);
    } else {
      expect(atVenue, 'accepted exactly once').to.have.length(1);
    }
  });

  it('TB22 positions, pending orders, cash and account value after a mixed session equal the venue ledger', async () => {
    const c = get();
    const cash0 = await c.h.broker.getCash();
    const a = await trade(c, { side: 'BUY', quantity: 10 });
    await c.h.venue.setPrice(c.h.asset, 104);
    const b = await trade(c, { side: 'SELL', quantity: 4 });
    const rest = intent(c, { side: 'BUY', quantity: 2, limitPrice: 90 });
    await c.h.broker.submitOrder(rest);
    const gone = intent(c, { side: 'BUY', quantity: 2, limitPrice: 91 });
    await c.h.broker.submitOrder(gone);
    await c.h.broker.cancelOrder(gone.clientOrderId);
    await waitOrder(c, gone.clientOrderId, (o) => o.status === 'CANCELLED', 'CANCELLED');
    const l = await ledger(c);
    expect(await positionOf(c)).to.equal(l.position(c.h.asset));
    expect(l.position(c.h.asset)).to.equal(6);
    close(await c.h.broker.getCash(), l.cash, 'cash = venue cash');
    close(l.cash, cash0 + cashDelta([...a.fills, ...b.fills]), 'venue cash = start + fills');
    const pending = (await c.h.broker.getPendingOrders()).map((o) => o.clientOrderId).sort();
    expect(pending).to.deep.equal(l.openOrders().map((o) => o.clientOrderId).sort());
    const value = await c.h.broker.getAccountValue();
    if (l.accountValue !== undefined) close(value, l.accountValue, 'account value = venue net liquidation');
    else close(value, l.cash + 6 * 104, 'account value = cash + marked position');
  });

  it('TB23 disconnect() with a resting order, then connect(): still known, nothing cancelled', async () => {
    const c = get();
    const i = intent(c, { side: 'BUY', quantity: 2, limitPrice: 90 });
    await c.h.broker.submitOrder(i);
    await c.h.broker.disconnect();
    expect(c.h.broker.isConnected()).to.equal(false);
    expect((await ledger(c)).order(i.clientOrderId)?.state, 'still open at the venue').to.equal('open');
    await c.h.broker.connect();
    expect(c.h.broker.isConnected()).to.equal(true);
    expect((await c.h.broker.getPendingOrders()).map((o) => o.clientOrderId)).to.include(i.clientOrderId);
    expect((await c.h.broker.getOrder(i.clientOrderId))?.status).to.equal('SUBMITTED');
    expect(fillsFor(c, i.clientOrderId)).to.have.length(0);
  });

  it('TB24 secrets never appear in logs, errors or events', async function () {
    const c = get();
    const secrets = c.h.secrets ?? [];
    if (secrets.length === 0) this.skip();
    await trade(c, { side: 'BUY', quantity: 1 });
    await c.h.broker.submitOrder(intent(c, { side: 'BUY', quantity: 1, orderType: 'BOGUS' as never })).catch((e: unknown) => c.errors.push(e));
    const leaks = findSecrets(secrets, { logs: c.h.logLines?.() ?? [], errors: c.errors, orders: c.orders, fills: c.fills });
    expect(leaks, 'places where a secret leaked').to.deep.equal([]);
  });
}
