import type BetterSqlite3 from 'better-sqlite3';
import type { Fill } from '../domain/fill.js';
import { isTerminal, type Order, type OrderIntent, type OrderSide, type OrderStatus, type OrderType, type TimeInForce } from '../domain/order.js';
import { applyFillToPosition, type Position } from '../domain/position.js';
import { DuplicateClientOrderIdError, StateError, isTradingError } from '../errors.js';
import type { StateStore } from './store.js';
import { reusableStatusOptions, type StatusOptions } from './log-codec.js';
import { WriteBehindJournal } from './write-behind.js';

const EPS = 1e-9;

/** How far along an order is; updates never move an order backwards (late events are normal). */
const RANK: Record<OrderStatus, number> = {
  PENDING_SUBMIT: 0, UNKNOWN: 0, SUBMITTED: 1, PARTIALLY_FILLED: 2, FILLED: 3, CANCELLED: 3, REJECTED: 3, EXPIRED: 3,
};

/** Where a fill came from. @public */
export type FillSource = 'stream' | 'recovery' | 'reconcile';

/** What applying a fill did. `duplicate`: the execution id was already journaled (applied 0 times). @public */
export interface FillOutcome {
  readonly kind: 'new' | 'duplicate';
  /** cumulative fills exceed the order quantity (or the venue's cumulative exceeds it) */
  readonly overfill: boolean;
  /** the venue's cumulative quantity disagrees with the journal's sum of fills */
  readonly cumulativeMismatch: boolean;
  /** the fill belongs to an order this journal never saw (external) */
  readonly orderKnown: boolean;
}

/** Every outcome as a shared frozen value (the hot path allocates none): index `overfill·4 + mismatch·2 + known`. */
const NEW_OUTCOMES: readonly FillOutcome[] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => Object.freeze({ kind: 'new' as const, overfill: (i & 4) !== 0, cumulativeMismatch: (i & 2) !== 0, orderKnown: (i & 1) !== 0 }));
/** A fill already journaled (applied 0 times). @public */
export const DUPLICATE_FILL: FillOutcome = Object.freeze({ kind: 'duplicate', overfill: false, cumulativeMismatch: false, orderKnown: true });
/** The (shared, frozen) outcome of a new fill. @public */
export function newFillOutcome(overfill: boolean, cumulativeMismatch: boolean, orderKnown: boolean): FillOutcome {
  return NEW_OUTCOMES[(overfill ? 4 : 0) + (cumulativeMismatch ? 2 : 0) + (orderKnown ? 1 : 0)]!;
}

/** A position as the journal derives it from fills (or as reconciliation set it). @public */
export interface JournalPosition { asset: string; quantity: number; avgEntryPrice: number; realizedPnl: number; lastPrice: number; updatedAt: number }

interface OrderRow {
  client_order_id: string; order_id: string; asset: string; side: OrderSide; quantity: number; order_type: OrderType;
  limit_price: number | null; stop_price: number | null; time_in_force: TimeInForce; expire_at: number | null; tag: string | null;
  reduce_only: number; status: OrderStatus; filled_quantity: number; avg_fill_price: number; created_at: number; updated_at: number;
  submitted_at: number | null; filled_at: number | null; rejection_reason: string | null; external: number; overfilled: number;
}

/** A journaled order: the domain `Order` plus journal flags. @public */
export interface JournalOrder extends Order { overfilled: boolean }

function rowToOrder(r: OrderRow): JournalOrder {
  const o: JournalOrder = {
    orderId: r.order_id, clientOrderId: r.client_order_id, asset: r.asset, side: r.side, quantity: r.quantity, orderType: r.order_type,
    timeInForce: r.time_in_force, status: r.status, filledQuantity: r.filled_quantity, avgFillPrice: r.avg_fill_price,
    createdAt: r.created_at, updatedAt: r.updated_at, overfilled: r.overfilled === 1,
  };
  if (r.limit_price !== null) o.limitPrice = r.limit_price;
  if (r.stop_price !== null) o.stopPrice = r.stop_price;
  if (r.expire_at !== null) o.expireAt = r.expire_at;
  if (r.tag !== null) o.tag = r.tag;
  if (r.reduce_only === 1) o.reduceOnly = true;
  if (r.submitted_at !== null) o.submittedAt = r.submitted_at;
  if (r.filled_at !== null) o.filledAt = r.filled_at;
  if (r.rejection_reason !== null) o.rejectionReason = r.rejection_reason;
  if (r.external === 1) o.external = true;
  return o;
}

