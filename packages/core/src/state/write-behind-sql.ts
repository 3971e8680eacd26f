import { crashPoint } from './crash-point.js';
import { readRows } from './row-codec.js';

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
} as const;

/** A row's bound values. */
export type Row = (string | number | null)[];
/** Values per row of each table (batches carry flat arrays: cheaper to clone than arrays of rows). */
export const STRIDE = { orders: 22, fills: 12, positions: 6, rows: 5 } as const;
/**
 * One batch: flat arrays of row values, `STRIDE` values per row, and the last journal-log
 * sequence number it covers (0: no log), committed in the same transaction.
 */
export interface WriterBatch { id: number; orders: Row; fills: Row; positions: Row; rows: Row; logSeq: number }
/** A batch as posted to the worker: the rows as `RowWriter` bytes (transferred, not cloned). */
export interface PostedBatch { id: number; orders: Uint8Array; fills: Uint8Array; positions: Uint8Array; rows: Uint8Array; logSeq: number }

/** Rows per multi-row statement (`INSERT … VALUES (…), (…), …`): fewer statement steps per batch. */
export const ROWS_PER_STATEMENT = 32;

/** A statement for one row and one for `ROWS_PER_STATEMENT` rows. */
export interface RowStatements { one: Stmt; many: Stmt }

/** The statements a batch needs (prepared on the connection that writes it). */
export interface BatchStatements { upsert: RowStatements; fill: RowStatements; pos: Stmt; journal: RowStatements; logSeq: Stmt }
type Stmt = { run(...args: unknown[]): unknown };
interface Preparer { prepare(sql: string): Stmt }

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
    pos: db.prepare(WRITE_BEHIND_SQL.upsertPosition), logSeq: db.prepare(WRITE_BEHIND_SQL.setLogSeq),
  };
}

/** Writes one batch; call inside a transaction. The log sequence number commits with the rows. */
export function applyBatchRows(st: BatchStatements, b: WriterBatch): void {
  runFlat(st.upsert, b.orders, STRIDE.orders);
  runFlat(st.fill, b.fills, STRIDE.fills);
  for (let i = 0; i < b.positions.length; i += STRIDE.positions) st.pos.run(b.positions.slice(i, i + STRIDE.positions));
  runFlat(st.journal, b.rows, STRIDE.rows);
  if (b.logSeq > 0) {
    st.logSeq.run(b.logSeq);
    crashPoint('mid-journal-flush'); // rows written, transaction not committed
  }
}

/** Runs the rows of a flat array (`stride` values each), `ROWS_PER_STATEMENT` at a time, then one by one. */
export function runFlat(st: RowStatements, flat: Row, stride: number): void {
  const chunk = stride * ROWS_PER_STATEMENT;
  let i = 0;
  for (; i + chunk <= flat.length; i += chunk) st.many.run(flat.slice(i, i + chunk));
  for (; i < flat.length; i += stride) st.one.run(flat.slice(i, i + stride));
}
/** The rows of a posted batch, decoded (on the thread that writes them). */
export function decodeBatch(b: PostedBatch): WriterBatch {
  return { id: b.id, orders: readRows(b.orders), fills: readRows(b.fills), positions: readRows(b.positions), rows: readRows(b.rows), logSeq: b.logSeq };
}

/** Worker start data: the database file and a shared Int32 triple [written batch id, failed batch id, closed]. */
export interface WriterInit { file: string; signal: SharedArrayBuffer }
