import type { Command } from 'commander';
import { buildEngine, loadConfigFile, recordEquity, type EquityPoint } from '@tradewire/core';
import { openStateFromConfig } from './state.js';
import { runWithReport } from './run-report.js';
import { StartupSignalGuard } from './startup-signals.js';

/** `tradewire run --config FILE`: runs what the config wires. */
export function register(program: Command): void {
  program
    .command('run')
    .description('run the strategy, broker, feed and risk layer a config file wires')
    .requiredOption('-c, --config <file>', 'tradewire.config.yaml or .json')
    .option('--json', 'print the figures as one JSON object on the last line')
    .option('--out <dir>', 'write equity.html into this directory')
    .action(async (opts: { config: string; json?: boolean; out?: string }) => {
      const { config, baseDir } = await loadConfigFile(opts.config);
      let curve: EquityPoint[] = [];
      const guard = new StartupSignalGuard(); // a signal before the engine runs must not leave the state dir locked
      let built: Awaited<ReturnType<typeof buildEngine>>;
      try {
        built = await buildEngine(config, {
          baseDir,
          wrapStrategy: (s) => { const r = recordEquity(s); curve = r.curve; return r.strategy; },
          openState: async (c, ctx) => { const layer = await openStateFromConfig(c, ctx); guard.onSignal(() => layer.close()); return layer; },
        });
      } catch (e) {
        guard.release();
        throw e;
      }
      try {
        const running = runWithReport(built.engine, curve, { json: opts.json === true, title: `tradewire run ${opts.config} (${config.mode})`, ...(opts.out ? { outDir: opts.out } : {}), progress: false });
        guard.release(); // only now: run() has installed the engine's handlers (removing ours first would drop a pending signal)
        const figures = await running;
        if (figures.tradingState === 'HALTED') process.exitCode = 3;
      } finally {
        await built.close();
      }
    });
}
