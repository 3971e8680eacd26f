/** TB10–TB16: time in force, cancel, modify, rejection, unsupported input, lookup after restart. */
import { expect } from 'chai';
import { isTradingError, type OrderType, type TimeInForce } from '@tradewire/core';
import { final, fillsFor, intent, ledger, positionOf, trade, waitOrder, type Get } from './common.js';
import { settle } from '../eventually.js';

export function lifecycleCases(get: Get): void {
  it('TB10 time in force: DAY/GTC/GTD rest; IOC and FOK away from the market end CANCELLED or EXPIRED', async function () {
    const c = get();
    const tifs = c.h.broker.capabilities.timeInForce;
    for (const tif of ['DAY', 'GTC', 'GTD'] as TimeInForce[]) {
      if (!tifs.includes(tif)) continue;
      const i = intent(c, { side: 'BUY', quantity: 1, limitPrice: 80, timeInForce: tif, ...(tif === 'GTD' ? { expireAt: Date.now() + 86_400_000 } : {}) });
      expect((await c.h.broker.submitOrder(i)).status, `${tif} accepted`).to.equal('SUBMITTED');
      expect((await ledger(c)).order(i.clientOrderId)?.state, `${tif} open at the venue`).to.equal('open');
    }
    for (const tif of ['IOC', 'FOK'] as TimeInForce[]) {
      if (!tifs.includes(tif)) continue;
      const i = intent(c, { side: 'BUY', quantity: 1, limitPrice: 80, timeInForce: tif });
      await c.h.broker.submitOrder(i);
      const o = await waitOrder(c, i.clientOrderId, final, 'final');
      expect(['CANCELLED', 'EXPIRED'], `${tif} away from the market`).to.include(o.status);
      expect(o.filledQuantity).to.equal(0);
      expect(['cancelled', 'expired']).to.include((await ledger(c)).order(i.clientOrderId)?.state);
    }
  });

  it('TB11 cancel a resting order: CANCELLED, gone from pending orders, cancelled at the venue', async () => {
    const c = get();
    const i = intent(c, { side: 'BUY', quantity: 5, limitPrice: 90 });
    await c.h.broker.submitOrder(i);
    expect(await c.h.broker.cancelOrder(i.clientOrderId)).to.equal(true);
    const o = await waitOrder(c, i.clientOrderId, (x) => x.status === 'CANCELLED', 'CANCELLED');
    expect(o.filledQuantity).to.equal(0);
    expect((await c.h.broker.getPendingOrders()).map((x) => x.clientOrderId)).to.not.include(i.clientOrderId);
    expect((await ledger(c)).order(i.clientOrderId)?.state).to.equal('cancelled');
    expect(c.orders.some((x) => x.clientOrderId === i.clientOrderId && x.status === 'CANCELLED'), 'CANCELLED pushed').to.equal(true);
  });

  it('TB12 cancel a filled order or an unknown id: false or OrderNotFound, position untouched', async () => {
    const c = get();
    const { intent: i } = await trade(c, { side: 'BUY', quantity: 2 });
    const attempt = async (id: string): Promise<void> => {
      try {
        expect(await c.h.broker.cancelOrder(id)).to.equal(false);
      } catch (e) {
        expect(isTradingError(e) && e.code, 'a typed OrderNotFound').to.equal('ORDER_NOT_FOUND');
      }
    };
    await attempt(i.clientOrderId);
    await attempt('no-such-order-id');
    expect(await positionOf(c)).to.equal(2);
    expect((await ledger(c)).order(i.clientOrderId)?.state).to.equal('filled');
  });

  it('TB13 modify / cancel-replace', function () {
    const c = get();
    if (!c.h.broker.capabilities.modify) this.skip();
    // BrokerProtocol has no modify call yet: adapters declaring modify=true must extend this case.
    expect.fail('capabilities.modify is true but the suite has no modify case yet');
  });

  it('TB14 venue rejection: REJECTED with a typed error carrying the venue code and message', async () => {
    const c = get();
    const extra = await c.h.venue.prepareRejection(c.h.asset);
    const i = intent(c, { side: 'BUY', quantity: 5, ...extra });
    let err: unknown;
    let ack;
    try { ack = await c.h.broker.submitOrder(i); } catch (e) { err = e; }
    if (err !== undefined) {
      expect(isTradingError(err), 'a TradingError').to.equal(true);
      if (isTradingError(err)) {
        expect(err.details.venueCode, 'details.venueCode').to.not.equal(undefined);
        expect(err.message.length).to.be.greaterThan(0);
      }
    } else {
      expect(ack?.status).to.equal('REJECTED');
      expect(ack?.rejectionReason ?? '').to.not.equal('');
    }
    const o = await waitOrder(c, i.clientOrderId, (x) => x.status === 'REJECTED', 'REJECTED');
    expect(o.filledQuantity).to.equal(0);
    const l = await ledger(c);
    expect(l.executionsFor(i.clientOrderId)).to.have.length(0);
    expect(l.position(c.h.asset)).to.equal(0);
    expect(fillsFor(c, i.clientOrderId)).to.have.length(0);
  });

  it('TB15 unsupported order type or time in force: UnsupportedError before anything is sent', async () => {
    const c = get();
    const bogusType = intent(c, { side: 'BUY', quantity: 1, orderType: 'TRAILING_STOP' as OrderType });
    const bogusTif = intent(c, { side: 'BUY', quantity: 1, timeInForce: 'OPG' as TimeInForce });
    for (const i of [bogusType, bogusTif]) {
      const err = await c.h.broker.submitOrder(i).then(() => undefined, (e: unknown) => e);
      expect(isTradingError(err) && err.code, `${i.orderType}/${i.timeInForce}`).to.equal('UNSUPPORTED');
      expect((await ledger(c)).order(i.clientOrderId), 'nothing reached the venue').to.equal(undefined);
    }
  });

  it('TB16 lookup by clientOrderId from a fresh adapter instance (restart)', async function () {
    const c = get();
    if (!c.h.restart) this.skip();
    const rest = intent(c, { side: 'BUY', quantity: 3, limitPrice: 90 });
    await c.h.broker.submitOrder(rest);
    const { intent: done, fills } = await trade(c, { side: 'BUY', quantity: 4 });
    const fresh = await c.h.restart();
    try {
      await fresh.connect();
      const a = await fresh.getOrder(rest.clientOrderId);
      expect(a?.status).to.equal('SUBMITTED');
      expect(a?.quantity).to.equal(3);
      expect(a?.side).to.equal('BUY');
      const b = await fresh.getOrder(done.clientOrderId);
      expect(b?.status).to.equal('FILLED');
      expect(b?.filledQuantity).to.equal(4);
      const seen = (await fresh.getFills()).filter((f) => f.clientOrderId === done.clientOrderId).map((f) => f.executionId).sort();
      expect(seen).to.deep.equal(fills.map((f) => f.executionId).sort());
      expect((await fresh.getPendingOrders()).map((o) => o.clientOrderId)).to.include(rest.clientOrderId);
    } finally {
      await fresh.disconnect();
    }
    await settle(20);
  });
}
