import { expect } from 'chai';
import { IBBroker, IBConfig, IBConnectionPool, IBDataFeed, IBFeedConfig } from '@tradewire/broker-ib';
import { BarAggregator, type FeedEvent } from '@tradewire/core';
import { FakeTws } from './fake-tws/fake-tws.js';
import { msg } from './fake-tws/wire.js';
import { intent, sleep, waitFor } from './support.js';

/** Pulls events from a feed into an array in the background. */
function drain(feed: IBDataFeed): { events: FeedEvent[]; done: Promise<void> } {
  const events: FeedEvent[] = [];
  const done = (async () => { for await (const ev of feed) events.push(ev); })();
  return { events, done };
}

describe('IBDataFeed against the fake TWS', function () {
  this.timeout(15_000);
  let tws: FakeTws;
  let feed: IBDataFeed | undefined;
  beforeEach(async () => { tws = await FakeTws.start({ prices: { AAPL: 100 } }); });
  afterEach(async () => { await feed?.stop(); feed = undefined; await tws.close(); });

  const make = (over: Record<string, unknown>, pool = new IBConnectionPool()): IBDataFeed =>
    new IBDataFeed(IBFeedConfig.parse({ port: tws.port, symbols: ['AAPL'], reconnect: { initialDelayMs: 50 }, ...over }), { pool });

  it('5-second bars: reqRealTimeBars per symbol, bar-start timestamps, duplicates and no-price bars dropped; minute bars via BarAggregator', async () => {
    feed = make({ data: 'bars' });
    expect(feed.kind).to.equal('push');
    await feed.start();
    const { events, done } = drain(feed);
    await waitFor(() => tws.messages(50).length === 1, 2000, 'reqRealTimeBars');
    const req = tws.messages(50)[0]?.fields ?? [];
    expect([req[4], req[5], req[16]]).to.deep.equal(['AAPL', 'STK', 'TRADES']);
    const t0 = 1_763_766_000; // a minute boundary (epoch seconds)
    for (let k = 0; k < 12; k++) tws.pushBar('AAPL', t0 + 5 * k, { open: 100 + k, high: 101 + k, low: 99 + k, close: 100.5 + k, volume: 10 });
    tws.pushBar('AAPL', t0 + 55, { open: 1, high: 1, low: 1, close: 1, volume: 1 }); // duplicate period
    tws.broadcast(msg.realtimeBar(Number(req[2]), t0 + 60, { open: -1, high: -1, low: -1, close: -1, volume: -1 })); // "no price"
    tws.pushBar('AAPL', t0 + 65, { open: 200, high: 200, low: 200, close: 200, volume: 5 });
    await waitFor(() => events.length === 13, 2000, '13 bars');
    expect(events.map((e) => e[0])).to.deep.equal([...Array.from({ length: 12 }, (_, k) => (t0 + 5 * k) * 1000), (t0 + 65) * 1000]);
    expect(events[0]?.[1]).to.deep.equal({ AAPL: { open: 100, high: 101, low: 99, close: 100.5, volume: 10 } });
    expect(events[0]?.[2].periodMs).to.equal(5000);
    const agg = new BarAggregator({ periodMs: 60_000 });
    const minutes = events.flatMap(([ts, data, ctx]) => agg.push(ts, data, ctx));
    expect(minutes).to.have.length(1);
    expect(minutes[0]?.[0]).to.equal(t0 * 1000);
    expect(minutes[0]?.[1]).to.deep.equal({ AAPL: { open: 100, high: 112, low: 99, close: 111.5, volume: 120 } });
    await feed.stop();
    await done; // stop() ends the iteration
    await waitFor(() => tws.connectedClients().length === 0, 2000, 'own session closed');
  });

  it('ticks are throttled per symbol; the latest value wins; "no price" sentinels never become prices', async () => {
    feed = make({ data: 'ticks', tickThrottleMs: 300 });
    await feed.start();
    const { events } = drain(feed);
    await waitFor(() => tws.messages(1).length === 1, 2000, 'reqMktData');
    const reqId = Number(tws.messages(1)[0]?.fields[2]);
    await waitFor(() => events.length === 1, 2000, 'first tick');
    for (let k = 1; k <= 20; k++) tws.setPrice('AAPL', 100 + k / 10);
    tws.broadcast(msg.tickPrice(reqId, 4, -1, 0));
    await sleep(700);
    expect(events.length).to.be.within(2, 4);
    const last = events[events.length - 1];
    expect(last?.[1].AAPL).to.deep.include({ price: 102 });
    expect(last?.[2].bid).to.equal(101.99);
    expect(last?.[2].ask).to.equal(102.01);
    for (const e of events) expect((e[1].AAPL as { price: number }).price).to.be.greaterThan(0);
  });

  it('shares the broker session when the client id matches (one TWS connection)', async () => {
    const pool = new IBConnectionPool();
    const broker = new IBBroker(IBConfig.parse({ port: tws.port, clientId: 4 }), { pool });
    await broker.connect();
    feed = make({ clientId: 4, data: 'bars' }, pool);
    await feed.start();
    expect(tws.connectedClients()).to.deep.equal([4]);
    const { events } = drain(feed);
    await waitFor(() => tws.messages(50).length === 1, 2000, 'reqRealTimeBars');
    tws.pushBar('AAPL', 1_763_766_000, { open: 1, high: 2, low: 1, close: 2, volume: 3 });
    const ack = await broker.submitOrder(intent({ asset: 'AAPL', side: 'BUY', quantity: 1 }));
    expect(ack.status).to.not.equal('REJECTED');
    await waitFor(() => events.length === 1, 2000, 'bar on the shared session');
    await feed.stop();
    feed = undefined;
    await waitFor(() => tws.messages(51).length === 1, 2000, 'cancelRealTimeBars on the shared session');
    expect(broker.isConnected(), 'the broker keeps the session').to.equal(true);
    await broker.disconnect();
    await waitFor(() => tws.connectedClients().length === 0, 2000, 'session closed by the last user');
  });

  it('1101 (data lost): resubscribes and reports the gap on the next event', async () => {
    feed = make({ data: 'bars' });
    await feed.start();
    const { events } = drain(feed);
    await waitFor(() => tws.messages(50).length === 1, 2000, 'reqRealTimeBars');
    tws.notice(1101, 'Connectivity between IB and TWS has been restored- data lost.');
    await waitFor(() => tws.messages(50).length === 2, 2000, 'resubscribed');
    const [a, b] = tws.messages(50).map((m) => m.fields[2]);
    expect(a).to.not.equal(b);
    expect(tws.messages(51).map((m) => m.fields[2])).to.deep.equal([a]);
    tws.pushBar('AAPL', 1_763_766_000, { open: 1, high: 2, low: 1, close: 2, volume: 3 });
    await waitFor(() => events.length === 1, 2000, 'bar after resubscribe');
    expect(events[0]?.[2].gap?.reason).to.equal('ib 1101');
  });
});
