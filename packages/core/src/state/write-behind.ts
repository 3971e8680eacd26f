import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { Fill } from '../domain/fill.js';
import { isTerminal, type Order, type OrderIntent, type OrderSide, type OrderStatus, type OrderType, type TimeInForce } from '../domain/order.js';
import { applyFillToPosition } from '../domain/position.js';
import { DuplicateClientOrderIdError, StateError } from '../errors.js';
import { STRIDE, WRITE_BEHIND_SQL, runFlat, type Row, type WriterBatch } from './write-behind-sql.js';
import type { FillOutcome, FillSource } from './journal.js';
import type { StateStore } from './store.js';

const EPS = 1e-9;
const RANK: Record<OrderStatus, number> = {
  PENDING_SUBMIT: 0, UNKNOWN: 0, SUBMITTED: 1, PARTIALLY_FILLED: 2, FILLED: 3, CANCELLED: 3, REJECTED: 3, EXPIRED: 3,
};

/** The mutable in-memory copy of one order row. */
interface Core {
  cid: string; orderId: string; asset: string; side: OrderSide; quantity: number; orderType: OrderType; limitPrice: number | null;
  stopPrice: number | null; tif: TimeInForce; expireAt: number | null; tag: string | null; reduceOnly: number; status: OrderStatus;
  filled: number; avg: number; createdAt: number; updatedAt: number; submittedAt: number | null; filledAt: number | null;
  reason: string | null; external: number; overfilled: number;
}
interface PosCore { quantity: number; avg: number; realized: number; last: number; updatedAt: number }

/**
 * Write-behind buffer of the journal for `batch` durability (replay, backtests, benchmarks): the
 * hot path updates in-memory rows and queues fills; every `batchOps` writes (or `batchMs`) the
 * touched orders, new fills and touched positions are handed, once each, to a worker thread
 * that writes them on its own SQLite connection (at most two batches in flight). `store.flush()`
 * (reads, checkpoints, close) waits until everything is written. Ack and stream-update rows of
 * the journal table are coalesced away; intents, unknown outcomes, rejections and recovery
 * entries are kept. Same dedup and status rules as the synchronous journal.
 */
export class WriteBehindJournal {
  readonly #store: StateStore;
  readonly #orders = new Map<string, Core>();
  readonly #dirty = new Set<Core>();
  /** terminal orders of the previous batch: dropped from memory at the next drain (their rows are on disk by then, or in flight) */
  #evictNext: Core[] = [];
  #fills: Row = [];
  readonly #exec = new Set<string>();
  readonly #pos = new Map<string, PosCore>();
  readonly #dirtyPos = new Set<string>();
  #rows: Row = [];
  #dbHadOrders: boolean;
  readonly #dbHadOrdersAtStart: boolean;
  /** every clientOrderId this session created or loaded */
  readonly #known = new Set<string>();
  /** ids `tw<namespace><n>` with n above this were issued after the session started: not on disk */
  readonly #idPrefix: string;
  readonly #idFloor: number;
  readonly #dbHadFills: boolean;
  readonly #s: Record<'upsert' | 'fill' | 'hasFill' | 'getOrder' | 'getPos' | 'setPos' | 'journal', BetterSqlite3.Statement>;
  readonly #db: BetterSqlite3.Database;
  #worker: Worker | undefined;
  readonly #signal: Int32Array;
  #sent = 0;
  #ops = 0;
  #timer: NodeJS.Timeout | undefined;
  batchOps = 4096;
  batchMs = 50;

