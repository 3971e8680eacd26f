import type BetterSqlite3 from 'better-sqlite3';
import { StateError } from '../errors.js';

/** One schema step. `up` runs inside a transaction. */
export interface Migration {
  version: number;
  description: string;
  up: string;
}

/** The ordered schema history. Append only: never edit a released step. @public */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'orders, journal, fills, positions, checkpoints, events, approvals, kv, counters',
    up: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE orders (
        client_order_id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL DEFAULT '',
        asset TEXT NOT NULL,
        side TEXT NOT NULL,
        quantity REAL NOT NULL,
        order_type TEXT NOT NULL,
        limit_price REAL,
        stop_price REAL,
        time_in_force TEXT NOT NULL,
        expire_at INTEGER,
        tag TEXT,
        reduce_only INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        filled_quantity REAL NOT NULL DEFAULT 0,
        avg_fill_price REAL NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        submitted_at INTEGER,
        filled_at INTEGER,
        rejection_reason TEXT,
        external INTEGER NOT NULL DEFAULT 0,
        overfilled INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        ts INTEGER NOT NULL,
        client_order_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT,
        detail TEXT
      );
      CREATE TABLE fills (
        execution_id TEXT PRIMARY KEY,
        client_order_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        asset TEXT NOT NULL,
        side TEXT NOT NULL,
        quantity REAL NOT NULL,
        price REAL NOT NULL,
        commission REAL NOT NULL,
        timestamp INTEGER NOT NULL,
        cumulative_quantity REAL,
        source TEXT NOT NULL,
        recorded_at INTEGER NOT NULL
      );
      CREATE TABLE positions (
        asset TEXT PRIMARY KEY,
        quantity REAL NOT NULL,
        avg_entry_price REAL NOT NULL,
        realized_pnl REAL NOT NULL,
        last_price REAL NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE checkpoints (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts INTEGER NOT NULL,
        journal_seq INTEGER NOT NULL,
        account TEXT NOT NULL,
        strategy TEXT,
        checksum TEXT NOT NULL
      );
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        ts INTEGER NOT NULL,
        kind TEXT NOT NULL,
        data TEXT
      );
      CREATE TRIGGER events_append_only_u BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TRIGGER events_append_only_d BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TABLE approvals (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts INTEGER NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        summary TEXT NOT NULL,
        report TEXT NOT NULL,
        resolved_at INTEGER,
        resolved_by TEXT,
        resolution_note TEXT
      );
      CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, checksum TEXT NOT NULL, updated_at INTEGER NOT NULL);
    `,
  },
];

/** The newest schema this build knows. @public */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Reads the applied schema version (0 for an empty database). */
export function currentSchemaVersion(db: BetterSqlite3.Database): number {
  const t = db.prepare(`SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'`).get();
  if (t === undefined) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null } | undefined;
  return row?.v ?? 0;
}

/**
 * Brings the database to `SCHEMA_VERSION`, one transaction per step. A database written by a
 * newer build is refused (`STATE_SCHEMA_TOO_NEW`) and left untouched.
 * @public
 */
export function migrate(db: BetterSqlite3.Database, file: string, migrations: readonly Migration[] = MIGRATIONS, now: () => number = Date.now): number {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const cur = currentSchemaVersion(db);
  if (cur > latest) {
    throw new StateError(
      `state file ${file} has schema version ${cur}, newer than this build supports (${latest}); upgrade tradewire or point it at another state dir`,
      'STATE_SCHEMA_TOO_NEW', { details: { file, found: cur, supported: latest } });
  }
  if (cur === latest) return cur;
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const record = db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (m.version <= cur) continue;
    db.transaction(() => {
      db.exec(m.up);
      record.run(m.version, m.description, now());
    })();
  }
  return latest;
}
