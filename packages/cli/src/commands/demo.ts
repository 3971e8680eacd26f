import type { Command } from 'commander';
import { createLogger, createRegistry, LiveEngine, recordEquity, ReplayFeed, SimulatedClock } from '@tradewire/core';
import { generateDemoBars } from '../demo/demo-data.js';
import { MovingAverageCrossStrategy } from '../demo/ma-cross.js';
import { runWithReport } from './run-report.js';

/** `tradewire demo`: the bundled strategy over bundled data through the paper broker. */
export function register(program: Command): void {
  program
    .command('demo')
    .description('run the bundled moving-average crossover over bundled data on the paper broker (no network, no credentials)')
    .option('--json', 'print the figures as one JSON object on the last line')
    .option('--bars <n>', 'number of one-minute bars to generate', (v) => parsePositiveInt(v, '--bars'), 30 * 1440)
    .option('--seed <n>', 'seed of the data generator', (v) => parsePositiveInt(v, '--seed'), 20240101)
    .option('--out <dir>', 'where to write equity.html', 'tradewire-demo')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: { json?: boolean; bars: number; seed: number; out: string; progress: boolean }) => {
      const clock = new SimulatedClock(0);
      const logger = createLogger({ level: 'warn' });
      const registry = createRegistry();
      const broker = await registry.create('broker', 'paper', { initialCash: 100_000, slippageBps: 1, commission: { perShare: 0.005, minimum: 1 } }, { clock, logger });
      const events = generateDemoBars({ bars: opts.bars, seed: opts.seed });
      const { strategy, curve } = recordEquity(new MovingAverageCrossStrategy({ symbol: 'DEMO', fast: 30, slow: 120, allocation: 0.9 }));
      const engine = new LiveEngine({ strategy, broker, feed: new ReplayFeed(events, 'demo'), clock, logger, mode: 'replay' });
      await runWithReport(engine, curve, {
        json: opts.json === true, title: `Tradewire demo: MA(30/120) crossover on ${events.length} synthetic 1-minute bars (seed ${opts.seed})`,
        outDir: opts.out, expectedBars: events.length, progress: opts.progress,
      });
    });
}

export function parsePositiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got '${v}'`);
  return n;
}
