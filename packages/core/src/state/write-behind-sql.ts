import { crashPoint } from './crash-point.js';
import { runRows, type RowStatement, type RowValue } from './row-codec.js';

/** `counters` row holding the last journal-log sequence number committed to SQLite (`process` durability). */
export const LOG_SEQ_COUNTER = 'journal_log_seq';

/** SQL shared by the write-behind journal and its worker. */
export const WRITE_BEHIND_SQL = {
  upsertOrder: `INSERT INTO orders (client_order_id, order_id, asset, side, quantity, order_type, limit_price, stop_price, time_in_force, expire_at, tag, reduce_only,
      status, filled_quantity, avg_fill_price, created_at, updated_at, submitted_at, filled_at, rejection_reason, external, overfilled)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(client_order_id) DO UPDATE SET order_id = excluded.order_id, status = excluded.status, filled_quantity = excluded.filled_quantity,
      avg_fill_price = excluded.avg_fill_price, updated_at = excluded.updated_at, submitted_at = excluded.submitted_at, filled_at = excluded.filled_at,
      rejection_reason = excluded.rejection_reason, external = excluded.external, overfilled = excluded.overfilled`,
  insertFill: `INSERT OR IGNORE INTO fills (execution_id, client_order_id, order_id, asset, side, quantity, price, commission, timestamp, cumulative_quantity, source, recorded_at)
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
 * One batch as posted to the worker: the rows of each table as `RowWriter` bytes (`STRIDE`
 * values per row; transferred, not cloned) and the last journal-log sequence number it covers
 * (0: no log), committed in the same transaction.
 */
export interface PostedBatch {
  id: number; orders: Uint8Array; fills: Uint8Array; positions: Uint8Array; rows: Uint8Array; logSeq: number;
  /** a counter block to reserve in the same transaction (`StateStore.reserveCounterAhead`) */
  reserve?: { name: string; size: number };
}

/** Rows per multi-row statement (`INSERT … VALUES (…), (…), …`): fewer statement steps per batch. */
export const ROWS_PER_STATEMENT = 32;

/** A statement for one row and one for `ROWS_PER_STATEMENT` rows. */
export interface RowStatements { one: RowStatement; many: RowStatement }

/** The statements a batch needs (prepared on the connection that writes it). */
export interface BatchStatements { upsert: RowStatements; fill: RowStatements; pos: RowStatement; journal: RowStatements; logSeq: RowStatement; reserve: ReserveStatement }
interface ReserveStatement { get(...values: RowValue[]): unknown }
interface Preparer { prepare(sql: string): RowStatement & ReserveStatement }

/** `sql` with its single `VALUES (?, …)` group repeated `rows` times. */
function multiRow(sql: string, rows: number): string {
  const m = /VALUES \((\?(?:, \?)*)\)/.exec(sql);
  if (!m) throw new Error('statement has no VALUES group');
  const group = `(${m[1]})`;
  return sql.replace(m[0], `VALUES ${Array.from({ length: rows }, () => group).join(', ')}`);
}

/** Prepares the batch statements on `db`. */
export function prepareBatchStatements(db: Preparer): BatchStatements {
  const rows = (sql: string): RowStatements => ({ one: db.prepare(sql), many: db.prepare(multiRow(sql, ROWS_PER_STATEMENT)) });
  return {
    upsert: rows(WRITE_BEHIND_SQL.upsertOrder), fill: rows(WRITE_BEHIND_SQL.insertFill), journal: rows(WRITE_BEHIND_SQL.insertJournal),
    pos: db.prepare(WRITE_BEHIND_SQL.upsertPosition), logSeq: db.prepare(WRITE_BEHIND_SQL.setLogSeq), reserve: db.prepare(WRITE_BEHIND_SQL.reserve),
  };
}

/**
 * Writes one posted batch, decoding its rows straight into the statements' arguments (on the
 * thread that writes it); call inside a transaction. The log sequence number (and a counter block,
 * whose start is returned) commits with the rows.
 */
export function applyBatch(st: BatchStatements, b: PostedBatch): number | undefined {
  let reserved: number | undefined;
  if (b.reserve) reserved = (st.reserve.get(b.reserve.name, b.reserve.size, b.reserve.size) as { start: number }).start;
  runTable(st.upsert, b.orders, STRIDE.orders);
  runTable(st.fill, b.fills, STRIDE.fills);
  runRows(st.pos, st.pos, b.positions, STRIDE.positions, 1);
  runTable(st.journal, b.rows, STRIDE.rows);
  if (b.logSeq > 0) {
    st.logSeq.run(b.logSeq);
    crashPoint('mid-journal-flush'); // rows written, transaction not committed
  }
  return reserved;
}

function runTable(st: RowStatements, bytes: Uint8Array, stride: number): void { runRows(st.many, st.one, bytes, stride, ROWS_PER_STATEMENT); }

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
