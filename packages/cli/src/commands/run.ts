import type { Command } from 'commander';
import { buildEngine, loadConfigFile, recordEquity, type EquityPoint } from '@tradewire/core';
import { openStateFromConfig } from './state.js';
import { runWithReport } from './run-report.js';

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
      const built = await buildEngine(config, {
        baseDir,
        wrapStrategy: (s) => { const r = recordEquity(s); curve = r.curve; return r.strategy; },
        openState: openStateFromConfig,
      });
      try {
        const figures = await runWithReport(built.engine, curve, { json: opts.json === true, title: `tradewire run ${opts.config} (${config.mode})`, ...(opts.out ? { outDir: opts.out } : {}), progress: false });
        if (figures.tradingState === 'HALTED') process.exitCode = 3;
      } finally {
        await built.close();
      }
    });
}
