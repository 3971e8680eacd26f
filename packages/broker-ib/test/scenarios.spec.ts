/** Connection faults, id safety, pacing and stream robustness (issue §4). */
import { expect } from 'chai';
import { isTradingError, MemoryKeyValueStore, type ConnectionState } from '@tradewire/core';
import { encodeFrame } from './fake-tws/framing.js';
import { intent, rig, sleep, waitFor, type Rig } from './support.js';

describe('IBBroker scenarios', function () {
  this.timeout(20_000);
  let r: Rig;
  afterEach(async () => { await r?.close(); });

  const placeOrders = (ref?: string): string[][] => r.tws.messages(3).map((m) => m.fields).filter((f) => ref === undefined || f[26] === ref);

  it('duplicate id (103) after nextValidId rolled back: asks for a fresh id and places the order exactly once', async () => {
    r = await rig({ nextValidId: 10 });
    await r.broker.connect();
    const first = intent({ asset: 'AAPL', side: 'BUY', quantity: 1 });
    expect((await r.broker.submitOrder(first)).orderId).to.equal('10');
    await r.broker.disconnect();
    r.tws.rollBackNextValidId = true; // the Gateway restarted and announces 10 again
    const b = r.fresh();
    await b.connect();
    const second = intent({ asset: 'AAPL', side: 'BUY', quantity: 1 });
    const ack = await b.submitOrder(second);
    const ids = placeOrders(second.clientOrderId).map((f) => f[1]);
    expect(ids).to.deep.equal(['10', '11']); // 10 was refused with 103, 11 accepted
    expect(ack.orderId).to.equal('11');
    expect([...r.tws.ledger.orders.values()].filter((o) => o.orderRef === second.clientOrderId)).to.have.length(1);
  });

  it('with a state store the id high-water mark survives a restart: no 103 at all', async () => {
    const kv = new MemoryKeyValueStore();
    r = await rig({ nextValidId: 10, services: { kv } });
    await r.broker.connect();
    await r.broker.submitOrder(intent({ asset: 'AAPL', side: 'BUY', quantity: 1 }));
    await r.broker.submitOrder(intent({ asset: 'AAPL', side: 'BUY', quantity: 1 }));
    await r.broker.disconnect();
    r.tws.rollBackNextValidId = true;
    const b = r.fresh({}, { kv });
    await b.connect();
    const x = intent({ asset: 'AAPL', side: 'BUY', quantity: 1 });
    expect((await b.submitOrder(x)).orderId).to.equal('12');
    expect(placeOrders(x.clientOrderId)).to.have.length(1);
    expect(kv.keys('broker-ib:')).to.have.length(1);
  });

  it('1100 holds new orders and marks the state uncertain; 1102 reconciles, replayed executions count once', async () => {
    r = await rig();
    const states: ConnectionState[] = [];
    r.broker.onConnectionState?.((s) => states.push(s));
    await r.broker.connect();
    const resting = intent({ asset: 'AAPL', side: 'BUY', quantity: 5, orderType: 'LIMIT', limitPrice: 95 });
    await r.broker.submitOrder(resting);
    r.tws.notice(1100, 'Connectivity between IB and Trader Workstation has been lost.');
    await waitFor(() => states.includes('uncertain'), 2000, 'uncertain');
    const sent = r.tws.messages(3).length;
    const err = await r.broker.submitOrder(intent({ asset: 'AAPL', side: 'BUY', quantity: 1 })).then(() => undefined, (e: unknown) => e);
    expect(isTradingError(err) && err.code).to.equal('VENUE_UNAVAILABLE');
    expect(r.tws.messages(3).length, 'nothing sent while 1100').to.equal(sent);
    // the venue fills the order while TWS is cut off: the messages are held back
    r.tws.holdOrderMessages = true;
    r.tws.setPrice('AAPL', 94);
    await sleep(100);
    expect(r.fills).to.have.length(0);
    const openReqs = r.tws.messages(16).length;
    r.tws.notice(1102, 'Connectivity between IB and Trader Workstation has been restored - data maintained.');
    await waitFor(() => r.fills.length === 1, 3000, 'fill found by reconciliation');
    expect(r.tws.messages(16).length).to.be.greaterThan(openReqs);
    r.tws.releaseHeld(); // the live messages arrive late as well
    r.tws.replayExecutions(); // and TWS replays the session's executions
    await sleep(300);
    expect(r.fills.map((f) => f.clientOrderId)).to.deep.equal([resting.clientOrderId]);
    expect((await r.broker.getOrder(resting.clientOrderId))?.filledQuantity).to.equal(5);
    expect(states[states.length - 1]).to.equal('connected');
    await r.broker.submitOrder(intent({ asset: 'AAPL', side: 'BUY', quantity: 1 }));
  });

  it('socket dropped mid-order and reconnected: the order is found again, filled once, never re-sent', async () => {
    r = await rig();
    r.tws.behaviour.fillMode = 'manual';
    await r.broker.connect();
    const i = intent({ asset: 'AAPL', side: 'BUY', quantity: 8 });
    expect((await r.broker.submitOrder(i)).status).to.equal('SUBMITTED');
    r.tws.refuseConnections = true;
    r.tws.dropConnections();
    await waitFor(() => !r.broker.isConnected(), 2000, 'disconnect noticed');
    const down = await r.broker.submitOrder(intent({ asset: 'AAPL', side: 'BUY', quantity: 1 })).then(() => undefined, (e: unknown) => e);
    expect(isTradingError(down) && down.code).to.equal('VENUE_UNAVAILABLE');
    r.tws.fillOrder(i.clientOrderId); // fills while the adapter is away
    r.tws.refuseConnections = false;
    await waitFor(() => r.broker.isConnected(), 5000, 'automatic reconnect');
    await waitFor(() => r.fills.length === 1, 3000, 'missed fill recovered');
    expect((await r.broker.getOrder(i.clientOrderId))?.status).to.equal('FILLED');
    expect(placeOrders(i.clientOrderId), 'placed once').to.have.length(1);
    expect(r.tws.ledger.executions.size).to.equal(1);
    expect(r.fills[0]?.commission).to.equal(1);
  });

  it('a burst of orders is paced to maxMessagesPerSecond', async () => {
    r = await rig({ config: { maxMessagesPerSecond: 10 } });
    await r.broker.connect();
    await sleep(1100); // let the connect-time requests leave the window
    const from = r.tws.received.length;
    const burst = Array.from({ length: 25 }, () => intent({ asset: 'AAPL', side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 50 }));
    const acks = await Promise.all(burst.map((i) => r.broker.submitOrder(i)));
    expect(acks.every((a) => a.status === 'SUBMITTED')).to.equal(true);
    const at = r.tws.received.slice(from).filter((m) => m.fields[0] === '3').map((m) => m.at);
    expect(at).to.have.length(25);
    // 25 messages at 10/s need at least two full windows after the first ten
    expect((at[24] ?? 0) - (at[0] ?? 0)).to.be.at.least(1500);
    for (let k = 0; k + 10 < at.length; k++) expect((at[k + 10] ?? 0) - (at[k] ?? 0), `window at ${k}`).to.be.at.least(700);
  });

  it('an unknown message id is ignored without desynchronising the stream', async () => {
    r = await rig();
    await r.broker.connect();
    // an unknown id, then one split across TCP writes, then real traffic
    r.tws.broadcast([999, 1, 'mystery', 'fields', '']);
    const frame = encodeFrame([998, 7, 'x']);
    r.tws.broadcastBytes(frame.subarray(0, 3));
    await sleep(20);
    r.tws.broadcastBytes(frame.subarray(3));
    const i = intent({ asset: 'AAPL', side: 'SELL', quantity: 3 });
    await r.broker.submitOrder(i);
    await waitFor(() => r.fills.length === 1, 3000, 'fill after the unknown messages');
    expect((await r.broker.getOrder(i.clientOrderId))?.status).to.equal('FILLED');
    expect(r.logger.entries.some((e) => e.msg.includes('could not decode'))).to.equal(true);
    expect(r.broker.isConnected()).to.equal(true);
  });

  it('connect failures are typed: refused port (502), a TWS that never finishes the handshake (timeout), client id in use (326)', async () => {
    r = await rig({ config: { connectTimeoutMs: 300 } });
    const closedPort = r.fresh({ port: 1 });
    const refused = await closedPort.connect().then(() => undefined, (e: unknown) => e);
    expect(isTradingError(refused) && refused.code).to.equal('VENUE_UNAVAILABLE');
    r.tws.completeHandshake = false;
    const hang = await r.fresh().connect().then(() => undefined, (e: unknown) => e);
    expect(isTradingError(hang) && hang.code).to.equal('VENUE_UNAVAILABLE');
    expect(String((hang as Error).message)).to.contain('no handshake');
    r.tws.completeHandshake = true;
    await r.broker.connect();
    const twin = await r.fresh().connect().then(() => undefined, (e: unknown) => e); // same clientId 7
    expect(isTradingError(twin) && twin.code).to.equal('AUTHENTICATION');
    expect(r.broker.isConnected()).to.equal(true);
  });

  it('1101 (data lost) reconciles orders too', async () => {
    r = await rig();
    await r.broker.connect();
    const before = r.tws.messages(7).length;
    r.tws.notice(1101, 'Connectivity between IB and TWS has been restored- data lost.');
    await waitFor(() => r.tws.messages(7).length > before, 2000, 'reqExecutions after 1101');
  });
});
