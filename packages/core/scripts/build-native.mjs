// Builds core's optional native part at install: native/tw_rows.c, a SQLite extension the journal
// writer loads to insert a batch's rows from one blob (src/state/native-rows.ts). Optional: when it
// cannot be built (no C compiler, Windows, no SQLite headers) the writer binds every value from
// JavaScript instead: the same rows, about twice the writer's CPU per order. So a failure here
// warns and exits 0; it never fails the install.
//
// Compiler: $CC, else `cc`. Set TRADEWIRE_SKIP_NATIVE=1 to skip the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'tw_rows.c');
const outDir = join(root, 'native', 'build');
const out = join(outDir, 'tw_rows.so');

function skip(why) {
  process.stderr.write(`@tradewire/core: native journal writer not built (${why}); the journal writer binds rows from JavaScript instead (slower, same result)\n`);
  process.exit(0);
}

if (process.env.TRADEWIRE_SKIP_NATIVE === '1') skip('TRADEWIRE_SKIP_NATIVE=1');
if (process.platform === 'win32') skip('not built on Windows');
let headers;
try {
  headers = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'deps', 'sqlite3');
} catch {
  skip('better-sqlite3 not found');
}
if (!existsSync(join(headers, 'sqlite3ext.h'))) skip(`no sqlite3ext.h in ${headers}`);

mkdirSync(outDir, { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
const cc = process.env.CC || 'cc';
const linkFlags = process.platform === 'darwin' ? ['-dynamiclib', '-undefined', 'dynamic_lookup'] : ['-shared'];
const r = spawnSync(cc, ['-O2', '-fPIC', '-Wall', '-Werror', ...linkFlags, '-I', headers, source, '-o', tmp], { stdio: ['ignore', 'inherit', 'inherit'] });
if (r.error || r.status !== 0) {
  rmSync(tmp, { force: true });
  skip(r.error ? `${cc}: ${r.error.message}` : `${cc} exited with ${r.status}`);
}
renameSync(tmp, out); // never a half-written library where the writer looks for it
