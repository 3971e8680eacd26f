// Builds core's optional native parts at install, each on its own (one failing leaves the other):
// - native/tw_rows.c → native/build/tw_rows.so: a SQLite extension the journal writer loads to
//   insert a batch's rows from one blob (src/state/native-rows.ts). Without it the writer binds
//   every value from JavaScript: the same rows, about twice the writer's CPU per order.
// - native/tw_mmap.c → native/build/tw_mmap.node: a Node-API addon that maps journal-log segments
//   into memory (src/state/log-segment.ts). Without it each frame is a write(2): the same bytes
//   and the same durability, about 2 µs more per order intent on the engine's thread.
// Both are optional, so a failure here warns and exits 0; it never fails the install.
//
// Compiler: $CC, else `cc`. Set TRADEWIRE_SKIP_NATIVE=1 to skip the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'native', 'build');

const FALLBACK = {
  tw_rows: 'the journal writer binds rows from JavaScript instead (slower, same rows)',
  tw_mmap: 'the journal log is written by write(2) instead (slower, same frames and durability)',
};

function warn(part, why) {
  process.stderr.write(`@tradewire/core: native ${part} not built (${why}); ${FALLBACK[part]}\n`);
}

function build(part, out, includes) {
  const tmp = `${out}.${process.pid}.tmp`;
  const cc = process.env.CC || 'cc';
  const linkFlags = process.platform === 'darwin' ? ['-dynamiclib', '-undefined', 'dynamic_lookup'] : ['-shared'];
  try {
    mkdirSync(outDir, { recursive: true });
    const r = spawnSync(cc, ['-O2', '-fPIC', '-Wall', '-Werror', ...linkFlags, ...includes.flatMap((i) => ['-I', i]), join(root, 'native', `${part}.c`), '-o', tmp], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.error || r.status !== 0) throw new Error(r.error ? `${cc}: ${r.error.message}` : `${cc} exited with ${r.status}`);
    renameSync(tmp, out); // never a half-written library where core looks for it
  } catch (err) { // a compiler missing or failing, a read-only install directory: never a failed install
    rmSync(tmp, { force: true });
    warn(part, err.message);
  }
}

if (process.env.TRADEWIRE_SKIP_NATIVE === '1') {
  for (const part of Object.keys(FALLBACK)) warn(part, 'TRADEWIRE_SKIP_NATIVE=1');
} else if (process.platform === 'win32') {
  for (const part of Object.keys(FALLBACK)) warn(part, 'not built on Windows');
} else {
  let sqliteHeaders;
  try {
    sqliteHeaders = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'deps', 'sqlite3');
  } catch { /* reported below */ }
  if (sqliteHeaders && existsSync(join(sqliteHeaders, 'sqlite3ext.h'))) build('tw_rows', join(outDir, 'tw_rows.so'), [sqliteHeaders]);
  else warn('tw_rows', 'no sqlite3ext.h in better-sqlite3');
  // Node's own headers: next to this node binary, or where npm is told they are (npm_config_nodedir)
  const nodeHeaders = [join(dirname(dirname(process.execPath)), 'include', 'node'), process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node')]
    .find((d) => d && existsSync(join(d, 'node_api.h')));
  if (nodeHeaders) build('tw_mmap', join(outDir, 'tw_mmap.node'), [nodeHeaders]);
  else warn('tw_mmap', 'no node_api.h next to this node binary');
}