  constructor(store: StateStore, db: BetterSqlite3.Database, options: { worker?: boolean } = {}) {
    this.#db = db;
    const sab = new SharedArrayBuffer(12); // [written batch id, failed batch id, writer closed]
    this.#signal = new Int32Array(sab);
    if (options.worker ?? true) {
      this.#worker = new Worker(new URL('./journal-writer.js', import.meta.url), { workerData: { file: store.file, signal: sab } });
      this.#worker.unref();
      this.#worker.on('error', (err) => { store.logger.error('journal writer failed', { error: err.message }); Atomics.store(this.#signal, 1, -1); });
      this.#worker.on('message', (m: { error?: string; id?: number }) => { if (m.error) store.logger.error('journal writer batch failed', { batch: m.id, error: m.error }); });
    }
    this.#store = store;
    this.#dbHadOrders = db.prepare('SELECT 1 FROM orders LIMIT 1').get() !== undefined;
    this.#dbHadOrdersAtStart = this.#dbHadOrders;
    this.#idPrefix = `tw${store.namespace}`;
    this.#idFloor = (db.prepare(`SELECT value FROM counters WHERE name = 'client_order_id'`).get() as { value: number } | undefined)?.value ?? 0;
    this.#dbHadFills = db.prepare('SELECT 1 FROM fills LIMIT 1').get() !== undefined;
    this.#s = {
      upsert: db.prepare(WRITE_BEHIND_SQL.upsertOrder),
      fill: db.prepare(WRITE_BEHIND_SQL.insertFill),
      hasFill: db.prepare('SELECT 1 FROM fills WHERE execution_id = ?'),
      getOrder: db.prepare('SELECT * FROM orders WHERE client_order_id = ?'),
      getPos: db.prepare('SELECT quantity, avg_entry_price, realized_pnl, last_price, updated_at FROM positions WHERE asset = ?'),
      setPos: db.prepare(WRITE_BEHIND_SQL.upsertPosition),
      journal: db.prepare(WRITE_BEHIND_SQL.insertJournal),
    };
    store.addFlushHook((closing) => { this.drain(); this.#waitFor(this.#sent); if (closing) this.#stop(); });
  }

  get pending(): boolean { return this.#dirty.size > 0 || this.#fills.length > 0 || this.#rows.length > 0 || this.#dirtyPos.size > 0; }

  #load(cid: string): Core | undefined {
    const c = this.#orders.get(cid);
    if (c || !this.#dbHadOrders) return c;
    if (!this.#known.has(cid) && !this.#dbHadOrdersAtStart) return undefined; // never seen: not on disk either
    this.#waitFor(this.#sent - 1); // an evicted row was posted at least one batch ago
    const r = this.#s.getOrder.get(cid) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    const core: Core = {
      cid, orderId: r['order_id'] as string, asset: r['asset'] as string, side: r['side'] as OrderSide, quantity: r['quantity'] as number,
      orderType: r['order_type'] as OrderType, limitPrice: r['limit_price'] as number | null, stopPrice: r['stop_price'] as number | null,
      tif: r['time_in_force'] as TimeInForce, expireAt: r['expire_at'] as number | null, tag: r['tag'] as string | null, reduceOnly: r['reduce_only'] as number,
      status: r['status'] as OrderStatus, filled: r['filled_quantity'] as number, avg: r['avg_fill_price'] as number, createdAt: r['created_at'] as number,
      updatedAt: r['updated_at'] as number, submittedAt: r['submitted_at'] as number | null, filledAt: r['filled_at'] as number | null,
      reason: r['rejection_reason'] as string | null, external: r['external'] as number, overfilled: r['overfilled'] as number,
    };
    this.#orders.set(cid, core);
    this.#known.add(cid);
    return core;
  }

  #touch(c: Core): void {
    this.#dirty.add(c);
    this.#note();
  }

  #note(): void {
    if (++this.#ops >= this.batchOps) this.drain();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => { this.#timer = undefined; this.drain(); }, this.batchMs);
      this.#timer.unref();
    }
  }

