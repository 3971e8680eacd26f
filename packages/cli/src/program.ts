import { Command } from 'commander';
import { isTradingError } from '@tradewire/core';
import { register as demo } from './commands/demo.js';
import { register as run } from './commands/run.js';
import { register as init } from './commands/init.js';
import { register as dbn } from './commands/dbn.js';
import { register as state } from './commands/state.js';
import { register as reconcile } from './commands/reconcile.js';
import { register as risk } from './commands/risk.js';

/** Builds the `tradewire` program; each command lives in its own module. @public */
export function createProgram(): Command {
  const program = new Command('tradewire')
    .description('Run trading strategies: backtest, paper, shadow and live with one strategy object.')
    .version('0.1.0')
    .showHelpAfterError();
  for (const reg of [demo, run, init, dbn, state, reconcile, risk]) reg(program);
  return program;
}

/** Runs the CLI; typed errors print their code and message (never a stack or a secret). @public */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await createProgram().parseAsync(argv);
  } catch (err) {
    if (isTradingError(err)) process.stderr.write(`tradewire: ${err.code}: ${err.message}\n`);
    else process.stderr.write(`tradewire: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
  }
}
