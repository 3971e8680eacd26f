import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { SystemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../logger.js';
import { StateError } from '../errors.js';
import { checksum } from './checksum.js';
import { crashPoint } from './crash-point.js';
import { StateDirLock } from './lock.js';
import { openDatabase, type Durability } from './open-database.js';
import { SCHEMA_VERSION } from './migrations.js';
import { assertDatabaseNotMissing, ensureMarker } from './state-dir-marker.js';

/** The database file inside a state directory. @public */
export const STATE_DB_FILE = 'state.db';

/** @public */
export interface StateStoreOptions {
  stateDir: string;
  durability?: Durability;
  /** take over a lock whose owner process is gone (explicit operator choice) */
  breakStaleLock?: boolean;
  /**
   * create `state.db` although the directory shows it held one: only right after `STATE_CORRUPT`
   * moved the file aside, by a caller that persists a HALT marker in the fresh file
   */
  replacingCorrupt?: boolean;
  clock?: Clock;
  logger?: Logger;
}

/** Removes group/other permission bits from the state file; never adds any (a 0400 file stays 0400). */
function restrictMode(file: string): void {
  try {
    const mode = statSync(file).mode & 0o7777;
    if ((mode & 0o077) !== 0) chmodSync(file, mode & ~0o077);
  } catch { /* not the owner: leave as is */ }
}

/** A checkpoint as stored: the engine's account view plus the strategy's `snapshot()`. @public */
/**
 * A counter block being reserved in a journal batch: `poll()` is the value before the block once
 * the batch is committed (undefined until then); `wait()` blocks until it is. Both throw
 * `STATE_WRITE_FAILED` if the batch failed. @public
 */
export interface CounterReservation {
  /** the block's start once committed, else undefined */
  poll(): number | undefined;
  /** blocks until committed; throws if its batch failed */
  wait(): number;
  /** hands the batch carrying the block to the writer now, if it was not yet (so it is committed before the block in use runs out) */
  post(): void;
}

export interface Checkpoint {
  id: number;
  timestamp: number;
  /** the journal sequence number covered by this checkpoint */
  journalSeq: number;
  account: unknown;
  strategy: unknown;
}

/** One entry of the append-only event log. @public */
export interface StateEvent { seq: number; timestamp: number; kind: string; data: unknown }

/** An operator decision the engine waits for (policy `approve`). @public */
export interface Approval {
  id: number;
  timestamp: number;
  kind: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
  summary: string;
  report: unknown;
  resolvedAt?: number;
  resolvedBy?: string;
  note?: string;
}

/** The persisted "stay halted" marker (corrupt state, overfill, pending approval, …); `at`: wall time (ms). @public */
export interface HaltMarker { reason: string; code: string; at: number; details?: Record<string, unknown> }

const HaltMarkerSchema = z.object({ reason: z.string(), code: z.string(), at: z.number(), details: z.record(z.string(), z.unknown()).optional() });
const HALT_KEY = 'state.halt';

interface Stmts {
  event: BetterSqlite3.Statement;
  counterGet: BetterSqlite3.Statement;
  counterSet: BetterSqlite3.Statement;
  kvGet: BetterSqlite3.Statement;
  kvSet: BetterSqlite3.Statement;
  kvDel: BetterSqlite3.Statement;
}

/**
 * The durable state of one engine: one SQLite database (WAL) in a locked state directory.
 * Sub-areas (journal, kv) use `db` through their own prepared statements.
 * @public
 */
export class StateStore {
  readonly stateDir: string;
  readonly file: string;
  readonly db: BetterSqlite3.Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly durability: Durability;
  readonly readonly: boolean;
  /** random per-state-dir id, fixed at creation: the namespace of client order ids */
  readonly namespace: string;
  readonly #lock: StateDirLock | undefined;
  #closed = false;
  readonly #tx: BetterSqlite3.Transaction<(fn: () => unknown) => unknown>;
  readonly #batch: boolean;
  readonly #flushHooks: ((closing: boolean) => void)[] = [];
  #writerBusy: (() => boolean) | undefined;
  #writerIdle: (() => void) | undefined;
  #reserver: ((name: string, size: number) => CounterReservation | undefined) | undefined;
  readonly #stmts: Stmts | undefined;
  #logClaimed = false;

  private constructor(opts: { stateDir: string; file: string; db: BetterSqlite3.Database; clock: Clock; logger: Logger; durability: Durability; lock: StateDirLock | undefined; readonly: boolean }) {
    this.stateDir = opts.stateDir;
    this.file = opts.file;
    this.db = opts.db;
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.durability = opts.durability;
    this.#lock = opts.lock;
    this.readonly = opts.readonly;
    this.#tx = this.db.transaction((fn: () => unknown) => fn());
    this.#batch = opts.durability === 'batch';
    if (!opts.readonly) {
      this.#stmts = {
        event: this.db.prepare('INSERT INTO events (ts, kind, data) VALUES (?, ?, ?)'),
        counterGet: this.db.prepare('SELECT value FROM counters WHERE name = ?'),
        counterSet: this.db.prepare('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value'),
        kvGet: this.db.prepare('SELECT value, checksum FROM kv WHERE key = ?'),
        kvSet: this.db.prepare('INSERT INTO kv (key, value, checksum, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, checksum = excluded.checksum, updated_at = excluded.updated_at'),
        kvDel: this.db.prepare('DELETE FROM kv WHERE key = ?'),
      };
    }
    this.namespace = this.#initNamespace();
  }

  /**
   * Opens the state directory for an engine: creates it, takes the lock, opens and migrates the
   * database, leaves the `state-dir.json` marker. Throws `StateError`: STATE_LOCKED / STATE_LOCK_STALE,
   * STATE_MISSING (the directory held a state.db that is gone: never replaced by a fresh one),
   * STATE_CORRUPT (file moved aside), STATE_SCHEMA_TOO_NEW, STATE_UNWRITABLE (opened read-only by
   * SQLite), STATE_UNREADABLE.
   */
  static open(options: StateStoreOptions): StateStore {
    const stateDir = resolve(options.stateDir);
    const clock = options.clock ?? new SystemClock();
    const logger = (options.logger ?? silentLogger).child({ component: 'state' });
    const durability = options.durability ?? 'process';
    try { mkdirSync(stateDir, { recursive: true, mode: 0o700 }); } catch (err) {
      throw new StateError(`cannot create state dir ${stateDir}: ${(err as Error).message}`, 'STATE_UNREADABLE', { cause: err, details: { stateDir } });
    }
    const lock = StateDirLock.acquire(stateDir, { breakStale: options.breakStaleLock ?? false, logger });
    const file = join(stateDir, STATE_DB_FILE);
    let store: StateStore | undefined;
    try {
      if (options.replacingCorrupt !== true) assertDatabaseNotMissing(stateDir, file);
      const db = openDatabase(file, { durability }); // wall time for file names and migration stamps
      restrictMode(file);
      store = new StateStore({ stateDir, file, db, clock, logger, durability, lock, readonly: false });
      ensureMarker(stateDir, file, store.namespace);
      return store;
    } catch (err) {
      if (store) store.close(); else lock.release();
      throw err;
    }
  }

  /** Opens a state directory read-only, without the lock (for `tradewire state show`). */
  static openReadOnly(stateDir: string): StateStore {
    const dir = resolve(stateDir);
    const file = join(dir, STATE_DB_FILE);
    assertDatabaseNotMissing(dir, file); // a lost state.db is named as such, not as "unable to open"
    const db = openDatabase(file, { durability: 'process', readonly: true });
    return new StateStore({ stateDir: dir, file, db, clock: new SystemClock(), logger: silentLogger, durability: 'process', lock: undefined, readonly: true });
  }

  /**
   * Opens a state directory for an operator command (clear a halt, resolve an approval) while
   * an engine may be running: read-write, without the lock, without migrating (the schema must
   * match this build). Only kv, approvals and the event log should be written this way.
   */
  static openOperator(stateDir: string, options: { clock?: Clock } = {}): StateStore {
    const dir = resolve(stateDir);
    const file = join(dir, STATE_DB_FILE);
    assertDatabaseNotMissing(dir, file);
    const ro = openDatabase(file, { durability: 'process', readonly: true });
    const v = (ro.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null }).v ?? 0;
    ro.close();
    if (v !== SCHEMA_VERSION) throw new StateError(`state file ${file} has schema version ${v}; this build speaks ${SCHEMA_VERSION}`, v > SCHEMA_VERSION ? 'STATE_SCHEMA_TOO_NEW' : 'STATE_SCHEMA_OLD', { details: { file, found: v } });
    const db = openDatabase(file, { durability: 'process' });
    return new StateStore({ stateDir: dir, file, db, clock: options.clock ?? new SystemClock(), logger: silentLogger, durability: 'process', lock: undefined, readonly: false });
  }

  get closed(): boolean { return this.#closed; }

  /**
   * Runs `fn` as one atomic write, committed on return (the store's own writes: counters, events,
   * kv, approvals). The journal's hot path in `batch` durability goes through its write-behind
   * buffer instead.
   */
  write<T>(fn: () => T): T {
    if (this.#closed) throw new StateError(`state store ${this.file} is closed`, 'STATE_CLOSED');
    // the journal's writer thread commits its batches back to back: wait until the posted ones are
    // committed (it takes the lock again only when this thread posts another), rather than race it
    // for the lock between two of its transactions
    if (!this.db.inTransaction) this.#writerIdle?.();
    // IMMEDIATE: take the write lock up front, so a concurrent writer (an operator command, the
    // batch worker) makes us wait (busy_timeout) instead of failing a read→write upgrade
    return this.#tx.immediate(fn) as T;
  }

  /** true in `batch` durability */
  get batched(): boolean { return this.#batch; }

  /**
   * true in `process` durability on a store that holds the state-dir lock: the journal writes
   * through its append-only log (`journal-log.ts`). Read-only and operator handles never touch the log.
   */
  get logged(): boolean { return this.durability === 'process' && this.#lock !== undefined && !this.readonly; }

  /** The journal that owns the log (one per store: two would interleave their segments). */
  claimJournalLog(): void {
    if (this.#logClaimed) throw new StateError(`state store ${this.file} already has a journal writing its log; share that OrderJournal`, 'STATE_ERROR', { details: { file: this.file } });
    this.#logClaimed = true;
  }
  /** Undoes `claimJournalLog` when the journal could not be built (a corrupt log moved aside, then retried). */
  releaseJournalLog(): void { this.#logClaimed = false; }

  /** Batch mode: a write-behind buffer (the journal's) registers how to persist and wait for its data. */
  addFlushHook(fn: (closing: boolean) => void): void { this.#flushHooks.push(fn); }

  /** The journal's writer registers how to tell that it is committing a batch (see `writerBusy`). */
  setWriterBusyProbe(probe: () => boolean): void { this.#writerBusy = probe; }

  /** The journal's write-behind buffer registers how it reserves counter blocks with its batches (see `reserveCounterAhead`). */
  setCounterReserver(reserve: (name: string, size: number) => CounterReservation | undefined): void { this.#reserver = reserve; }

  /**
   * Starts reserving a block of `size` values of counter `name` inside the journal writer's next
   * batch (committed with it, within `batchMs`), instead of a commit on this connection that would
   * wait for the writer's lock. Undefined without a write-behind journal (`power`), while another
   * reservation waits for its batch, or after a failed batch: use `reserveCounter`.
   */
  reserveCounterAhead(name: string, size: number): CounterReservation | undefined {
    if (this.#closed || this.readonly) return undefined;
    return this.#reserver?.(name, size);
  }

  /** The journal's writer registers how to wait (never throwing) until it has committed every batch posted to it (see `write`). */
  setWriterIdleWait(wait: () => void): void { this.#writerIdle = wait; }

  /**
   * True while another connection (the journal's writer thread) is committing: a write on this
   * connection now would wait for its lock. Batches are posted only from this thread, so a write
   * started while this is false does not wait.
   */
  writerBusy(): boolean { return this.#writerBusy?.() ?? false; }

  /** Brings SQLite up to date with the journal's buffers (and, in `process`, its log) and waits until written. A no-op in `power`. */
  flush(): void {
    if (this.#closed) return;
    for (const h of this.#flushHooks) h(false);
  }

  #w(): Stmts {
    if (this.#closed) throw new StateError(`state store ${this.file} is closed`, 'STATE_CLOSED');
    if (!this.#stmts) throw new StateError(`state store ${this.file} is open read-only`, 'STATE_READONLY');
    return this.#stmts;
  }

  #initNamespace(): string {
    const row = this.db.prepare(`SELECT value FROM meta WHERE key = 'namespace'`).get() as { value: string } | undefined;
    if (row) {
      if (!/^[A-Za-z0-9]{8}$/.test(row.value)) throw new StateError(`state file ${this.file} has an invalid namespace`, 'STATE_CORRUPT', { details: { file: this.file } });
      return row.value;
    }
    if (this.readonly) return '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const ns = [...randomBytes(8)].map((b) => alphabet[b % alphabet.length] ?? 'x').join('');
    this.db.prepare(`INSERT INTO meta (key, value) VALUES ('namespace', ?), ('created_at', ?)`).run(ns, String(this.clock.now()));
    return ns;
  }

  // ── counters ───────────────────────────────────────────────────────────────
  /** Reserves `size` values of a persistent counter; returns the first. Committed before return. */
  reserveCounter(name: string, size: number): number {
    const s = this.#w();
    try {
      return this.write(() => {
        const row = s.counterGet.get(name) as { value: number } | undefined;
        const start = row?.value ?? 0;
        s.counterSet.run(name, start + size);
        return start;
      });
    } catch (err) {
      throw new StateError(`cannot reserve ids in ${this.file}: ${(err as Error).message}`, 'STATE_WRITE_FAILED', { cause: err, details: { file: this.file, counter: name } });
    }
  }

  // ── event log (append-only) ────────────────────────────────────────────────
  /** Appends an event stamped with the engine clock, or with `at` (wall time for operator-facing events). */
  appendEvent(kind: string, data?: unknown, at?: number): number {
    const st = this.#w().event;
    const info = this.write(() => st.run(at ?? this.clock.now(), kind, data === undefined ? null : JSON.stringify(data)));
    return Number(info.lastInsertRowid);
  }

  events(options: { sinceSeq?: number; kind?: string; limit?: number } = {}): StateEvent[] {
    const rows = this.db.prepare(`SELECT seq, ts, kind, data FROM events WHERE seq > ? ${options.kind ? 'AND kind = ?' : ''} ORDER BY seq LIMIT ?`)
      .all(...[options.sinceSeq ?? 0, ...(options.kind ? [options.kind] : []), options.limit ?? 10_000]) as { seq: number; ts: number; kind: string; data: string | null }[];
    return rows.map((r) => ({ seq: r.seq, timestamp: r.ts, kind: r.kind, data: r.data === null ? undefined : this.#parse(r.data, `event ${r.seq}`) }));
  }

  // ── checkpoints ────────────────────────────────────────────────────────────
  /** Writes a checkpoint atomically (one transaction); the previous one stays intact until commit. */
  writeCheckpoint(input: { account: unknown; strategy?: unknown }): Checkpoint {
    this.#w();
    const ts = this.clock.now();
    const account = JSON.stringify(input.account ?? null);
    const strategy = input.strategy === undefined ? null : JSON.stringify(input.strategy);
    const sum = checksum(`${account}\u0000${strategy ?? ''}`);
    this.flush();
    const id = this.db.transaction(() => {
      const seq = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM journal').get() as { s: number }).s;
      const info = this.db.prepare('INSERT INTO checkpoints (ts, journal_seq, account, strategy, checksum) VALUES (?, ?, ?, ?, ?)').run(ts, seq, account, strategy, sum);
      crashPoint('mid-checkpoint-write');
      // keep the last 10 checkpoints
      this.db.prepare('DELETE FROM checkpoints WHERE id <= (SELECT MAX(id) - 10 FROM checkpoints)').run();
      return { id: Number(info.lastInsertRowid), seq };
    }).immediate();
    return { id: id.id, timestamp: ts, journalSeq: id.seq, account: input.account, strategy: input.strategy };
  }

  /** The newest checkpoint; a checksum mismatch throws STATE_CORRUPT naming the file. */
  lastCheckpoint(): Checkpoint | undefined {
    const r = this.db.prepare('SELECT id, ts, journal_seq, account, strategy, checksum FROM checkpoints ORDER BY id DESC LIMIT 1').get() as
      { id: number; ts: number; journal_seq: number; account: string; strategy: string | null; checksum: string } | undefined;
    if (!r) return undefined;
    if (checksum(`${r.account}\u0000${r.strategy ?? ''}`) !== r.checksum) {
      throw new StateError(`checkpoint ${r.id} in ${this.file} fails its checksum`, 'STATE_CORRUPT', { details: { file: this.file, checkpoint: r.id } });
    }
    return { id: r.id, timestamp: r.ts, journalSeq: r.journal_seq, account: this.#parse(r.account, `checkpoint ${r.id}`), strategy: r.strategy === null ? undefined : this.#parse(r.strategy, `checkpoint ${r.id}`) };
  }

  // ── approvals ──────────────────────────────────────────────────────────────
  addApproval(kind: string, summary: string, report: unknown): number {
    this.#w();
    const info = this.db.prepare(`INSERT INTO approvals (ts, kind, status, summary, report) VALUES (?, ?, 'PENDING', ?, ?)`).run(this.clock.now(), kind, summary, JSON.stringify(report));
    return Number(info.lastInsertRowid);
  }

  approvals(status?: Approval['status']): Approval[] {
    const rows = this.db.prepare(`SELECT * FROM approvals ${status ? 'WHERE status = ?' : ''} ORDER BY id`).all(...(status ? [status] : [])) as
      { id: number; ts: number; kind: string; status: Approval['status']; summary: string; report: string; resolved_at: number | null; resolved_by: string | null; resolution_note: string | null }[];
    return rows.map((r) => ({
      id: r.id, timestamp: r.ts, kind: r.kind, status: r.status, summary: r.summary, report: this.#parse(r.report, `approval ${r.id}`),
      ...(r.resolved_at !== null ? { resolvedAt: r.resolved_at } : {}),
      ...(r.resolved_by !== null ? { resolvedBy: r.resolved_by } : {}),
      ...(r.resolution_note !== null ? { note: r.resolution_note } : {}),
    }));
  }

  resolveApproval(id: number, status: 'APPROVED' | 'REJECTED', by: string, note = ''): boolean {
    this.#w();
    const info = this.db.prepare(`UPDATE approvals SET status = ?, resolved_at = ?, resolved_by = ?, resolution_note = ? WHERE id = ? AND status = 'PENDING'`).run(status, this.clock.now(), by, note, id);
    if (info.changes > 0) this.appendEvent('approval.resolved', { id, status, by, note });
    return info.changes > 0;
  }

  // ── kv (raw; SqliteKeyValueStore is the typed facade) ──────────────────────
  kvGetRaw(key: string): string | undefined {
    const row = (this.#stmts?.kvGet ?? this.db.prepare('SELECT value, checksum FROM kv WHERE key = ?')).get(key) as { value: string; checksum: string } | undefined;
    if (!row) return undefined;
    if (checksum(row.value) !== row.checksum) {
      throw new StateError(`value of '${key}' in ${this.file} fails its checksum`, 'STATE_CORRUPT', { details: { file: this.file, key } });
    }
    return row.value;
  }
  /** kv writes are committed at once in every durability mode (risk state must not wait for a batch). */
  kvSetRaw(key: string, json: string): void {
    const st = this.#w().kvSet;
    this.write(() => st.run(key, json, checksum(json), this.clock.now()));
  }
  /** Reads `key` (checksum verified), writes `fn`'s JSON, in one transaction holding the write lock. */
  kvUpdateRaw(key: string, fn: (raw: string | undefined) => string): void {
    const st = this.#w().kvSet;
    this.write(() => {
      const json = fn(this.kvGetRaw(key));
      st.run(key, json, checksum(json), this.clock.now());
    });
  }
  kvDelete(key: string): void {
    const st = this.#w().kvDel;
    this.write(() => st.run(key));
  }
  kvKeys(prefix = ''): string[] {
    const rows = this.db.prepare(`SELECT key FROM kv WHERE substr(key, 1, ?) = ? ORDER BY key`).all(prefix.length, prefix) as { key: string }[];
    return rows.map((r) => r.key);
  }

  // ── halt marker ────────────────────────────────────────────────────────────
  /**
   * Persists "stay halted" so a restart cannot silently resume trading. `at` (and the event's time)
   * is wall time, for the operator (`state show`: "HALTED since …"); the engine's clock, simulated
   * in a replay or the demo, is kept as `details.engineTime`.
   */
  setHalt(marker: Omit<HaltMarker, 'at'>): void {
    const at = Date.now();
    const m: HaltMarker = { ...marker, at, details: { ...marker.details, engineTime: this.clock.now() } };
    this.kvSetRaw(HALT_KEY, JSON.stringify(m));
    this.appendEvent('halt', m, at);
  }
  halt(): HaltMarker | undefined {
    const raw = this.kvGetRaw(HALT_KEY);
    if (raw === undefined) return undefined;
    const r = HaltMarkerSchema.safeParse(this.#parse(raw, HALT_KEY));
    if (!r.success) throw new StateError(`halt marker in ${this.file} is unreadable`, 'STATE_CORRUPT', { details: { file: this.file, key: HALT_KEY } });
    const { details, ...rest } = r.data;
    return details === undefined ? rest : { ...rest, details };
  }
  /** Operator action: lifts the persisted halt (audited in the event log). */
  clearHalt(by: string, note: string): void {
    this.kvDelete(HALT_KEY);
    this.appendEvent('halt.cleared', { by, note }, Date.now());
  }

  /** Reads every kv value and the last checkpoint; throws STATE_CORRUPT on the first bad one. */
  verify(): void {
    for (const k of this.kvKeys()) this.kvGetRaw(k);
    this.lastCheckpoint();
  }

  #parse(text: string, what: string): unknown {
    try { return JSON.parse(text); } catch (err) {
      throw new StateError(`${what} in ${this.file} is not valid JSON`, 'STATE_CORRUPT', { cause: err, details: { file: this.file, what } });
    }
  }

  close(): void {
    if (this.#closed) return;
    for (const h of this.#flushHooks) {
      try { h(true); } catch (err) { this.logger.error('state flush on close failed', { error: (err as Error).message }); }
    }
    this.#closed = true;
    try { this.db.close(); } finally { this.#lock?.release(); }
  }
}
