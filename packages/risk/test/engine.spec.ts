import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountView, LiveEngine, MemoryLogger, PaperBroker, ReplayFeed, SimulatedClock, createStateLayer, silentLogger, type FeedEvent, type Strategy } from '@tradewire/core';
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

  it("forwards the journal's fill deduplication in live mode (the engine then keeps a short execution-id memory); shadow mode and plain brokers do not claim it", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-risk-dedup-'));
    const clock = new SimulatedClock(T0);
    const layer = createStateLayer({ stateDir: join(dir, 'state'), clock, logger: silentLogger });
    try {
      const paper = new PaperBroker({ initialCash: 100_000 }, clock, silentLogger);
      const make = (inner: PaperBroker | ReturnType<typeof layer.wrapBroker>, shadowMode: boolean): SafeBroker =>
        new SafeBroker(inner, { config: parseRiskConfig({ shadowMode }), clock, logger: new MemoryLogger() });
      const overJournal = make(layer.wrapBroker(paper), false);
      expect([overJournal.deduplicatesFills, make(paper, false).deduplicatesFills, make(layer.wrapBroker(paper), true).deduplicatesFills]).to.deep.equal([true, false, false]);
      const engine = new LiveEngine({ strategy: { onData: () => undefined }, broker: overJournal, feed: new ReplayFeed([]), clock, handleSignals: false });
      expect(engine.account.maxRememberedExecutions).to.equal(AccountView.TERMINAL_MEMORY);
    } finally {
      layer.close();
      rmSync(dir, { recursive: true, force: true });
    }
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

  it('F27: a quarantined price never reaches the strategy or the engine\'s books, so no order is sent because of it', async () => {
    const closes: number[] = [];
    let sells = 0;
    const strategy: Strategy = {
      async onData(_ts, d, _c, b) {
        const bar = d['A'];
        if (bar && 'close' in bar) closes.push(bar.close);
        if (b.getPosition('A') === 0) await b.buy('A', 10);
        else if (b.getLastPrice('A')! < 50) { sells++; await b.sell('A', 10); } // a stop-loss the spike would trigger
      },
    };
    const prices = [100, 100, 1, 100, 100];
    const { inner, engine } = await runEngine({ priceBand: { pct: 10 } }, strategy, events(prices.length, (i) => prices[i]!), 'live');
    expect(closes).to.deep.equal([100, 100, 100, 100]);
    expect(sells).to.equal(0);
    expect((await inner.getOrders()).map((o) => o.side)).to.deep.equal(['BUY']);
    expect(engine.accountSnapshot().positions.find((p) => p.asset === 'A')?.currentPrice).to.equal(100);
  });

  it('a breaker trip halts the engine when it happens, with no refused order needed (the run ends HALTED)', async () => {
    const strategy: Strategy = {
      async onData(_ts, _d, _c, b) { if (b.getPosition('A') === 0 && b.getLastPrice('A')! > 50) await b.buy('A', 100); },
    };
    const prices = [100, 100, 95, 95, 95];
    const { safe, engine } = await runEngine({ maxDailyLoss: 100 }, strategy, events(prices.length, (i) => prices[i]!), 'live');
    expect(safe.tradingState).to.equal('HALTED');
    expect(engine.tradingState).to.equal('HALTED');
    expect(engine.stats.haltReason).to.match(/^RISK_HALTED: .*daily loss/);
  });
});
