import { expect } from 'chai';
import { isTradingError } from '@tradewire/core';
import { intent, rig, waitFor, type Rig } from './support.js';

describe('IBBroker against the fake TWS', () => {
  let r: Rig;
  afterEach(async () => { await r?.close(); });

  it('connects: handshake, START_API with our client id, managed account, nextValidId', async () => {
    r = await rig({ accounts: ['DU111', 'DU222'], nextValidId: 500 });
    await r.broker.connect();
    expect(r.broker.isConnected()).to.equal(true);
    expect(r.broker.account).to.equal('DU111');
    expect(r.tws.handshakes).to.deep.equal(['v100..193']);
    expect(r.tws.messages(71)[0]?.fields).to.deep.equal(['71', '2', '7', '']);
    expect(r.broker.connection?.api.serverVersion).to.equal(176);
    expect(r.tws.connectedClients()).to.deep.equal([7]);
    // the initial sync asked for open orders and executions
    expect(r.tws.messages(16)).to.have.length(1);
    expect(r.tws.messages(7)).to.have.length(1);
  });

  it('submit → Submitted → partial → Filled with commission; one fill event per execution', async () => {
    r = await rig({ nextValidId: 500 });
    r.tws.behaviour.fillParts = [0.4, 0.6];
    await r.broker.connect();
    const i = intent({ asset: 'AAPL', side: 'BUY', quantity: 10 });
    const ack = await r.broker.submitOrder(i);
    expect(ack.orderId).to.equal('500');
    await waitFor(() => r.fills.length === 2, 3000, 'two fills');
    const placed = r.tws.messages(3)[0]?.fields ?? [];
    expect(placed[26]).to.equal(i.clientOrderId); // orderRef carries our id
    expect(r.fills.map((f) => f.quantity)).to.deep.equal([4, 6]);
    expect(r.fills.every((f) => f.commission === 1)).to.equal(true);
    expect(new Set(r.fills.map((f) => f.executionId)).size).to.equal(2);
    const statuses = r.orders.filter((o) => o.clientOrderId === i.clientOrderId).map((o) => o.status);
    expect(statuses).to.include('SUBMITTED');
    expect(statuses).to.include('PARTIALLY_FILLED');
    expect(statuses[statuses.length - 1]).to.equal('FILLED');
    const o = await r.broker.getOrder(i.clientOrderId);
    expect(o?.status).to.equal('FILLED');
    expect(o?.filledQuantity).to.equal(10);
    expect(o?.avgFillPrice).to.equal(100);
    expect(r.tws.ledger.positions.get('AAPL')?.quantity).to.equal(10);
    const pos = await r.broker.getPosition('AAPL');
    expect(pos?.quantity).to.equal(10);
    expect(await r.broker.getCash()).to.equal(100_000 - 1000 - 2);
  });

  it("getFills(since) keeps a fill whose zoneless TWS time (TWS in New York, read as UTC) looks hours older than it is", async () => {
    r = await rig({ nextValidId: 500 });
    r.tws.behaviour.execTimeZone = 'America/New_York'; // UTC−4/−5: its wall time read as UTC is 4–5 h early
    await r.broker.connect();
    const sentAt = Date.now();
    const i = intent({ asset: 'AAPL', side: 'BUY', quantity: 3 });
    await r.broker.submitOrder(i);
    await waitFor(() => r.fills.length === 1, 3000, 'the fill');
    expect(r.fills[0]!.timestamp).to.be.lessThan(sentAt - 3 * 3_600_000); // the skew this guards against
    const fills = await r.broker.getFills(sentAt - 60_000);
    expect(fills.map((f) => [f.clientOrderId, f.quantity])).to.deep.equal([[i.clientOrderId, 3]]);
  });

  it('cancel: a resting limit ends CANCELLED and leaves the pending list', async () => {
    r = await rig();
    await r.broker.connect();
    const i = intent({ asset: 'AAPL', side: 'BUY', quantity: 5, orderType: 'LIMIT', limitPrice: 90 });
    const ack = await r.broker.submitOrder(i);
    expect(ack.status).to.equal('SUBMITTED');
    expect((await r.broker.getPendingOrders()).map((o) => o.clientOrderId)).to.include(i.clientOrderId);
    expect(await r.broker.cancelOrder(i.clientOrderId)).to.equal(true);
    expect((await r.broker.getOrder(i.clientOrderId))?.status).to.equal('CANCELLED');
    expect(r.tws.ledger.orderByRef(i.clientOrderId)?.status).to.equal('Cancelled');
    expect(await r.broker.getPendingOrders()).to.have.length(0);
    expect(await r.broker.cancelOrder(i.clientOrderId)).to.equal(false);
  });

  it('reject (201): a typed OrderRejectedError with the venue code; the order is REJECTED', async () => {
    r = await rig();
    await r.broker.connect();
    r.tws.behaviour.rejectNext.push({ code: 201, message: 'Order rejected - reason:Invalid or missing IBCustAcctNo' });
    const i = intent({ asset: 'AAPL', side: 'BUY', quantity: 5 });
    const err = await r.broker.submitOrder(i).then(() => undefined, (e: unknown) => e);
    expect(isTradingError(err)).to.equal(true);
    if (!isTradingError(err)) return;
    expect(err.code).to.equal('ORDER_REJECTED');
    expect(err.details.venueCode).to.equal(201);
    expect(String(err.details.venueMessage)).to.contain('IBCustAcctNo');
    expect(err.cause, 'the stoqey error is the cause').to.be.instanceOf(Error);
    expect((await r.broker.getOrder(i.clientOrderId))?.status).to.equal('REJECTED');
    expect(r.tws.ledger.executions.size).to.equal(0);
  });

  it('no security definition (200) is a typed UNKNOWN_SYMBOL error', async () => {
    r = await rig();
    r.tws.behaviour.unknownSymbols.add('NOPE');
    await r.broker.connect();
    const err = await r.broker.submitOrder(intent({ asset: 'NOPE', side: 'BUY', quantity: 1 })).then(() => undefined, (e: unknown) => e);
    expect(isTradingError(err) && err.code).to.equal('UNKNOWN_SYMBOL');
  });
});
