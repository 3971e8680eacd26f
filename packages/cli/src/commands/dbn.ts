import type { Command } from 'commander';
import { PluginError } from '@tradewire/core';

interface DbnModule {
  inspectDbn(path: string, options?: { fragmentVersion?: number }): Promise<unknown>;
  dumpDbn(path: string, options: { limit?: number; fragmentVersion?: number }, writeLine: (line: string) => void): Promise<number>;
}

async function loadDbn(): Promise<DbnModule> {
  try {
    const spec = '@tradewire/feed-databento';
    return (await import(spec)) as DbnModule;
  } catch (e) {
    throw new PluginError('the dbn commands need @tradewire/feed-databento: npm install @tradewire/feed-databento', 'PLUGIN_NOT_FOUND', { cause: e });
  }
}

/** `tradewire dbn inspect|dump FILE` (needs @tradewire/feed-databento). */
export function register(program: Command): void {
  const dbn = program.command('dbn').description('inspect and dump Databento DBN files (.dbn, .dbn.zst, fragments)');
  dbn.command('inspect')
    .argument('<file>')
    .option('--json', 'one JSON object: version, dataset, schema, start, end, symbols, recordCount, countsByRtype')
    .option('--fragment-version <n>', 'the file is a record-only fragment of this DBN version', (v) => Number(v))
    .action(async (file: string, opts: { json?: boolean; fragmentVersion?: number }) => {
      const m = await loadDbn();
      const info = await m.inspectDbn(file, opts.fragmentVersion ? { fragmentVersion: opts.fragmentVersion } : {});
      if (opts.json) { process.stdout.write(`${JSON.stringify(info)}\n`); return; }
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) process.stdout.write(`${k.padEnd(14)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
    });
  dbn.command('dump')
    .argument('<file>')
    .option('--limit <n>', 'stop after N records', (v) => Number(v))
    .option('--fragment-version <n>', 'the file is a record-only fragment of this DBN version', (v) => Number(v))
    .action(async (file: string, opts: { limit?: number; fragmentVersion?: number }) => {
      const m = await loadDbn();
      await m.dumpDbn(file, { ...(opts.limit !== undefined ? { limit: opts.limit } : {}), ...(opts.fragmentVersion ? { fragmentVersion: opts.fragmentVersion } : {}) }, (line) => process.stdout.write(`${line}\n`));
    });
}