  /** Is this id certainly not in the journal? (cheap: no disk read on the hot path) */
  #isNew(cid: string): boolean {
    if (this.#known.has(cid)) return false;
    if (!this.#dbHadOrdersAtStart) return true;
    if (cid.startsWith(this.#idPrefix)) {
      const n = parseInt(cid.slice(this.#idPrefix.length), 36);
      if (Number.isSafeInteger(n) && n > this.#idFloor && cid === this.#idPrefix + n.toString(36)) return true;
    }
    return this.#s.getOrder.get(cid) === undefined;
  }

  recordIntent(i: OrderIntent, now: number): void {
    if (!this.#isNew(i.clientOrderId)) {
      throw new DuplicateClientOrderIdError(`clientOrderId ${i.clientOrderId} is already in the journal; an intent is never sent twice`, { details: { clientOrderId: i.clientOrderId } });
    }
    const c: Core = {
      cid: i.clientOrderId, orderId: '', asset: i.asset, side: i.side, quantity: i.quantity, orderType: i.orderType, limitPrice: i.limitPrice ?? null,
      stopPrice: i.stopPrice ?? null, tif: i.timeInForce, expireAt: i.expireAt ?? null, tag: i.tag ?? null, reduceOnly: i.reduceOnly ? 1 : 0,
      status: 'PENDING_SUBMIT', filled: 0, avg: 0, createdAt: i.createdAt, updatedAt: now, submittedAt: null, filledAt: null, reason: null, external: 0, overfilled: 0,
    };
    this.#orders.set(c.cid, c);
    this.#known.add(c.cid);
    this.#rows.push(now, c.cid, 'INTENT', 'PENDING_SUBMIT', null);
    this.#touch(c);
  }

  recordStatus(cid: string, status: OrderStatus, o: { orderId?: string; reason?: string; kind?: string; authoritative?: boolean; submittedAt?: number }, now: number): boolean {
    const c = this.#load(cid);
    if (!c) return false;
    const forward = o.authoritative === true || (!isTerminal(c.status) && RANK[status] >= RANK[c.status]);
    if (o.orderId && (forward || c.orderId === '')) c.orderId = o.orderId;
    if (forward) {
      c.status = status;
      if (o.reason !== undefined) c.reason = o.reason;
    }
    if (status !== 'PENDING_SUBMIT' && status !== 'UNKNOWN' && c.submittedAt === null) c.submittedAt = o.submittedAt ?? now;
    c.updatedAt = now;
    const kind = o.kind ?? 'STATUS';
    if (kind !== 'ACK' && kind !== 'UPDATE') this.#rows.push(now, cid, kind, forward ? status : `${status}(ignored)`, o.reason ?? null);
    this.#touch(c);
    return true;
  }

  adopt(o: Order, now: number): void {
    const core: Core = {
      cid: o.clientOrderId, orderId: o.orderId, asset: o.asset, side: o.side, quantity: o.quantity, orderType: o.orderType, limitPrice: o.limitPrice ?? null,
      stopPrice: o.stopPrice ?? null, tif: o.timeInForce, expireAt: o.expireAt ?? null, tag: o.tag ?? 'EXTERNAL', reduceOnly: o.reduceOnly ? 1 : 0,
      status: o.status, filled: 0, avg: 0, createdAt: o.createdAt, updatedAt: now, submittedAt: o.submittedAt ?? null, filledAt: null, reason: null,
      external: 1, overfilled: 0,
    };
    this.#orders.set(core.cid, core);
    this.#known.add(core.cid);
    this.#rows.push(now, core.cid, 'ADOPT_EXTERNAL', core.status, null);
    this.#touch(core);
  }

  note(cid: string, kind: string, detail: string | null, now: number): void {
    this.#rows.push(now, cid, kind, null, detail);
    this.#note();
  }

  hasFill(executionId: string): boolean {
    return this.#exec.has(executionId) || (this.#dbHadFills && this.#s.hasFill.get(executionId) !== undefined);
  }

  applyFill(f: Fill, source: FillSource, now: number): FillOutcome {
    if (this.hasFill(f.executionId)) return { kind: 'duplicate', overfill: false, cumulativeMismatch: false, orderKnown: true };
    this.#exec.add(f.executionId);
    this.#fills.push(f.executionId, f.clientOrderId, f.orderId, f.asset, f.side, f.quantity, f.price, f.commission, f.timestamp, f.cumulativeQuantity ?? null, source, now);
    let overfill = false;
    let cumulativeMismatch = false;
    const c = this.#load(f.clientOrderId);
    if (c) {
      const filled = c.filled + f.quantity;
      c.avg = filled > 0 ? (c.avg * c.filled + f.price * f.quantity) / filled : 0;
      c.filled = filled;
      overfill = filled > c.quantity + EPS || (f.cumulativeQuantity !== undefined && f.cumulativeQuantity > c.quantity + EPS);
      cumulativeMismatch = f.cumulativeQuantity !== undefined && Math.abs(f.cumulativeQuantity - filled) > EPS;
      if (filled >= c.quantity - EPS) c.status = 'FILLED';
      else if (RANK[c.status] < 2) c.status = 'PARTIALLY_FILLED';
      if (c.status === 'FILLED' && c.filledAt === null) c.filledAt = f.timestamp;
      if (c.orderId === '') c.orderId = f.orderId;
      if (overfill) c.overfilled = 1;
      c.updatedAt = now;
      this.#touch(c);
    } else {
      this.#note();
    }
    let p = this.#pos.get(f.asset);
    if (!p) {
      const r = this.#s.getPos.get(f.asset) as { quantity: number; avg_entry_price: number; realized_pnl: number; last_price: number; updated_at: number } | undefined;
      p = r ? { quantity: r.quantity, avg: r.avg_entry_price, realized: r.realized_pnl, last: r.last_price, updatedAt: r.updated_at } : { quantity: 0, avg: 0, realized: 0, last: f.price, updatedAt: now };
      this.#pos.set(f.asset, p);
    }
    const { position } = applyFillToPosition({ asset: f.asset, quantity: p.quantity, avgEntryPrice: p.avg, currentPrice: f.price, unrealizedPnl: 0, realizedPnl: p.realized }, f.asset, f.side === 'BUY' ? f.quantity : -f.quantity, f.price);
    p.quantity = position.quantity; p.avg = position.avgEntryPrice; p.realized = position.realizedPnl; p.last = f.price; p.updatedAt = now;
    this.#dirtyPos.add(f.asset);
    return { kind: 'new', overfill, cumulativeMismatch, orderKnown: c !== undefined };
  }

  /** Forgets a cached position (after a direct write such as reconciliation's setPosition). */
  forgetPosition(asset: string): void { this.#pos.delete(asset); this.#dirtyPos.delete(asset); }

  /** Hands everything buffered to the writer (or writes it here when there is no worker). */
  drain(): void {
    if (this.#timer !== undefined) { clearTimeout(this.#timer); this.#timer = undefined; }
    this.#ops = 0;
    if (!this.pending) return;
    const b: WriterBatch = { id: this.#sent + 1, orders: [], fills: this.#fills, positions: [], rows: this.#rows };
    this.#fills = [];
    this.#rows = [];
    for (const c of this.#evictNext) if (!this.#dirty.has(c) && this.#orders.get(c.cid) === c) this.#orders.delete(c.cid); // reloaded from disk on demand
    this.#evictNext = [];
    for (const c of this.#dirty) {
      b.orders.push(c.cid, c.orderId, c.asset, c.side, c.quantity, c.orderType, c.limitPrice, c.stopPrice, c.tif, c.expireAt, c.tag, c.reduceOnly,
        c.status, c.filled, c.avg, c.createdAt, c.updatedAt, c.submittedAt, c.filledAt, c.reason, c.external, c.overfilled);
      if (isTerminal(c.status)) this.#evictNext.push(c);
    }
    if (b.orders.length > 0) this.#dbHadOrders = true;
    this.#dirty.clear();
    for (const a of this.#dirtyPos) {
      const p = this.#pos.get(a);
      if (p) b.positions.push(a, p.quantity, p.avg, p.realized, p.last, p.updatedAt);
    }
    this.#dirtyPos.clear();
    this.#sent = b.id;
    if (this.#worker) {
      this.#waitFor(b.id - 2); // bounded lag: at most two batches in flight
      this.#worker.postMessage(b);
    } else {
      const s = this.#s;
      this.#db.transaction(() => {
        runFlat(s.upsert, b.orders, STRIDE.orders);
        runFlat(s.fill, b.fills, STRIDE.fills);
        runFlat(s.setPos, b.positions, STRIDE.positions);
        runFlat(s.journal, b.rows, STRIDE.rows);
      })();
      Atomics.store(this.#signal, 0, b.id);
    }
  }

  /** Blocks until batch `id` is written; a failed batch throws STATE_WRITE_FAILED. */
  #waitFor(id: number): void {
    const sig = this.#signal;
    const deadline = Date.now() + 30_000;
    for (let cur = Atomics.load(sig, 0); cur < id; cur = Atomics.load(sig, 0)) {
      if (Atomics.load(sig, 1) !== 0 || Date.now() > deadline) break;
      Atomics.wait(sig, 0, cur, 1_000);
    }
    const failed = Atomics.load(sig, 1);
    if (failed !== 0 || Atomics.load(sig, 0) < id) {
      throw new StateError(`journal writer failed or stalled${failed > 0 ? ` on batch ${failed}` : ''} (${this.#store.file})`, 'STATE_WRITE_FAILED', { details: { file: this.#store.file } });
    }
  }

  #stop(): void {
    if (this.#timer !== undefined) { clearTimeout(this.#timer); this.#timer = undefined; }
    const w = this.#worker;
    this.#worker = undefined;
    if (!w) return;
    w.postMessage({ close: true });
    // wait for the writer's connection to close, so nothing reads or reopens the file mid-close
    const deadline = Date.now() + 10_000;
    while (Atomics.load(this.#signal, 2) === 0 && Date.now() < deadline) Atomics.wait(this.#signal, 2, 0, 500);
    void w.terminate();
  }
}
