/** Files `tradewire init` writes (plain ESM JavaScript: no build step; types via JSDoc). */
export function scaffoldFiles(name: string): Record<string, string> {
  return {
    'package.json': `${JSON.stringify({
      name, version: '0.1.0', private: true, type: 'module',
      scripts: { test: 'node --test test/', start: 'tradewire run --config tradewire.config.yaml' },
      dependencies: { '@tradewire/core': '^0.1.0', '@tradewire/cli': '^0.1.0' },
    }, null, 2)}\n`,
    'tradewire.config.yaml': `# Wiring for \`tradewire run --config tradewire.config.yaml\`.
mode: replay
strategy:
  module: ./src/strategy.js
  params:
    symbol: DEMO
    threshold: 0.002
broker:
  use: paper
  config:
    initialCash: 10000
    slippageBps: 1
feed:
  use: replay
  config:
    bars:
      - { timestamp: "2024-01-02T14:30:00Z", symbol: DEMO, open: 100, high: 101, low: 99.5, close: 100.5, volume: 1000 }
      - { timestamp: "2024-01-02T14:31:00Z", symbol: DEMO, open: 100.5, high: 101.2, low: 100.4, close: 101, volume: 1200 }
      - { timestamp: "2024-01-02T14:32:00Z", symbol: DEMO, open: 101, high: 101.5, low: 100.8, close: 101.4, volume: 900 }
      - { timestamp: "2024-01-02T14:33:00Z", symbol: DEMO, open: 101.4, high: 101.4, low: 100.1, close: 100.2, volume: 1500 }
# secrets come from the environment, e.g. apiKey: \${MY_BROKER_KEY}
`,
    'src/strategy.js': `/**
 * A momentum strategy: buys when a bar closes more than \`threshold\` above the previous close,
 * sells what it holds when it closes more than \`threshold\` below.
 * @implements {import('@tradewire/core').Strategy}
 */
export default class MomentumStrategy {
  /** @param {{ symbol?: string, threshold?: number, quantity?: number }} params */
  constructor(params = {}) {
    this.symbol = params.symbol ?? 'DEMO';
    this.threshold = params.threshold ?? 0.002;
    this.quantity = params.quantity ?? 10;
    this.prev = undefined;
  }

  /** @type {import('@tradewire/core').Strategy['onData']} */
  async onData(_ts, data, _ctx, broker) {
    const bar = data[this.symbol];
    if (!bar || !('close' in bar)) return;
    const prev = this.prev;
    this.prev = bar.close;
    if (prev === undefined) return;
    const change = bar.close / prev - 1;
    const held = broker.getPosition(this.symbol);
    if (change > this.threshold && held === 0) await broker.buy(this.symbol, this.quantity);
    else if (change < -this.threshold && held > 0) await broker.closePosition(this.symbol);
  }

  snapshot() { return { prev: this.prev }; }
  restore(state) { this.prev = state?.prev; }
}
`,
    'test/strategy.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveEngine, PaperBroker, ReplayFeed, SimulatedClock, silentLogger } from '@tradewire/core';
import MomentumStrategy from '../src/strategy.js';

const bar = (t, close) => [Date.UTC(2024, 0, 2, 14, 30 + t), { DEMO: { open: close, high: close, low: close, close, volume: 1000 } }, {}];

test('buys on an up move and closes on a down move', async () => {
  const clock = new SimulatedClock(0);
  const broker = new PaperBroker({ initialCash: 10000 }, clock, silentLogger);
  const strategy = new MomentumStrategy({ symbol: 'DEMO', threshold: 0.002, quantity: 10 });
  const feed = new ReplayFeed([bar(0, 100), bar(1, 101), bar(2, 101.1), bar(3, 100)]);
  const engine = new LiveEngine({ strategy, broker, feed, clock, handleSignals: false });
  await engine.run();
  assert.equal(engine.stats.orders, 2);
  assert.equal(engine.stats.fills, 2);
  assert.equal(engine.account.position('DEMO'), 0);
  assert.equal(Math.round(engine.account.cash * 100) / 100, 10000 + 10 * (100 - 101));
});
`,
    'README.md': `# ${name}

A Tradewire strategy project.

- \`npm test\` runs the strategy over four bars on the paper broker and checks its trades.
- \`npx tradewire run --config tradewire.config.yaml\` runs what the config wires.
- Edit \`src/strategy.js\`; wire brokers and feeds in \`tradewire.config.yaml\` (plugins: \`npm install @tradewire/broker-ib\` …).
`,
  };
}
