import { readFileSync, unlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { Fill } from '../domain/fill.js';
import { isTerminal, type Order, type OrderIntent, type OrderSide, type OrderStatus, type OrderType, type TimeInForce } from '../domain/order.js';
import { applyFillToPosition } from '../domain/position.js';
import { DuplicateClientOrderIdError, StateError, isTradingError } from '../errors.js';
import { JournalLog, readLog, type LogRecord } from './journal-log.js';
import { decodeFill, decodeIntent, decodeStatus, encodeAdopt, encodeFill, encodeIntent, encodeNote, encodeStatus, type StatusOptions } from './log-codec.js';
import { LOG_SEQ_COUNTER, WRITE_BEHIND_SQL, applyBatchRows, type Row, type WriterBatch } from './write-behind-sql.js';
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
 * Write-behind buffer of the journal. With `log` (`process` durability) every operation is first
 * appended to the journal log (one write(2), see `journal-log.ts`) and so survives a process
 * crash before it returns; the batches below then only bring SQLite up to date, each with the
 * last log sequence number it covers, and sealed log segments are deleted once committed. On
 * construction, log records newer than that number are replayed through the same operations and
 * committed before anything else reads the journal. Without `log` (`batch` durability: replay,
 * backtests, benchmarks) the buffer alone holds the last writes. The
 * hot path updates in-memory rows and queues fills; every `batchOps` writes (or `batchMs`) the
 * touched orders, new fills and touched positions are handed, once each, to a worker thread
 * that writes them on its own SQLite connection (at most two batches in flight). `store.flush()`
 * (reads, checkpoints, close) waits until everything is written. In `batch`, ack and stream-update
 * rows of the journal table are coalesced away; intents, unknown outcomes, rejections and recovery
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
  readonly #s: Record<'upsert' | 'fill' | 'hasFill' | 'getOrder' | 'getPos' | 'setPos' | 'journal' | 'logSeq', BetterSqlite3.Statement>;
  /** `process` durability: the append-only log written before each operation returns */
  #log: JournalLog | undefined;
  /** the last log sequence number replayed at open (covered by the replay batch) */
  #replayedSeq = 0;
  #replaying = false;
  /** `process`: keep every journal-table row (ack and stream updates too), like a direct commit would */
  readonly #keepAllRows: boolean;
  readonly #db: BetterSqlite3.Database;
  #worker: Worker | undefined;
  readonly #signal: Int32Array;
  #sent = 0;
  #ops = 0;
  #timer: NodeJS.Timeout | undefined;
  batchOps = 4096;
  batchMs = 50;

  constructor(store: StateStore, db: BetterSqlite3.Database, options: { worker?: boolean; log?: boolean } = {}) {
    this.#db = db;
    const sab = new SharedArrayBuffer(12); // [written batch id, failed batch id, writer closed]
    this.#signal = new Int32Array(sab);
    this.#store = store;
    this.#keepAllRows = options.log === true;
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
      logSeq: db.prepare(WRITE_BEHIND_SQL.setLogSeq),
    };
    if (options.log === true) this.#startLog(); // before the worker starts: the replay commits on this connection
    store.addFlushHook((closing) => {
      this.drain();
      this.#waitFor(this.#sent);
      this.#discardLog();
      if (closing) { this.#log?.close(!this.pending); this.#log = undefined; this.#stop(); }
    });
    if (options.worker ?? true) {
      this.#worker = new Worker(new URL('./journal-writer.js', import.meta.url), { workerData: { file: store.file, signal: sab } });
      this.#worker.unref();
      this.#worker.on('error', (err) => { store.logger.error('journal writer failed', { error: err.message }); Atomics.store(this.#signal, 1, -1); });
      this.#worker.on('message', (m: { error?: string; id?: number }) => { if (m.error) store.logger.error('journal writer batch failed', { batch: m.id, error: m.error }); });
    }
  }

  /** Replays the log tail into SQLite (one transaction), removes the old segments, opens a new one. */
  #startLog(): void {
    const store = this.#store;
    const applied = (this.#db.prepare(`SELECT value FROM counters WHERE name = '${LOG_SEQ_COUNTER}'`).get() as { value: number } | undefined)?.value ?? 0;
    const { records, files, lastSeq } = readLog(store.stateDir, applied, (f) => readFileSync(f, 'utf8'));
    this.#replaying = true; // no drain until every record is in: the batch must commit with the last seq
    try {
      for (const rec of records) {
        try { this.#replay(rec); } catch (err) {
          if (isTradingError(err) && err.code === 'STATE_WRITE_FAILED') throw err;
          throw new StateError(`journal log record ${rec[0]} in ${store.stateDir} cannot be replayed (${(err as Error).message})`, 'STATE_CORRUPT', { cause: err, details: { file: store.file, seq: rec[0] } });
        }
      }
    } finally {
      this.#replaying = false;
    }
    if (records.length > 0) store.logger.warn('journal log replayed after an unclean stop', { records: records.length, fromSeq: applied + 1, toSeq: lastSeq });
    this.#replayedSeq = lastSeq;
    const rowsChanged = this.pending;
    this.drain(); // no worker yet: commits the replayed rows here, with journal_log_seq = lastSeq in the same transaction
    if (!rowsChanged && lastSeq > applied) this.#s.logSeq.run(lastSeq); // records that changed nothing: only the number moves
    for (const f of files) unlinkSync(f); // everything in them is now in SQLite
    this.#log = new JournalLog(store.stateDir, lastSeq); // only now: a crash above must not leave a newer segment behind a torn tail
  }

  /** Applies one log record through the same operation that wrote it (its original `now`). */
  #replay(rec: LogRecord): void {
    const [, kind, now, a, b, c] = rec;
    // the log is not open yet during replay, so these do not append again
    if (kind === 'I') this.recordIntent(decodeIntent(rec), now);
    else if (kind === 'S') { const d = decodeStatus(rec); this.recordStatus(d.cid, d.status, d.options, now); }
    else if (kind === 'F') { const d = decodeFill(rec); this.applyFill(d.fill, d.source, now); }
    else if (kind === 'A') this.adopt(a as Order, now);
    else if (kind === 'N') this.note(a as string, b as string, c as string | null, now);
    else throw new Error(`unknown record kind ${kind}`);
  }

  /** Deletes the log segments whose batches are committed (never after a failed batch). */
  #discardLog(): void {
    if (this.#log && Atomics.load(this.#signal, 1) === 0) this.#log.discard(Atomics.load(this.#signal, 0));
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
    if (this.#replaying) return;
    if (++this.#ops >= this.batchOps) this.drain();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        // nothing to throw to here: a failure is logged, and the next synchronous flush (a read, a checkpoint, close) reports it
        try { this.drain(); } catch (err) { this.#store.logger.error('journal flush failed', { error: (err as Error).message }); }
      }, this.batchMs);
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
    this.#log?.append(encodeIntent(i, now)); // durable before the caller sends the order
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

  recordStatus(cid: string, status: OrderStatus, o: StatusOptions, now: number): boolean {
    const c = this.#load(cid);
    if (!c) return false;
    const forward = o.authoritative === true || (!isTerminal(c.status) && RANK[status] >= RANK[c.status]);
    const kind = o.kind ?? 'STATUS';
    const submitted = status !== 'PENDING_SUBMIT' && status !== 'UNKNOWN' && c.submittedAt === null;
    const newOrderId = o.orderId !== undefined && o.orderId !== '' && o.orderId !== c.orderId && (forward || c.orderId === '');
    if ((kind === 'ACK' || kind === 'UPDATE') && !submitted && !newOrderId && (!forward || (status === c.status && (o.reason === undefined || o.reason === c.reason)))) {
      // a stream echo that changes nothing (the venue's FILLED update and the ack after the fill
      // already made the order FILLED): no log line, no row, the order is untouched
      return true;
    }
    this.#log?.append(encodeStatus(cid, status, o, now)); // before any change: a failed write changes nothing
    if (newOrderId) c.orderId = o.orderId!;
    if (forward) {
      c.status = status;
      if (o.reason !== undefined) c.reason = o.reason;
    }
    if (submitted) c.submittedAt = o.submittedAt ?? now;
    c.updatedAt = now;
    if (this.#keepAllRows || (kind !== 'ACK' && kind !== 'UPDATE')) this.#rows.push(now, cid, kind, forward ? status : `${status}(ignored)`, o.reason ?? null);
    this.#touch(c);
    return true;
  }

  adopt(o: Order, now: number): void {
    this.#log?.append(encodeAdopt(o, now));
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
    this.#log?.append(encodeNote(cid, kind, detail, now));
    this.#rows.push(now, cid, kind, null, detail);
    this.#note();
  }

  hasFill(executionId: string): boolean {
    return this.#exec.has(executionId) || (this.#dbHadFills && this.#s.hasFill.get(executionId) !== undefined);
  }

  applyFill(f: Fill, source: FillSource, now: number): FillOutcome {
    if (this.hasFill(f.executionId)) return { kind: 'duplicate', overfill: false, cumulativeMismatch: false, orderKnown: true };
    this.#log?.append(encodeFill(f, source, now));
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
    if (Atomics.load(this.#signal, 1) !== 0) {
      // keep the rows (and, in `process`, the log segments): nothing commits after a failed batch
      throw new StateError(`journal writer failed earlier; nothing more is written to ${this.#store.file} (the log keeps every record for the next start)`, 'STATE_WRITE_FAILED', { details: { file: this.#store.file } });
    }
    const b: WriterBatch = { id: this.#sent + 1, orders: [], fills: this.#fills, positions: [], rows: this.#rows, logSeq: this.#log?.seq ?? this.#replayedSeq };
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
      try {
        this.#db.transaction(() => applyBatchRows({ upsert: s.upsert, fill: s.fill, pos: s.setPos, journal: s.journal, logSeq: s.logSeq }, b))();
      } catch (err) {
        Atomics.store(this.#signal, 1, b.id); // its log segment must never be discarded
        throw new StateError(`cannot write journal batch to ${this.#store.file}: ${(err as Error).message}`, 'STATE_WRITE_FAILED', { cause: err, details: { file: this.#store.file } });
      }
      Atomics.store(this.#signal, 0, b.id);
    }
    this.#log?.seal(b.id); // later records go to a new segment; this one is deleted once batch b is committed
    this.#discardLog();
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
