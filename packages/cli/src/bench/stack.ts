import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container, createStateLayer, silentLogger, type BrokerProtocol, type SimulatedClock } from '@tradewire/core';
import type { BenchWrapped } from './engine-bench.js';
import { createRiskMiddleware } from '@tradewire/risk';

/** What sits between the engine and the paper broker in a bench case. */
export type BenchStack = 'journal' | 'journal+risk';

/**
 * Risk limits far from the bench's orders, so every policy is on and none refuses. The bench's
 * orders alternate sides: every other one closes the position, and for those the gate runs only
 * the policies that can refuse a reducing order (the others are `passesReducing`); the opening
 * orders run every policy.
 */
export const ALL_POLICIES_ON = {
  maxPositionValue: 1e12, maxPositionShares: 1e9, maxTotalExposure: 1e13, maxPositions: 1000, maxOrderValue: 1e9,
  maxOrderShares: 1e6, maxOrdersPerMinute: 1e9, maxDailyLoss: 1e12, maxDrawdownPct: 99, maxPriceDeviationPct: 50,
  maxDataStalenessSeconds: 1e9, blockedAssets: ['NOPE'], allowedAssets: ['BENCH'],
  // on, and never refusing: the bench's orders alternate sides, so equal orders are two bars (120 s) apart
  dedupWindowSeconds: 30,
  // on, and never quarantining: the bench's prices move 0.01 a bar around 100 (and back by 1.99, 2 %, every 200 bars)
  priceBand: { pct: 5 },
};

/**
 * Builds the wrapper for `runEngineCase`: the durable journal (a fresh state dir, durability
 * `process`: every write committed before the adapter is called) and optionally the risk layer
 * with every policy on, its state in the same store. Returns a cleanup that removes the dir.
 */
export function stackWrapper(stack: BenchStack): { wrap: (b: BrokerProtocol, clock: SimulatedClock) => Promise<BenchWrapped>; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tw-bench-'));
  let close: (() => void) | undefined;
  return {
    async wrap(paper, clock) {
      const layer = createStateLayer({ stateDir: join(dir, 'state'), durability: 'process', clock, logger: silentLogger });
      close = () => layer.close();
      const journaled = layer.wrapBroker(paper);
      // the engine takes its order ids from the state layer, as `buildEngine` wires it
      const idGenerator = layer.idGenerator;
      if (stack === 'journal') return { broker: journaled, idGenerator };
      const def = createRiskMiddleware();
      const config = def.configSchema.parse(ALL_POLICIES_ON);
      const ctx = { container: container.createChildContainer(), clock, logger: silentLogger, kv: layer.kv };
      const mw = await def.create(config, ctx);
      return { broker: await mw.wrap(journaled, ctx), idGenerator };
    },
    cleanup() {
      try { close?.(); } finally { rmSync(dir, { recursive: true, force: true }); }
    },
  };
}
