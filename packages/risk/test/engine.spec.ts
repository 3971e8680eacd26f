import { expect } from 'chai';
import { LiveEngine, MemoryLogger, PaperBroker, ReplayFeed, SimulatedClock, silentLogger, type FeedEvent, type Strategy } from '@tradewire/core';
import { SafeBroker, parseRiskConfig, type LiveRiskConfigInput } from '@tradewire/risk';
import { T0 } from './support/helpers.js';

function events(n: number, price: (i: number) => number): FeedEvent[] {
  const out: FeedEvent[] = [];
  for (let i = 0; i < n; i++) {
    const p = price(i);
    out.push([T0 + i * 60_000, { A: { open: p, high: p, low: p, close: p, volume: 1e9 } }, {}]);
  }
  return out;
}

async function runEngine(config: LiveRiskConfigInput, strategy: Strategy, feed: FeedEvent[], mode: 'shadow' | 'live' | 'paper'): Promise<{ safe: SafeBroker; inner: PaperBroker; engine: LiveEngine }> {
  const clock = new SimulatedClock(T0);
  const inner = new PaperBroker({ initialCash: 100_000 }, clock, silentLogger);
  const safe = new SafeBroker(inner, { config: parseRiskConfig(config), clock, logger: new MemoryLogger() });
  const engine = new LiveEngine({ strategy, broker: safe, feed: new ReplayFeed(feed), clock, logger: silentLogger, mode, handleSignals: false });
  await engine.connect();
  await engine.run();
  await engine.stop();
  return { safe, inner, engine };
}

describe('SafeBroker inside the LiveEngine', () => {
  it('shadow: "buy when flat" buys once (the strategy sees its virtual position); the venue gets nothing', async () => {
    let orders = 0;
    const strategy: Strategy = {
      async onData(_ts, _d, _c, b) {
        if (b.getPosition('A') === 0) { orders++; await b.buy('A', 10); }
      },
    };
    const { safe, inner } = await runEngine({ shadowMode: true }, strategy, events(100, (i) => 100 + (i % 7)), 'shadow');
    expect(orders).to.equal(1);
    expect(safe.virtual?.fills()).to.have.length(1);
    expect(await inner.getOrders()).to.have.length(0);
  });

  it('live: a refused order reaches the strategy as a RiskLimitError and never the venue', async () => {
    const codes: string[] = [];
    const strategy: Strategy = {
      async onData(_ts, _d, _c, b) {
        try { await b.buy('A', 1000); } catch (e) { codes.push((e as { code: string }).code); }
      },
    };
    const { inner } = await runEngine({ maxOrderShares: 100 }, strategy, events(5, () => 100), 'live');
    expect(codes).to.deep.equal(Array(5).fill('RISK_MAX_ORDER_SHARES'));
    expect(await inner.getOrders()).to.have.length(0);
  });
});