interface FillRow {
  execution_id: string; client_order_id: string; order_id: string; asset: string; side: OrderSide; quantity: number; price: number;
  commission: number; timestamp: number; cumulative_quantity: number | null; source: FillSource;
}
function rowToFill(r: FillRow): Fill & { source: FillSource } {
  const f: Fill & { source: FillSource } = {
    executionId: r.execution_id, orderId: r.order_id, clientOrderId: r.client_order_id, asset: r.asset, side: r.side,
    quantity: r.quantity, price: r.price, commission: r.commission, timestamp: r.timestamp, source: r.source,
  };
  if (r.cumulative_quantity !== null) f.cumulativeQuantity = r.cumulative_quantity;
  return f;
}

/**
 * The write-ahead order journal: order intents, acks, status updates and fills. In `power` (or
 * with `direct`) each is one SQLite transaction; in `process` each is a record of the journal log
 * — an intent is written (durable against a process crash) before `recordIntent` returns, acks,
 * statuses and fills are buffered for a few ms / until the next intent (a crash can lose them; the
 * venue has them and recovery reads them back) — and SQLite follows in batches (`write-behind.ts`).
 * Fills are applied exactly once (dedup on the execution id) and update the order and the
 * position together.
 * @public
 */
export class OrderJournal {
  readonly #db: BetterSqlite3.Database;
  readonly #store: StateStore;
  readonly #s: Record<string, BetterSqlite3.Statement>;
  readonly #recordIntentTx: (intent: OrderIntent, now: number) => void;
  readonly #applyFillTx: (fill: Fill, source: FillSource, now: number) => FillOutcome;
  readonly #report = reusableStatusOptions('UPDATE');
  /** `process` (with its log) and `batch` durability; `power` and read-only handles commit each write directly */
  readonly #wb: WriteBehindJournal | undefined;

