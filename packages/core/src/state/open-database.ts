import { existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { StateError, isTradingError } from '../errors.js';
import { migrate } from './migrations.js';

/**
 * `process`: every order intent is written to the append-only journal log (one append, with the
 * acks/statuses/fills buffered since the last one) before the order is sent (survives a process
 * crash); acks, statuses and fills follow within ms (a crash may lose those; recovery reads them
 * back from the venue); SQLite (synchronous=NORMAL) follows in batches;
 * `power`: synchronous=FULL (also survives power loss or an OS crash);
 * `batch`: writes are grouped and committed every few ms or thousand writes (replay, backtests
 * and benchmarks only, where the venue lives in the same process and dies with it).
 * @public
 */
export type Durability = 'process' | 'power' | 'batch';

const REQUIRED_TABLES = ['schema_version', 'meta', 'counters', 'orders', 'journal', 'fills', 'positions', 'checkpoints', 'events', 'approvals', 'kv'];

function isCorruptionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB') || code === 'SQLITE_FORMAT');
}

function isReadOnlyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM');
}

/**
 * SQLite silently falls back to a read-only handle when the file cannot be opened for writing
 * (chmod 400, another owner, a read-only mount), and better-sqlite3's `db.readonly` only echoes the
 * flag asked for; in WAL mode even `BEGIN IMMEDIATE` succeeds. A page write, rolled back, fails
 * with SQLITE_READONLY there (→ STATE_UNWRITABLE) instead of at the engine's first real write.
 */
function probeWritable(db: BetterSqlite3.Database): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  db.exec('BEGIN IMMEDIATE');
  try { db.pragma(`user_version = ${version}`); } finally { db.exec('ROLLBACK'); }
}

function unwritable(file: string, cause?: unknown): StateError {
  return new StateError(
    `state file ${file} is not writable (read-only file or directory, or another owner); the engine needs to write its state: fix the permissions (e.g. chmod u+w) and start again`,
    'STATE_UNWRITABLE', { ...(cause !== undefined ? { cause } : {}), details: { file } });
}

/** `state.db.corrupt-2026-11-21T23-59-01-123Z` (the -wal/-shm companions follow it). */
export function corruptName(file: string, now: number): string {
  return `${file}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
}

/** Renames a corrupt database (and its -wal/-shm files) aside; never deletes or overwrites. */
export function moveAside(file: string, now: number): string {
  let target = corruptName(file, now);
  for (let i = 1; existsSync(target); i++) target = `${corruptName(file, now)}-${i}`;
  renameSync(file, target);
  for (const sfx of ['-wal', '-shm']) if (existsSync(file + sfx)) renameSync(file + sfx, target + sfx);
  return target;
}

/**
 * Opens (creating if needed) and checks the state database: WAL, the chosen durability,
 * `quick_check`, migrations, required tables. A corrupt file is moved aside and reported as
 * `STATE_CORRUPT` naming both paths; a newer schema is refused untouched (`STATE_SCHEMA_TOO_NEW`);
 * a file SQLite can only open read-only (or a write refused as read-only) is `STATE_UNWRITABLE`.
 */
export function openDatabase(file: string, options: { durability: Durability; readonly?: boolean; now?: () => number }): BetterSqlite3.Database {
  const now = options.now ?? Date.now;
  const readonly = options.readonly ?? false;
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new Database(file, readonly ? { readonly: true, fileMustExist: true } : {});
    db.pragma('busy_timeout = 5000');
    if (!readonly) {
      probeWritable(db);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') throw new StateError(`cannot put ${file} in WAL mode (got ${String(mode)})`, 'STATE_UNREADABLE', { details: { file } });
      db.pragma(`synchronous = ${options.durability === 'power' ? 'FULL' : 'NORMAL'}`);
      db.pragma('cache_size = -16384'); // 16 MB page cache
      db.pragma('wal_autocheckpoint = 4000'); // fewer checkpoint fsyncs on the hot path (WAL up to ~16 MB)
    }
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw Object.assign(new Error(`quick_check: ${String(check)}`), { code: 'SQLITE_CORRUPT' });
    if (!readonly) migrate(db, file, undefined, now);
    const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type='table'`).all() as { name: string }[]).map((r) => r.name));
    const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
    if (missing.length > 0) throw Object.assign(new Error(`missing tables: ${missing.join(', ')}`), { code: 'SQLITE_CORRUPT' });
    return db;
  } catch (err) {
    try { db?.close(); } catch { /* already broken */ }
    if (isTradingError(err)) throw err;
    if (!readonly && isReadOnlyError(err)) throw unwritable(file, err);
    if (isCorruptionError(err)) {
      if (readonly) {
        throw new StateError(`state file ${file} is corrupt or unreadable (${(err as Error).message})`, 'STATE_CORRUPT', { cause: err, details: { file } });
      }
      let movedTo: string | undefined;
      try { movedTo = moveAside(file, now()); } catch { /* leave in place, still refuse */ }
      throw new StateError(
        `state file ${file} is corrupt or unreadable (${(err as Error).message})${movedTo ? `; moved aside to ${movedTo}` : ''}; the engine must start HALTED and be rebuilt from the broker`,
        'STATE_CORRUPT', { cause: err, details: { file, ...(movedTo ? { movedTo } : {}) } });
    }
    throw new StateError(`cannot open state file ${file}: ${(err as Error).message}`, 'STATE_UNREADABLE', { cause: err, details: { file } });
  }
}
