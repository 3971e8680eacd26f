import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StateStore, LOCK_FILE, STATE_DB_FILE, createStateLayer, isTradingError } from '@tradewire/core';
import { cleanupTempDirs, tempDir } from './helpers.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const CORE_URL = import.meta.resolve('@tradewire/core');

/**
 * Opens the state layer on `dir` as a user for whom file permissions hold: this process when it
 * is not root, else a child process running as uid/gid 65534 (root writes through chmod 400).
 */
function openAsUnprivileged(dir: string): { code?: string; message?: string; opened: boolean } {
  const script = `
    const { createStateLayer, isTradingError } = await import(${JSON.stringify(CORE_URL)});
    let out = { opened: false };
    try { createStateLayer({ stateDir: ${JSON.stringify(dir)} }).close(); out.opened = true; }
    catch (e) { out = { opened: false, code: isTradingError(e) ? e.code : String(e.code), message: e.message }; }
    process.stdout.write(JSON.stringify(out));`;
  if (!isRoot) {
    try { createStateLayer({ stateDir: dir }).close(); return { opened: true }; } catch (e) {
      if (!isTradingError(e)) throw e;
      return { opened: false, code: e.code, message: e.message };
    }
  }
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { uid: NOBODY, gid: NOBODY, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child as uid ${NOBODY} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ReturnType<typeof openAsUnprivileged>;
}

function modeOf(file: string): number { return statSync(file).mode & 0o777; }

describe('state file permissions', () => {
  afterEach(cleanupTempDirs);

  it('a state.db that cannot be written (chmod 400) → STATE_UNWRITABLE naming the file, lock released, file untouched', function () {
    const dir = tempDir();
    StateStore.open({ stateDir: dir }).close();
    const file = join(dir, STATE_DB_FILE);
    chmodSync(file, 0o400);
    if (isRoot) {
      // root ignores the mode: run the open as an unprivileged owner of the directory
      chownSync(dir, NOBODY, NOBODY);
      chownSync(file, NOBODY, NOBODY);
      const probe = spawnSync(process.execPath, ['-e', '1'], { uid: NOBODY, gid: NOBODY });
      if (probe.error) this.skip(); // cannot switch user here (no CAP_SETUID): nothing meaningful to check as root
    }
    const r = openAsUnprivileged(dir);
    expect(r.opened).to.equal(false);
    expect(r.code).to.equal('STATE_UNWRITABLE');
    expect(r.message).to.contain(file).and.contain('not writable');
    expect(existsSync(join(dir, LOCK_FILE))).to.equal(false);
    expect(modeOf(file)).to.equal(0o400); // never made writable behind the user's back
  });

  it('only removes group/other bits from state.db, never adds any', () => {
    const cases: [number, number][] = [[0o644, 0o600], [0o640, 0o600], [0o600, 0o600]];
    // 0400 / 0444 can only be opened read-write by root (a user gets STATE_UNWRITABLE, above)
    if (isRoot) cases.push([0o400, 0o400], [0o444, 0o400]);
    for (const [before, after] of cases) {
      const dir = tempDir();
      StateStore.open({ stateDir: dir }).close();
      const file = join(dir, STATE_DB_FILE);
      chmodSync(file, before);
      StateStore.open({ stateDir: dir }).close();
      expect(modeOf(file), `mode ${before.toString(8)}`).to.equal(after);
    }
  });
});
