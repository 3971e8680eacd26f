import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import {
  container, createLogger, createRegistry, createStateLayer, LiveEngine, PaperLedgerFile, recordEquity, ReplayFeed, SimulatedClock,
  type BrokerProtocol, type EngineExtension, type KeyValueStore, type PaperBroker, type StateLayer,
} from '@tradewire/core';
import riskDefinitions from '@tradewire/risk';
import { generateDemoBars } from '../demo/demo-data.js';
import { MovingAverageCrossStrategy } from '../demo/ma-cross.js';
import { StartupSignalGuard } from './startup-signals.js';
import { runWithReport } from './run-report.js';

interface DemoOptions {
  json?: boolean; bars: number; seed: number; out: string; progress: boolean;
  stateDir?: string; maxDailyLoss?: number; breakStaleLock?: boolean;
}

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
    .option('--state-dir <dir>', 'durable state: order journal, checkpoints, risk state, and the paper venue\'s own ledger (restart with the same dir to resume)')
    .option('--break-stale-lock', 'take over a state dir lock whose holder is known to be gone (a dead pid on this host, an empty or unparsable lock file); a lock from another host or container is never taken over')
    .option('--max-daily-loss <usd>', 'install the risk layer with this daily loss limit (the kill switch trips past it)', (v) => parsePositiveNumber(v, '--max-daily-loss'))
    .action(async (opts: DemoOptions) => { await runDemo(opts); });
}

async function runDemo(opts: DemoOptions): Promise<void> {
  const clock = new SimulatedClock(0);
  const logger = createLogger({ level: 'warn' });
  const registry = createRegistry().register(...riskDefinitions);
  const stateDir = opts.stateDir ? resolve(opts.stateDir) : undefined;
  let state: StateLayer | undefined;
  const guard = new StartupSignalGuard(); // a Ctrl-C while the data is generated must not leave the state dir locked
  if (stateDir) {
    const layer = createStateLayer({
      stateDir, durability: 'process', breakStaleLock: opts.breakStaleLock === true, clock, logger,
      reconcile: { policy: 'adopt-broker', intervalSeconds: 24 * 3600 }, checkpointIntervalSeconds: 3600,
    });
    guard.onSignal(() => layer.close());
    state = layer;
  }
  try {
    const paper = (await registry.create('broker', 'paper', { initialCash: 100_000, slippageBps: 1, commission: { perShare: 0.005, minimum: 1 } }, { clock, logger })) as PaperBroker;
    if (stateDir) new PaperLedgerFile(join(stateDir, 'venue', 'paper-ledger.jsonl')).attach(paper);
    let broker: BrokerProtocol = state ? state.wrapBroker(paper) : paper;
    if (opts.maxDailyLoss !== undefined) {
      const kv: KeyValueStore | undefined = state?.kv;
      const mw = await registry.create('middleware', 'risk', { maxDailyLoss: opts.maxDailyLoss }, { clock, logger, ...(kv ? { kv } : {}) });
      broker = await mw.wrap(broker, { container: container.createChildContainer(), clock, logger, ...(kv ? { kv } : {}) });
    }
    const events = generateDemoBars({ bars: opts.bars, seed: opts.seed });
    const { strategy, curve } = recordEquity(new MovingAverageCrossStrategy({ symbol: 'DEMO', fast: 30, slow: 120, allocation: 0.9 }));
    const extensions: EngineExtension[] = state ? [...state.extensions] : [];
    const engine = new LiveEngine({
      strategy, broker, feed: new ReplayFeed(events, 'demo'), clock, logger, mode: 'replay', extensions,
      ...(state ? { idGenerator: state.idGenerator } : {}),
    });
    const running = runWithReport(engine, curve, {
      json: opts.json === true, title: `Tradewire demo: MA(30/120) crossover on ${events.length} synthetic 1-minute bars (seed ${opts.seed})`,
      outDir: opts.out, expectedBars: events.length, progress: opts.progress,
    });
    guard.release(); // only now: run() has installed the engine's handlers (removing ours first would drop a pending signal)
    const figures = await running;
    if (figures.tradingState === 'HALTED') {
      const hints = stateDir && opts.stateDir && state ? resumeHints(opts.stateDir, state, broker) : [];
      (opts.json ? process.stderr : process.stdout).write(`engine HALTED: ${engine.stats.haltReason ?? ''}\n${hints.map((h) => `${h}\n`).join('')}`);
      process.exitCode = 3;
    }
  } finally {
    guard.release();
    state?.close();
  }
}

/**
 * What an operator runs to trade again, for each cause that holds the next start HALTED: the
 * state layer's persisted halt (corrupt state, an overfill, a failed journal write) and the risk
 * layer's kill switch or breaker trip. Both can hold at once (a corrupt risk state sets both).
 */
function resumeHints(dir: string, state: StateLayer, broker: BrokerProtocol): string[] {
  const hints: string[] = [];
  let persisted = false;
  try { persisted = state.store.halt() !== undefined; } catch { persisted = true; } // an unreadable marker also holds the start
  if (broker.haltReason?.() !== undefined) hints.push(`resume the risk layer with: tradewire risk resume --state-dir ${dir} --reason "…"`);
  if (persisted) hints.push(`lift the state halt with: tradewire state clear-halt --state-dir ${dir} --reason "…" (after checking the cause above)`);
  return hints;
}

export function parsePositiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got '${v}'`);
  return n;
}

function parsePositiveNumber(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${v}'`);
  return n;
}