  /**
   * `direct`: commit every write as its own transaction even in `process` durability (the
   * reference behaviour, used by equivalence tests; `power` always does this).
   */
  constructor(store: StateStore, options: { batchOps?: number; batchMs?: number; worker?: boolean; direct?: boolean } = {}) {
    this.#store = store;
    const db = (this.#db = store.db);
    const logged = store.logged && options.direct !== true;
    if (logged) store.claimJournalLog();
    try {
      this.#wb = store.batched || logged
        ? new WriteBehindJournal(store, db, { log: logged, ...(options.worker === undefined ? {} : { worker: options.worker }) })
        : undefined;
    } catch (err) {
      if (logged) store.releaseJournalLog();
      throw err;
    }
    if (this.#wb && options.batchOps !== undefined) this.#wb.batchOps = options.batchOps;
    if (this.#wb && options.batchMs !== undefined) this.#wb.batchMs = options.batchMs;
    this.#s = {
      insertOrder: db.prepare(`INSERT INTO orders (client_order_id, asset, side, quantity, order_type, limit_price, stop_price, time_in_force, expire_at, tag, reduce_only, status, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING_SUBMIT', ?, ?)`),
      insertExternal: db.prepare(`INSERT INTO orders (client_order_id, order_id, asset, side, quantity, order_type, limit_price, stop_price, time_in_force, expire_at, tag, reduce_only, status, filled_quantity, avg_fill_price, created_at, updated_at, submitted_at, filled_at, external)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`),
      journal: db.prepare('INSERT INTO journal (ts, client_order_id, kind, status, detail) VALUES (?, ?, ?, ?, ?)'),
      getOrder: db.prepare('SELECT * FROM orders WHERE client_order_id = ?'),
      orderCore: db.prepare('SELECT status, quantity, filled_quantity, avg_fill_price, order_id FROM orders WHERE client_order_id = ?'),
      setStatus: db.prepare(`UPDATE orders SET status = ?, order_id = CASE WHEN ? <> '' THEN ? ELSE order_id END, updated_at = ?,
        submitted_at = COALESCE(submitted_at, ?), rejection_reason = COALESCE(?, rejection_reason) WHERE client_order_id = ?`),
      setOrderId: db.prepare(`UPDATE orders SET order_id = CASE WHEN order_id = '' THEN ? ELSE order_id END, submitted_at = COALESCE(submitted_at, ?), updated_at = ? WHERE client_order_id = ?`),
      insertFill: db.prepare(`INSERT OR IGNORE INTO fills (execution_id, client_order_id, order_id, asset, side, quantity, price, commission, timestamp, cumulative_quantity, source, recorded_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      fillOrder: db.prepare(`UPDATE orders SET filled_quantity = ?, avg_fill_price = ?, status = ?, updated_at = ?, filled_at = COALESCE(filled_at, ?), overfilled = ?,
        order_id = CASE WHEN order_id = '' THEN ? ELSE order_id END WHERE client_order_id = ?`),
      getPos: db.prepare('SELECT quantity, avg_entry_price, realized_pnl FROM positions WHERE asset = ?'),
      setPos: db.prepare(`INSERT INTO positions (asset, quantity, avg_entry_price, realized_pnl, last_price, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(asset) DO UPDATE SET quantity = excluded.quantity, avg_entry_price = excluded.avg_entry_price, realized_pnl = excluded.realized_pnl, last_price = excluded.last_price, updated_at = excluded.updated_at`),
    };
    const s = this.#s as Record<'insertOrder' | 'journal' | 'orderCore' | 'insertFill' | 'fillOrder' | 'getPos' | 'setPos', BetterSqlite3.Statement>;

    this.#recordIntentTx = (i: OrderIntent, now: number) => store.write(() => {
      s.insertOrder.run(i.clientOrderId, i.asset, i.side, i.quantity, i.orderType, i.limitPrice ?? null, i.stopPrice ?? null, i.timeInForce,
        i.expireAt ?? null, i.tag ?? null, i.reduceOnly ? 1 : 0, i.createdAt, now);
      s.journal.run(now, i.clientOrderId, 'INTENT', 'PENDING_SUBMIT', null);
    });

    this.#applyFillTx = (f: Fill, source: FillSource, now: number): FillOutcome => store.write((): FillOutcome => {
      const ins = s.insertFill.run(f.executionId, f.clientOrderId, f.orderId, f.asset, f.side, f.quantity, f.price, f.commission, f.timestamp,
        f.cumulativeQuantity ?? null, source, now);
      if (ins.changes === 0) return DUPLICATE_FILL;
      let overfill = false;
      let cumulativeMismatch = false;
      const o = s.orderCore.get(f.clientOrderId) as { status: OrderStatus; quantity: number; filled_quantity: number; avg_fill_price: number; order_id: string } | undefined;
      if (o) {
        const filled = o.filled_quantity + f.quantity;
        const avg = filled > 0 ? (o.avg_fill_price * o.filled_quantity + f.price * f.quantity) / filled : 0;
        overfill = filled > o.quantity + EPS || (f.cumulativeQuantity !== undefined && f.cumulativeQuantity > o.quantity + EPS);
        cumulativeMismatch = f.cumulativeQuantity !== undefined && Math.abs(f.cumulativeQuantity - filled) > EPS;
        let status = o.status;
        if (filled >= o.quantity - EPS) { if (status !== 'FILLED') status = 'FILLED'; }
        else if (RANK[status] < 2) status = 'PARTIALLY_FILLED';
        s.fillOrder.run(filled, avg, status, now, status === 'FILLED' ? f.timestamp : null, overfill ? 1 : 0, f.orderId, f.clientOrderId);
      }
      const p = s.getPos.get(f.asset) as { quantity: number; avg_entry_price: number; realized_pnl: number } | undefined;
      const prev: Position | undefined = p ? { asset: f.asset, quantity: p.quantity, avgEntryPrice: p.avg_entry_price, currentPrice: f.price, unrealizedPnl: 0, realizedPnl: p.realized_pnl } : undefined;
      const { position } = applyFillToPosition(prev, f.asset, f.side === 'BUY' ? f.quantity : -f.quantity, f.price);
      s.setPos.run(f.asset, position.quantity, position.avgEntryPrice, position.realizedPnl, f.price, now);
      return newFillOutcome(overfill, cumulativeMismatch, o !== undefined);
    });
  }

  #now(): number { return this.#store.clock.now(); }

  /** write-behind: move buffered writes into SQLite before a read (off the hot path) */
  #sync(): void { if (this.#wb) this.#store.flush(); }

  /** Persists an intent as PENDING_SUBMIT (committed on return). A known clientOrderId is refused. */
  recordIntent(intent: OrderIntent): void {
    try {
      if (this.#wb) this.#wb.recordIntent(intent, this.#now());
      else this.#recordIntentTx(intent, this.#now());
    } catch (err) {
      if (isTradingError(err)) throw err;
      if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new DuplicateClientOrderIdError(`clientOrderId ${intent.clientOrderId} is already in the journal; an intent is never sent twice`, { details: { clientOrderId: intent.clientOrderId } });
      }
      throw new StateError(`cannot persist order intent ${intent.clientOrderId}: ${(err as Error).message}`, 'STATE_WRITE_FAILED', { cause: err, details: { file: this.#store.file, clientOrderId: intent.clientOrderId } });
    }
  }

  /**
   * Records a status for a journaled order. Without `authoritative`, a status never moves
   * backwards (a late SUBMITTED after FILLED is ignored); with it (venue lookup during recovery or
   * reconciliation) the venue's status wins. Returns false for an unknown clientOrderId.
   */
  recordStatus(clientOrderId: string, status: OrderStatus, options: StatusOptions = {}): boolean {
    const s = this.#s;
    const now = this.#now();
    if (this.#wb) return this.#wb.recordStatus(clientOrderId, status, options, now);
    const cur = s['orderCore']!.get(clientOrderId) as { status: OrderStatus; order_id: string } | undefined;
    if (!cur) return false;
    const forward = options.authoritative === true || (!isTerminal(cur.status) && RANK[status] >= RANK[cur.status]);
    const oid = options.orderId ?? '';
    const kind = options.kind ?? 'STATUS';
    this.#store.write(() => {
      if (forward) {
        s['setStatus']!.run(status, oid, oid, now, status === 'PENDING_SUBMIT' || status === 'UNKNOWN' ? null : (options.submittedAt ?? now), options.reason ?? null, clientOrderId);
      } else if (oid !== '' || kind === 'ACK') {
        s['setOrderId']!.run(oid, options.submittedAt ?? now, now, clientOrderId);
      }
      s['journal']!.run(now, clientOrderId, kind, forward ? status : `${status}(ignored)`, options.reason ?? null);
    });
    return true;
  }

  /** Records an order report from the venue: status forward for known orders, adoption (tagged external) for unknown ones. */
  applyOrderReport(order: Order, options: { authoritative?: boolean; kind?: string } = {}): 'updated' | 'adopted' {
    const o = this.#report; // reused: once per venue update, and recordStatus keeps nothing of it
    o.orderId = order.orderId;
    o.kind = options.kind ?? 'UPDATE';
    o.authoritative = options.authoritative ?? false;
    o.reason = order.rejectionReason;
    o.submittedAt = order.submittedAt;
    const known = this.recordStatus(order.clientOrderId, order.status, o);
    if (known) return 'updated';
    this.adoptExternal(order);
    return 'adopted';
  }

  /**
   * Imports an order the venue has and this engine did not create, tagged external. What it has
   * filled is what the journal's fills for it add up to, not the venue's figure: its fills that
   * arrive after the adoption (a venue reports the order before its executions) add to that.
   */
  adoptExternal(venueOrder: Order): void {
    const now = this.#now();
    const order = this.#withJournaledFills(venueOrder);
    if (this.#wb) { this.#wb.adopt(order, now); return; }
    const s = this.#s;
    this.#store.write(() => {
      s['insertExternal']!.run(order.clientOrderId, order.orderId, order.asset, order.side, order.quantity, order.orderType, order.limitPrice ?? null,
        order.stopPrice ?? null, order.timeInForce, order.expireAt ?? null, order.tag ?? 'EXTERNAL', order.reduceOnly ? 1 : 0, order.status,
        adoptedFilled(order), adoptedAvg(order), order.createdAt, now, order.submittedAt ?? null, order.status === 'FILLED' ? order.updatedAt : null);
      s['journal']!.run(now, order.clientOrderId, 'ADOPT_EXTERNAL', order.status, null);
    });
  }

  #withJournaledFills(order: Order): Order {
    this.#sync();
    const r = this.#db.prepare('SELECT COALESCE(SUM(quantity), 0) AS q, COALESCE(SUM(quantity * price), 0) AS n FROM fills WHERE client_order_id = ?')
      .get(order.clientOrderId) as { q: number; n: number };
    return { ...order, filledQuantity: r.q, avgFillPrice: r.q > 0 ? r.n / r.q : 0 };
  }

  /**
   * Applies a fill exactly once (dedup on executionId, and on its `executionIdAliases`) and updates
   * order and position atomically.
   */
  applyFill(fill: Fill, source: FillSource = 'stream'): FillOutcome {
    try {
      if (fill.executionIdAliases !== undefined && this.#knownAlias(fill)) return DUPLICATE_FILL;
      if (this.#wb) return this.#wb.applyFill(fill, source, this.#now());
      return this.#applyFillTx(fill, source, this.#now());
    } catch (err) {
      throw new StateError(`cannot journal fill ${fill.executionId}: ${(err as Error).message}`, 'STATE_WRITE_FAILED', { cause: err, details: { file: this.#store.file, executionId: fill.executionId } });
    }
  }

  /** Adds a journal entry without changing the order (cancel requests, notes). */
  note(clientOrderId: string, kind: string, detail?: string): void {
    if (this.#wb) { this.#wb.note(clientOrderId, kind, detail ?? null, this.#now()); return; }
    this.#store.write(() => this.#s['journal']!.run(this.#now(), clientOrderId, kind, null, detail ?? null));
  }

  /** Is this fill journaled, under its execution id or one of its aliases? */
  knowsFill(fill: Fill): boolean { return this.hasFill(fill.executionId) || this.#knownAlias(fill); }

  #knownAlias(fill: Fill): boolean {
    const aliases = fill.executionIdAliases;
    if (aliases === undefined) return false;
    for (const a of aliases) if (a !== fill.executionId && this.hasFill(a)) return true;
    return false;
  }

  hasFill(executionId: string): boolean {
    if (this.#wb) return this.#wb.hasFill(executionId);
    return this.#db.prepare('SELECT 1 FROM fills WHERE execution_id = ?').get(executionId) !== undefined;
  }

  getOrder(clientOrderId: string): JournalOrder | undefined {
    this.#sync();
    const r = this.#s['getOrder']!.get(clientOrderId) as OrderRow | undefined;
    return r ? rowToOrder(r) : undefined;
  }

  /** Orders, optionally filtered by status, oldest first. */
  orders(statuses?: readonly OrderStatus[]): JournalOrder[] {
    this.#sync();
    const rows = statuses
      ? this.#db.prepare(`SELECT * FROM orders WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY created_at, rowid`).all(...statuses)
      : this.#db.prepare('SELECT * FROM orders ORDER BY created_at, rowid').all();
    return (rows as OrderRow[]).map(rowToOrder);
  }

  /** Orders not yet final, including in-flight ones. */
  openOrders(): JournalOrder[] { return this.orders(['PENDING_SUBMIT', 'UNKNOWN', 'SUBMITTED', 'PARTIALLY_FILLED']); }

  /** Submits whose outcome is unknown: PENDING_SUBMIT (crash before or during send) and UNKNOWN. */
  inFlight(): JournalOrder[] { return this.orders(['PENDING_SUBMIT', 'UNKNOWN']); }

  fills(clientOrderId?: string): (Fill & { source: FillSource })[] {
    this.#sync();
    const rows = clientOrderId
      ? this.#db.prepare('SELECT * FROM fills WHERE client_order_id = ? ORDER BY timestamp, rowid').all(clientOrderId)
      : this.#db.prepare('SELECT * FROM fills ORDER BY timestamp, rowid').all();
    return (rows as FillRow[]).map(rowToFill);
  }

  /** Venue timestamp of the newest journaled fill. */
  lastFillTimestamp(): number | undefined {
    this.#sync();
    return (this.#db.prepare('SELECT MAX(timestamp) AS t FROM fills').get() as { t: number | null }).t ?? undefined;
  }

  /** When the last order this engine sent was created (engine time), ignoring adopted external orders. */
  lastIntentAt(): number | undefined {
    this.#sync();
    return (this.#db.prepare('SELECT MAX(created_at) AS t FROM orders WHERE external = 0').get() as { t: number | null }).t ?? undefined;
  }

  fillCount(): number { this.#sync(); return (this.#db.prepare('SELECT COUNT(*) AS n FROM fills').get() as { n: number }).n; }

  positions(): JournalPosition[] {
    this.#sync();
    const rows = this.#db.prepare('SELECT * FROM positions ORDER BY asset').all() as { asset: string; quantity: number; avg_entry_price: number; realized_pnl: number; last_price: number; updated_at: number }[];
    return rows.map((r) => ({ asset: r.asset, quantity: r.quantity, avgEntryPrice: r.avg_entry_price, realizedPnl: r.realized_pnl, lastPrice: r.last_price, updatedAt: r.updated_at }));
  }

  /** Overwrites a position (reconciliation adopting the broker's view); journaled with a reason. */
  setPosition(asset: string, quantity: number, avgEntryPrice: number, reason: string): void {
    this.#sync();
    this.#wb?.forgetPosition(asset);
    const now = this.#now();
    this.#store.write(() => {
      const p = this.#s['getPos']!.get(asset) as { realized_pnl: number } | undefined;
      this.#s['setPos']!.run(asset, quantity, avgEntryPrice, p?.realized_pnl ?? 0, avgEntryPrice, now);
      this.#s['journal']!.run(now, `position:${asset}`, 'POSITION_SET', null, `${reason}; quantity=${quantity}`);
    });
  }

  lastSeq(): number { this.#sync(); return (this.#db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM journal').get() as { s: number }).s; }

  /** Journal entries after `seq` (the tail after a checkpoint). */
  entriesAfter(seq: number): { seq: number; timestamp: number; clientOrderId: string; kind: string; status: string | null; detail: string | null }[] {
    this.#sync();
    const rows = this.#db.prepare('SELECT seq, ts, client_order_id, kind, status, detail FROM journal WHERE seq > ? ORDER BY seq').all(seq) as
      { seq: number; ts: number; client_order_id: string; kind: string; status: string | null; detail: string | null }[];
    return rows.map((r) => ({ seq: r.seq, timestamp: r.ts, clientOrderId: r.client_order_id, kind: r.kind, status: r.status, detail: r.detail }));
  }

  /** True when nothing was ever journaled (a fresh state dir). */
  isEmpty(): boolean {
    this.#sync();
    return this.#db.prepare('SELECT 1 FROM orders LIMIT 1').get() === undefined && this.#db.prepare('SELECT 1 FROM fills LIMIT 1').get() === undefined
      && this.#db.prepare('SELECT 1 FROM positions LIMIT 1').get() === undefined;
  }
}

/** What an adopted order has filled (`adoptExternal` sets it from the journal's fills for it): never negative or NaN. */
export function adoptedFilled(o: Order): number { return Number.isFinite(o.filledQuantity) && o.filledQuantity > 0 ? o.filledQuantity : 0; }
export function adoptedAvg(o: Order): number { return adoptedFilled(o) > 0 && Number.isFinite(o.avgFillPrice) ? o.avgFillPrice : 0; }
