import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StateStore, LOCK_FILE, MemoryLogger, isTradingError } from '@tradewire/core';
import { cleanupTempDirs, tempDir } from './helpers.js';

function errorOf(fn: () => unknown): { code: string; message: string; details: Record<string, unknown> } {
  try { fn(); } catch (err) {
    if (isTradingError(err)) return { code: err.code, message: err.message, details: err.details };
    throw err;
  }
  throw new Error('expected a throw');
}

const HINTS = ['--break-stale-lock', 'state.breakStaleLock: true'];

function writeLock(dir: string, content: unknown): string {
  const file = join(dir, LOCK_FILE);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** Opens with the flag; returns the warnings logged and checks the lock is now ours. */
function breakWithFlag(dir: string): MemoryLogger['entries'] {
  const logger = new MemoryLogger();
  const s = StateStore.open({ stateDir: dir, breakStaleLock: true, logger });
  const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; host: string; startedAt: number };
  expect(lock.pid).to.equal(process.pid);
  expect(lock.host).to.equal(hostname());
  expect(lock.startedAt).to.be.greaterThan(1);
  s.close();
  expect(existsSync(join(dir, LOCK_FILE))).to.equal(false);
  return logger.entries.filter((e) => e.level === 'warn');
}

describe('state dir lock', () => {
  afterEach(cleanupTempDirs);

  it('a lock naming our pid that this process does not hold (an earlier process with the same pid, or another container): refused even with the flag, saying to remove it by hand', () => {
    const dir = tempDir();
    const file = writeLock(dir, { pid: process.pid, host: hostname(), startedAt: 1 });
    for (const breakStaleLock of [false, true]) {
      const e = errorOf(() => StateStore.open({ stateDir: dir, breakStaleLock }));
      expect(e.code).to.equal('STATE_LOCK_STALE');
      expect(e.message).to.contain(`pid ${process.pid}`).and.contain('earlier process with the same pid').and.contain(`remove ${file} by hand`);
      expect(readFileSync(file, 'utf8')).to.contain('"startedAt":1'); // untouched
    }
  });

  it('a lock this process holds is refused as STATE_LOCKED, even with the flag', () => {
    const dir = tempDir();
    const a = StateStore.open({ stateDir: dir });
    const e = errorOf(() => StateStore.open({ stateDir: dir, breakStaleLock: true }));
    expect(e.code).to.equal('STATE_LOCKED');
    expect(e.message).to.contain(`pid ${process.pid}`).and.contain('(this process)');
    a.close();
    StateStore.open({ stateDir: dir }).close(); // released: the record forgets it
  });

  it('the per-process record sees one name per directory (a symlinked path to a held dir is still refused)', () => {
    const dir = tempDir();
    const link = `${dir}-link`;
    symlinkSync(dir, link);
    try {
      const a = StateStore.open({ stateDir: dir });
      expect(errorOf(() => StateStore.open({ stateDir: link, breakStaleLock: true })).code).to.equal('STATE_LOCKED');
      a.close();
    } finally {
      unlinkSync(link);
    }
  });

  it('a lock from another host cannot be checked: refused naming host and pid, even with the flag (a standing config key must never take over a live lock)', () => {
    const dir = tempDir();
    const file = writeLock(dir, { pid: 1, host: 'old-container-7f3a', startedAt: 5 });
    for (const breakStaleLock of [false, true]) {
      const e = errorOf(() => StateStore.open({ stateDir: dir, breakStaleLock }));
      expect(e.code).to.equal('STATE_LOCK_OTHER_HOST');
      expect(e.message).to.contain('pid 1 on host old-container-7f3a').and.contain(`not this host (${hostname()})`).and.contain('cannot be checked').and.contain(`remove ${file} by hand`);
      expect(e.details).to.include({ pid: 1, host: 'old-container-7f3a', file });
      expect(readFileSync(file, 'utf8')).to.contain('old-container-7f3a');
    }
  });

  for (const [what, content] of [['empty', ''], ['truncated JSON', '{"pid":12'], ['a record without a host', '{"pid":12,"startedAt":3}']] as const) {
    it(`a lock file that is ${what}: refused naming the file and the flag; broken with the flag`, () => {
      const dir = tempDir();
      const file = writeLock(dir, content);
      const e = errorOf(() => StateStore.open({ stateDir: dir }));
      expect(e.code).to.equal('STATE_LOCK_UNREADABLE');
      expect(e.message).to.contain(file);
      for (const h of HINTS) expect(e.message).to.contain(h);
      expect(readFileSync(file, 'utf8')).to.equal(content);
      const warns = breakWithFlag(dir);
      expect(warns).to.have.length(1);
      expect(warns[0]!.fields['file']).to.equal(file);
      expect(String(warns[0]!.fields['reason'])).to.match(/empty|JSON|pid, host/);
    });
  }

  it('a lock path that is a directory says so (EISDIR) and is never removed, even with the flag', () => {
    const dir = tempDir();
    const file = join(dir, LOCK_FILE);
    mkdirSync(file);
    for (const breakStaleLock of [false, true]) {
      const e = errorOf(() => StateStore.open({ stateDir: dir, breakStaleLock }));
      expect(e.code).to.equal('STATE_LOCK_UNREADABLE');
      expect(e.message).to.contain(file).and.contain('EISDIR').and.contain('is a directory');
      expect(e.details['reason']).to.equal('EISDIR');
    }
    expect(statSync(file).isDirectory()).to.equal(true);
  });

  it('the stale-lock message names both ways to set the flag (demo option and config key)', () => {
    const dir = tempDir();
    // a pid far above pid_max is never alive
    writeLock(dir, { pid: 2 ** 30, host: hostname(), startedAt: 1 });
    const e = errorOf(() => StateStore.open({ stateDir: dir }));
    expect(e.code).to.equal('STATE_LOCK_STALE');
    expect(e.message).to.contain('process is gone');
    for (const h of HINTS) expect(e.message).to.contain(h);
    expect(breakWithFlag(dir)).to.have.length(1);
  });
});
