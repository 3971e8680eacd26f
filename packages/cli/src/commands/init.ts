import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { scaffoldFiles } from '../scaffold.js';

/** `tradewire init DIR`: a strategy project with package.json, config, strategy and a test. */
export function register(program: Command): void {
  program
    .command('init')
    .argument('<dir>', 'directory to create (must be empty or absent)')
    .description('scaffold a strategy project (package.json, tradewire.config.yaml, strategy, one test)')
    .action(async (dir: string) => {
      const root = resolve(dir);
      if (existsSync(root) && (await readdir(root)).length > 0) throw new Error(`${root} is not empty; choose a new directory`);
      const files = scaffoldFiles(basename(root).toLowerCase().replace(/[^a-z0-9-]/g, '-') || 'my-strategy');
      for (const [rel, text] of Object.entries(files)) {
        const file = join(root, rel);
        await mkdir(join(file, '..'), { recursive: true });
        await writeFile(file, text);
      }
      process.stdout.write(`created ${Object.keys(files).length} files in ${root}\nnext: cd ${dir} && npm install && npm test && npx tradewire run --config tradewire.config.yaml\n`);
    });
}
