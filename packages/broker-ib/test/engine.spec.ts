/** End to end: core's LiveEngine with IBBroker and IBDataFeed (5-second bars → minute bars) on the fake TWS. */
import { expect } from 'chai';
import { IBBroker, IBConfig, IBConnectionPool, IBDataFeed, IBFeedConfig } from '@tradewire/broker-ib';
import { AggregatedFeed, LiveEngine, SystemClock, type Fill, type MarketDataMap, type Strategy, type StrategyBroker } from '@tradewire/core';
import { FakeTws } from './fake-tws/fake-tws.js';
import { waitFor } from './support.js';

describe('LiveEngine + IBBroker + IBDataFeed on the fake TWS', function () {
  this.timeout(15_000);

  it('buys on the first minute bar; the fill reaches the strategy once and the venue holds one order with the engine\'s clientOrderId', async () => {
    const tws = await FakeTws.start({ prices: { AAPL: 100 } });
    const pool = new IBConnectionPool();
    const clock = new SystemClock();
    const broker = new IBBroker(IBConfig.parse({ port: tws.port, clientId: 11, commissionWaitMs: 500 }), { pool, clock });
    const ib = new IBDataFeed(IBFeedConfig.parse({ port: tws.port, clientId: 11, symbols: ['AAPL'], data: 'bars' }), { pool, clock });
    const feed = new AggregatedFeed(ib, { periodMs: 60_000 }, clock);
    const seen: { bars: [number, MarketDataMap][]; fills: Fill[] } = { bars: [], fills: [] };
    const strategy: Strategy = {
      async onData(ts: number, data: MarketDataMap, _ctx, b: StrategyBroker) {
        seen.bars.push([ts, data]);
        if (seen.bars.length === 1) await b.submitOrder({ asset: 'AAPL', quantity: 5 });
      },
      onFill(f: Fill) { seen.fills.push(f); },
    };
    const engine = new LiveEngine({ strategy, broker, feed, clock, mode: 'live', handleSignals: false });
    try {
      await engine.connect();
      const running = engine.run();
      await waitFor(() => tws.messages(50).length === 1, 3000, 'reqRealTimeBars');
      expect(tws.connectedClients(), 'broker and feed share one session').to.deep.equal([11]);
      const t0 = 1_763_766_000;
      for (let k = 0; k < 12; k++) tws.pushBar('AAPL', t0 + 5 * k, { open: 100, high: 101 + k / 10, low: 99, close: 100 + k / 10, volume: 10 });
      tws.pushBar('AAPL', t0 + 60, { open: 101, high: 101, low: 101, close: 101, volume: 1 }); // opens the next minute: closes the first
      await waitFor(() => seen.fills.length === 1, 5000, 'fill at the strategy');
      expect(seen.bars[0]?.[0]).to.equal(t0 * 1000);
      expect(seen.bars[0]?.[1].AAPL).to.deep.include({ open: 100, high: 102.1, low: 99, close: 101.1, volume: 120 });
      const orders = [...tws.ledger.orders.values()];
      expect(orders).to.have.length(1);
      expect(orders[0]?.orderRef).to.equal(seen.fills[0]?.clientOrderId);
      expect(tws.ledger.positions.get('AAPL')?.quantity).to.equal(5);
      await engine.stop();
      await running;
    } finally {
      await engine.stop().catch(() => undefined);
      await broker.disconnect();
      await tws.close();
    }
  });
});
