import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { StateError } from '../errors.js';

/** The lock file's name inside a state directory. @public */
export const LOCK_FILE = 'engine.lock';

const LockInfoSchema = z.object({ pid: z.number().int().positive(), host: z.string(), startedAt: z.number() });
/** Who holds a state directory. @public */
export type LockInfo = z.infer<typeof LockInfoSchema>;

/** Is a process with this pid alive on this host? (EPERM means alive but not ours.) */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads the lock file; undefined when absent; a StateError when unreadable. */
export function readLock(stateDir: string): LockInfo | undefined {
  const path = join(stateDir, LOCK_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateError(`cannot read lock file ${path}`, 'STATE_LOCK_UNREADABLE', { cause: err, details: { file: path } });
  }
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  const r = LockInfoSchema.safeParse(parsed);
  if (!r.success) throw new StateError(`lock file ${path} is unreadable; remove it by hand after checking no engine runs on ${stateDir}`, 'STATE_LOCK_UNREADABLE', { details: { file: path } });
  return r.data;
}

/**
 * An exclusive lock on a state directory: an `O_EXCL` lock file holding pid and host. A second
 * engine is refused with the holder's pid; a lock left by a dead process (same host) is broken
 * only when `breakStale` is set.
 * @public
 */
export class StateDirLock {
  readonly path: string;
  readonly info: LockInfo;
  #released = false;

  private constructor(path: string, info: LockInfo) {
    this.path = path;
    this.info = info;
  }

  static acquire(stateDir: string, options: { breakStale?: boolean } = {}): StateDirLock {
    const path = join(stateDir, LOCK_FILE);
    const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: Date.now() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        try { writeSync(fd, JSON.stringify(info)); } finally { closeSync(fd); }
        return new StateDirLock(path, info);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new StateError(`cannot create lock file ${path}: ${(err as Error).message}`, 'STATE_LOCK_FAILED', { cause: err, details: { file: path } });
        }
      }
      const holder = readLock(stateDir);
      if (holder === undefined) continue; // vanished between open and read: retry
      const sameHost = holder.host === info.host;
      if (!sameHost || pidAlive(holder.pid)) {
        throw new StateError(
          `state dir ${stateDir} is locked by pid ${holder.pid} on host ${holder.host}; another engine is using it`,
          'STATE_LOCKED', { details: { stateDir, pid: holder.pid, host: holder.host, startedAt: holder.startedAt } });
      }
      if (!options.breakStale) {
        throw new StateError(
          `state dir ${stateDir} has a stale lock from pid ${holder.pid} on host ${holder.host} (process is gone); restart with the break-stale-lock flag to take it over`,
          'STATE_LOCK_STALE', { details: { stateDir, pid: holder.pid, host: holder.host } });
      }
      try { unlinkSync(path); } catch { /* raced with another breaker: the retry decides */ }
    }
    throw new StateError(`could not acquire lock on ${stateDir}`, 'STATE_LOCK_FAILED', { details: { stateDir } });
  }

  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    try {
      const cur = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<LockInfo>;
      if (cur.pid === this.info.pid && cur.startedAt === this.info.startedAt) unlinkSync(this.path);
    } catch { /* already gone */ }
  }
}
