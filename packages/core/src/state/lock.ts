import { closeSync, linkSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { StateError } from '../errors.js';
import type { Logger } from '../logger.js';
import { heldLocks } from './held-locks.js';

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

/** What the operator sets to take over a lock they know is dead. */
const BREAK_STALE_LOCK_HINT = '`--break-stale-lock` (tradewire demo) or `state.breakStaleLock: true` in the config (tradewire run)';

type LockFileState =
  | { kind: 'absent' }
  | { kind: 'held'; info: LockInfo }
  | { kind: 'invalid'; why: string } // empty or not a lock record: breakable with the flag
  | { kind: 'unreadable'; err: NodeJS.ErrnoException; why: string }; // could not be read at all (a directory, no permission)

function inspectLock(path: string): LockFileState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { kind: 'absent' };
    const why = e.code === 'EISDIR' ? 'EISDIR: it is a directory, not a lock file'
      : e.code === 'EACCES' || e.code === 'EPERM' ? `${e.code}: permission denied` : `${e.code ?? 'error'}: ${e.message}`;
    return { kind: 'unreadable', err: e, why };
  }
  if (text.trim() === '') return { kind: 'invalid', why: 'it is empty' };
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { return { kind: 'invalid', why: 'it is not valid JSON' }; }
  const r = LockInfoSchema.safeParse(parsed);
  return r.success ? { kind: 'held', info: r.data } : { kind: 'invalid', why: 'it does not hold a pid, host and start time' };
}

/** Reads the lock file; undefined when absent; a StateError (`STATE_LOCK_UNREADABLE`, naming the file) when unreadable. */
export function readLock(stateDir: string): LockInfo | undefined {
  const path = join(stateDir, LOCK_FILE);
  const s = inspectLock(path);
  if (s.kind === 'absent') return undefined;
  if (s.kind === 'held') return s.info;
  throw unreadableError(path, stateDir, s);
}

function unreadableError(path: string, stateDir: string, s: Extract<LockFileState, { kind: 'invalid' | 'unreadable' }>): StateError {
  if (s.kind === 'unreadable') {
    return new StateError(`cannot read lock file ${path} (${s.why}); remove it by hand after checking no engine runs on ${stateDir}`,
      'STATE_LOCK_UNREADABLE', { cause: s.err, details: { file: path, reason: s.err.code } });
  }
  return new StateError(`lock file ${path} is unreadable (${s.why}); if no engine runs on ${stateDir}, take it over with ${BREAK_STALE_LOCK_HINT}`,
    'STATE_LOCK_UNREADABLE', { details: { file: path } });
}

/**
 * An exclusive lock on a state directory: a lock file holding pid and host, created with its
 * content in one step. A live holder on this host is refused (`STATE_LOCKED`, naming its pid).
 * Only with `breakStale` is a lock taken over, and only one whose holder is known to be gone: a
 * dead process on this host (`STATE_LOCK_STALE` without the flag) or an empty or unparsable lock
 * file (`STATE_LOCK_UNREADABLE` without the flag); each take-over is logged as a warning. A lock
 * from another host (`STATE_LOCK_OTHER_HOST`) or naming this process's pid without this process
 * holding it (`STATE_LOCK_STALE`) cannot be checked from here and is never taken over.
 * @public
 */
export class StateDirLock {
  readonly path: string;
  readonly info: LockInfo;
  #released = false;

  private constructor(path: string, info: LockInfo) {
    this.path = path;
    this.info = info;
    heldLocks.add(path);
  }

