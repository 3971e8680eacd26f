import { unlinkSync } from 'node:fs';
import { crashPoint } from './crash-point.js';
import { loadRowsExtension } from './native-rows.js';
import { runRows, type RowStatement, type RowValue } from './row-codec.js';

/** `counters` row holding the last journal-log sequence number committed to SQLite (`process` durability). */
export const LOG_SEQ_COUNTER = 'journal_log_seq';

/** SQL shared by the write-behind journal and its worker. */
export const WRITE_BEHIND_SQL = {
  // the first twelve columns in the order of the journal log's intent record (`log-codec.ts` writeIntent), whose bytes they are
  upsertOrder: `INSERT INTO orders (client_order_id, asset, side, quantity, order_type, limit_price, stop_price, time_in_force, expire_at, tag, reduce_only, created_at,
      order_id, status, filled_quantity, avg_fill_price, updated_at, submitted_at, filled_at, rejection_reason, external, overfilled)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(client_order_id) DO UPDATE SET order_id = excluded.order_id, status = excluded.status, filled_quantity = excluded.filled_quantity,
      avg_fill_price = excluded.avg_fill_price, updated_at = excluded.updated_at, submitted_at = excluded.submitted_at, filled_at = excluded.filled_at,
      rejection_reason = excluded.rejection_reason, external = excluded.external, overfilled = excluded.overfilled`,
  // columns in the order of the journal log's fill record (`log-codec.ts` writeFill), whose bytes are the row's
  insertFill: `INSERT OR IGNORE INTO fills (execution_id, order_id, client_order_id, asset, side, quantity, price, commission, timestamp, cumulative_quantity, source, recorded_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  upsertPosition: `INSERT INTO positions (asset, quantity, avg_entry_price, realized_pnl, last_price, updated_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(asset) DO UPDATE SET quantity = excluded.quantity, avg_entry_price = excluded.avg_entry_price, realized_pnl = excluded.realized_pnl, last_price = excluded.last_price, updated_at = excluded.updated_at`,
  insertJournal: 'INSERT INTO journal (ts, client_order_id, kind, status, detail) VALUES (?, ?, ?, ?, ?)',
  setLogSeq: `INSERT INTO counters (name, value) VALUES ('${LOG_SEQ_COUNTER}', ?) ON CONFLICT(name) DO UPDATE SET value = MAX(value, excluded.value)`,
  /** a block of `size` counter values: returns the value before it (the block is that + 1 … that + size) */
  reserve: `INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value RETURNING value - ? AS start`,
} as const;

/** Values per row of each table. */
export const STRIDE = { orders: 22, fills: 12, positions: 6, rows: 5 } as const;
/**
 * One batch as posted to the worker: the rows of each table as `ByteWriter` row bytes (`STRIDE`
 * values per row; views of the shared memory of `batch-buffers.ts`, read in place) and the last journal-log sequence number it covers
 * (0: no log), committed in the same transaction.
 */
export interface PostedBatch {
  id: number; orders: Uint8Array; fills: Uint8Array; positions: Uint8Array; rows: Uint8Array; logSeq: number;
  /** a counter block to reserve in the same transaction (`StateStore.reserveCounterAhead`) */
  reserve?: { name: string; size: number };
  /** the journal-log segment whose records this batch is the last to cover: deleted once it is committed (`discardSegment`) */
  discard?: string;
}

/**
 * Deletes a sealed journal-log segment once the batch covering it is committed (on the thread that
 * committed it: unlinking a segment costs ≈ 0.5 ms, kept off the engine's thread). A segment that
 * cannot be deleted is harmless (its records are skipped at the next start: their seq is
 * committed) and is reported through `warn`.
 */
export function discardSegment(file: string, warn: (message: string) => void): void {
  crashPoint('before-log-truncate'); // committed, segment still there
  try { unlinkSync(file); } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn(`journal log segment ${file} committed but not deleted (${(err as Error).message}); its records are skipped at the next start`);
  }
}

/** Rows per multi-row statement (`INSERT … VALUES (…), (…), …`): fewer statement steps per batch. */
export const ROWS_PER_STATEMENT = 32;

/** Logged when the `tw_rows` extension is built but does not load. */
export const NATIVE_UNAVAILABLE = 'journal writer binds rows from JavaScript: the tw_rows extension does not load';

/** Writes one table's rows of a batch (`ByteWriter` row bytes, `STRIDE` values per row). */
type TableWriter = (bytes: Uint8Array) => void;

/** What a batch is written with (prepared on the connection that writes it). */
export interface BatchStatements {
  orders: TableWriter; fills: TableWriter; positions: TableWriter; journal: TableWriter;
  logSeq: RowStatement; reserve: ReserveStatement;
  /** the rows go through the `tw_rows` extension (`native-rows.ts`), not bound value by value */
  native: boolean;
}
interface ReserveStatement { get(...values: Bound[]): unknown }
/** a statement of this connection: bound values, or one blob of rows for `tw_rows` */
type Bound = RowValue | Uint8Array;
interface Statement { run(...values: Bound[]): unknown; get(...values: Bound[]): unknown }
interface Preparer { prepare(sql: string): Statement; loadExtension(file: string, entryPoint?: string): unknown }

/** `sql` with its single `VALUES (?, …)` group repeated `rows` times. */
function multiRow(sql: string, rows: number): string {
  const m = valuesGroup(sql);
  const group = `(${m[1]})`;
  return sql.replace(m[0], `VALUES ${Array.from({ length: rows }, () => group).join(', ')}`);
}

/** `sql` reading its rows from one blob of `stride`-value rows: `SELECT c0, … FROM tw_rows(?, stride)`. */
function fromBlob(sql: string, stride: number): string {
  const m = valuesGroup(sql);
  if (m[1]!.split(',').length !== stride) throw new Error(`statement binds ${m[1]!.split(',').length} values, not ${stride}`);
  const columns = Array.from({ length: stride }, (_, i) => `c${i}`).join(', ');
  // `WHERE true`: an upsert's ON CONFLICT after a bare SELECT … FROM would parse as a join constraint
  return sql.replace(m[0], `SELECT ${columns} FROM tw_rows(?, ${stride}) WHERE true`);
}

function valuesGroup(sql: string): RegExpExecArray {
  const m = /VALUES \((\?(?:, \?)*)\)/.exec(sql);
  if (!m) throw new Error('statement has no VALUES group');
  return m;
}

/**
 * Prepares the batch statements on `db`: with the `tw_rows` extension (built at install) a table's
 * rows are one blob bound to one statement; without it (`TRADEWIRE_NATIVE_ROWS=0`, not built) they
 * are decoded here and bound value by value, `ROWS_PER_STATEMENT` rows per statement. Both write
 * the same rows.
 */
export function prepareBatchStatements(db: Preparer, onNativeUnavailable?: (why: string) => void): BatchStatements {
  const native = loadRowsExtension(db, onNativeUnavailable);
  const table = (sql: string, stride: number, rowsPerStatement = ROWS_PER_STATEMENT): TableWriter => {
    if (native) {
      const st = db.prepare(fromBlob(sql, stride));
      return (bytes) => { if (bytes.length > 0) st.run(bytes); };
    }
    const one = db.prepare(sql);
    const many = rowsPerStatement > 1 ? db.prepare(multiRow(sql, rowsPerStatement)) : one;
    return (bytes) => { runRows(many, one, bytes, stride, rowsPerStatement); };
  };
  return {
    orders: table(WRITE_BEHIND_SQL.upsertOrder, STRIDE.orders), fills: table(WRITE_BEHIND_SQL.insertFill, STRIDE.fills),
    positions: table(WRITE_BEHIND_SQL.upsertPosition, STRIDE.positions, 1), journal: table(WRITE_BEHIND_SQL.insertJournal, STRIDE.rows),
    logSeq: db.prepare(WRITE_BEHIND_SQL.setLogSeq), reserve: db.prepare(WRITE_BEHIND_SQL.reserve), native,
  };
}

/**
 * Writes one posted batch; call inside a transaction. The log sequence number (and a counter
 * block, whose start is returned) commits with the rows.
 */
export function applyBatch(st: BatchStatements, b: PostedBatch): number | undefined {
  let reserved: number | undefined;
  if (b.reserve) reserved = (st.reserve.get(b.reserve.name, b.reserve.size, b.reserve.size) as { start: number }).start;
  st.orders(b.orders);
  st.fills(b.fills);
  st.positions(b.positions);
  st.journal(b.rows);
  if (b.logSeq > 0) {
    st.logSeq.run(b.logSeq);
    crashPoint('mid-journal-flush'); // rows written, transaction not committed
  }
  return reserved;
}

/**
 * Worker start data: the database file and the shared signal: Int32 [written batch id, failed
 * batch id, closed], then (from byte `RESERVED_AT`) Float64 [batch id, start] of the last counter
 * block reserved in a batch, written before that batch is marked written.
 */
export interface WriterInit { file: string; signal: SharedArrayBuffer }
/** Byte offset of the reservation pair in the signal buffer, and the buffer's size. */
export const RESERVED_AT = 16;
export const SIGNAL_BYTES = RESERVED_AT + 16;

/** Records a reserved block where the engine's thread reads it (`WriteBehindJournal` reservations). */
export function noteReserved(signal: SharedArrayBuffer, batchId: number, start: number): void {
  const f = new Float64Array(signal, RESERVED_AT, 2);
  f[0] = batchId;
  f[1] = start;
}