  static acquire(stateDir: string, options: { breakStale?: boolean; logger?: Logger } = {}): StateDirLock {
    const path = lockPath(stateDir);
    const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: Date.now() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        createWithContent(path, JSON.stringify(info));
        return new StateDirLock(path, info);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new StateError(`cannot create lock file ${path}: ${(err as Error).message}`, 'STATE_LOCK_FAILED', { cause: err, details: { file: path } });
        }
      }
      const s = inspectLock(path);
      if (s.kind === 'absent') continue; // vanished between open and read: retry
      if (s.kind === 'unreadable' || (s.kind === 'invalid' && !options.breakStale)) throw unreadableError(path, stateDir, s);
      if (s.kind === 'held') refuseUnlessBreakable(stateDir, s.info, info.host, path, options.breakStale === true);
      const old = s.kind === 'held' ? s.info : { reason: s.why }; // info: the parsed pid, host and start time, nothing else
      options.logger?.warn('breaking the state dir lock (break-stale-lock set)', { file: path, ...old });
      try { unlinkSync(path); } catch { /* raced with another breaker: the retry decides */ }
    }
    throw new StateError(`could not acquire lock on ${stateDir}`, 'STATE_LOCK_FAILED', { details: { stateDir } });
  }

  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    heldLocks.delete(this.path);
    try {
      const cur = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<LockInfo>;
      if (cur.pid === this.info.pid && cur.startedAt === this.info.startedAt) unlinkSync(this.path);
    } catch { /* already gone */ }
  }
}

/** The lock file's path, symlinks resolved (the per-process record must see one name per directory). */
function lockPath(stateDir: string): string {
  let dir = resolve(stateDir);
  try { dir = realpathSync(dir); } catch { /* not there (yet): creating the lock file reports it */ }
  return join(dir, LOCK_FILE);
}

/** Throws unless the holder may be broken: a dead process on this host, and `breakStale` is set. */
function refuseUnlessBreakable(stateDir: string, holder: LockInfo, ourHost: string, path: string, breakStale: boolean): void {
  const details = { stateDir, file: path, pid: holder.pid, host: holder.host, startedAt: holder.startedAt };
  // The break flag can be a standing config key (`state.breakStaleLock`), so it only ever takes over
  // a lock whose holder is known to be dead. A holder on another host, or one with our own pid that
  // this process does not hold (an earlier process with the same pid after a container restart, or
  // another container sharing this directory and hostname), cannot be checked from here: an
  // operator who knows it is gone removes the file by hand.
  if (holder.host !== ourHost) {
    throw new StateError(
      `state dir ${stateDir} is locked by pid ${holder.pid} on host ${holder.host}, not this host (${ourHost}): whether that process is alive cannot be checked from here. If you know it is gone (e.g. its container was replaced), remove ${path} by hand and start again`,
      'STATE_LOCK_OTHER_HOST', { details });
  }
  const ours = holder.pid === process.pid;
  if (ours && !heldLocks.has(path)) {
    throw new StateError(
      `state dir ${stateDir} is locked by pid ${holder.pid} on host ${holder.host}, the pid of this process, which does not hold it: an earlier process with the same pid (a restarted container) or another one sharing this directory and hostname. If no other engine uses ${stateDir}, remove ${path} by hand and start again`,
      'STATE_LOCK_STALE', { details });
  }
  if (ours || pidAlive(holder.pid)) {
    throw new StateError(
      `state dir ${stateDir} is locked by pid ${holder.pid} on host ${holder.host}${ours ? ' (this process)' : ''}; another engine is using it`,
      'STATE_LOCKED', { details });
  }
  if (breakStale) return;
  throw new StateError(
    `state dir ${stateDir} has a stale lock from pid ${holder.pid} on host ${holder.host} (process is gone); take it over with ${BREAK_STALE_LOCK_HINT}`,
    'STATE_LOCK_STALE', { details });
}

/**
 * Creates `path` holding `text`, or fails with EEXIST: written to a private temporary file first,
 * then hard-linked into place (atomic), so no other process ever sees the lock file empty (an
 * empty lock would read as unreadable, and with the break flag be taken over from a live holder).
 */
function createWithContent(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    try { writeSync(fd, text); } finally { closeSync(fd); }
    try {
      linkSync(tmp, path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
      // a file system without hard links: O_EXCL create, then write (the short window comes back)
      const lock = openSync(path, 'wx', 0o600);
      try { writeSync(lock, text); } finally { closeSync(lock); }
    }
  } finally {
    try { unlinkSync(tmp); } catch { /* already gone */ }
  }
}
