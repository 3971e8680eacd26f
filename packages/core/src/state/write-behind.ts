import { readFileSync, unlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { Fill } from '../domain/fill.js';
import { isTerminal, type Order, type OrderIntent, type OrderSide, type OrderStatus, type OrderType, type TimeInForce } from '../domain/order.js';
import { PositionRecord, applyFillInPlace } from '../domain/position.js';
import { DuplicateClientOrderIdError, StateError, isTradingError } from '../errors.js';
import { SeenIds } from './seen-ids.js';
import { IssuedIds } from './issued-ids.js';
import { JournalLog, readLog, type LogRecord } from './journal-log.js';
import { decodeFill, decodeIntent, decodeStatus, fillValues, writeAdopt, writeFill, writeIntent, writeNote, writeStatus, type StatusOptions } from './log-codec.js';
import { ByteWriter } from './byte-writer.js';
import { BatchBuffers } from './batch-buffers.js';
import { OrderTable, type OrderKey } from './order-table.js';
import { LOG_SEQ_COUNTER, NATIVE_UNAVAILABLE, RESERVED_AT, SIGNAL_BYTES, WRITE_BEHIND_SQL, applyBatch, discardSegment, noteReserved, prepareBatchStatements, type BatchStatements, type PostedBatch } from './write-behind-sql.js';
import { DUPLICATE_FILL, adoptedAvg, adoptedFilled, newFillOutcome, type FillOutcome, type FillSource } from './journal.js';
import type { CounterReservation, StateStore } from './store.js';

const EPS = 1e-9;
/** Batches handed to the writer and not yet committed, at most (slack for a writer thread that is briefly descheduled). */
const MAX_IN_FLIGHT = 4;
/** Evicted order records kept for reuse, at most. */
const FREE_RECORDS = 8192;
const RANK: Record<OrderStatus, number> = {
  PENDING_SUBMIT: 0, UNKNOWN: 0, SUBMITTED: 1, PARTIALLY_FILLED: 2, FILLED: 3, CANCELLED: 3, REJECTED: 3, EXPIRED: 3,
};

/** A nullable column's value as a `Core` number (NaN for NULL), and back. */
const orNaN = (v: number | null | undefined): number => (v === null || v === undefined ? NaN : v);
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** The mutable in-memory copy of one order row. */
interface Core {
  cid: string; orderId: string; asset: string; side: OrderSide; quantity: number; orderType: OrderType;
  /**
   * The optional numbers (`limitPrice`, `stopPrice`, `expireAt`, `submittedAt`, `filledAt`) are
   * NaN when absent (the row's NULL): number-only fields, since records are reused and long-lived,
   * and a field that may hold `null` stores every new number as a fresh heap box (an allocation and
   * a write-barrier call per store)
   */
  limitPrice: number; stopPrice: number; tif: TimeInForce; expireAt: number; tag: string | null; reduceOnly: number; status: OrderStatus;
  filled: number; avg: number; createdAt: number; updatedAt: number; submittedAt: number; filledAt: number;
  reason: string | null; external: number; overfilled: number;
  /** in `#dirty` (written at the next drain) */
  dirty: boolean;
  /** its key in `#orders` (`WriteBehindJournal.#keyOf`) */
  key: OrderKey;
  /**
   * its row's first twelve values (client order id … created_at) as its intent's log record wrote
   * them: `#prefixes[prefixAt, prefixEnd)` while `prefixEpoch` is the current one (the batch being
   * gathered), else they are encoded from the fields above
   */
  prefixAt: number; prefixEnd: number; prefixEpoch: number;
}
interface PosCore { quantity: number; avg: number; realized: number; last: number; updatedAt: number }
/** A counter block to reserve with a batch: `batchId` 0 until posted. */
interface Reservation { name: string; size: number; batchId: number }


/**
 * Write-behind buffer of the journal. With `log` (`process` durability) every operation is first
 * recorded in the journal log (see `journal-log.ts`): an intent is written, with every record
 * buffered before it, by one append (`log-segment.ts`) before `recordIntent` returns (it survives a process crash
 * before the order is sent); acks, status changes, fills, notes and adoptions are buffered and
 * written with the next intent, within `logFlushMs`, or before the next batch / flush / close
 * (a crash can lose them; the venue has them and recovery reads them back). The batches below
 * then only bring SQLite up to date, each with the last log sequence number it covers, and
 * sealed log segments are deleted once committed. On construction, log records newer than that
 * number are replayed through the same operations and committed before anything else reads the
 * journal. Without `log` (`batch` durability: replay, backtests, benchmarks) the buffer alone
 * holds the last writes. The hot path updates in-memory rows and queues fills; every `batchOps`
 * writes (or `batchMs`) the touched orders, new fills and touched positions are handed, once
 * each, to a worker thread that writes them on its own SQLite connection (at most four batches in
 * flight). `store.flush()` (reads, checkpoints, close) waits until everything is written. Ack and
 * stream-update rows of the journal table are coalesced into the order row; intents, unknown
 * outcomes, rejections, notes and recovery entries are kept. Same dedup and status rules as the
 * synchronous journal. Memory stays bounded: terminal orders leave memory after their batch,
 * used ids are one bit each (`issued-ids.ts`), execution ids and other order ids a Bloom filter backed by SQLite (`seen-ids.ts`).
 */
export class WriteBehindJournal {
  readonly #store: StateStore;
  /** the orders in memory, by `#keyOf(clientOrderId)` */
  readonly #orders = new OrderTable<Core>();
  /** the order created or looked up last (acks, fills and updates mostly follow their intent): no key, no map lookup */
  #last: Core | undefined;
  /** orders changed since the last drain, in the order of their first change (each once: `Core.dirty`) */
  #dirty: Core[] = [];
  /** terminal orders of the previous batch: dropped from memory at the next drain (their rows are on disk by then, or in flight) */
  #evictNext: Core[] = [];
  /**
   * evicted order records, reused by the next intents: an order's record outlives a few
   * scavenges (it waits for its batch), so a fresh one per order would be promoted and become
   * old-space garbage; nothing else holds an evicted record (`#last` is cleared, it is not dirty)
   */
  readonly #free: Core[] = [];
  /** fill rows not yet handed to the writer (`STRIDE.fills` values each), and their execution ids */
  readonly #fills = new ByteWriter();
  #fillIds: string[] = [];
  /** execution ids journaled: the recent ones exactly, older ones via SQLite (bounded memory) */
  readonly #exec: SeenIds;
  readonly #pos = new Map<string, PosCore>();
  readonly #scratch = new PositionRecord('', 0);
  readonly #dirtyPos = new Set<string>();
  /** journal-table rows not yet handed to the writer (`STRIDE.rows` values each) */
  readonly #rows = new ByteWriter();
  /** scratch for the order and position rows of a batch */
  readonly #batchRows = new ByteWriter();
  /** the shared memory each posted batch's rows are copied to (reused once the batch is committed) */
  readonly #buffers = new BatchBuffers();
  /** the intents' row prefixes of the batch being gathered (`Core.prefixAt`), and which batch that is */
  readonly #prefixes = new ByteWriter();
  #epoch = 1;
  #dbHadOrders: boolean;
  /** generated ids `tw<namespace><n>` (n above the counter at start) used this session: one bit each */
  readonly #issued: IssuedIds;
  /** any other clientOrderId (user-chosen, another generator's, adopted, on disk at start): "maybe" → exact check */
  readonly #otherIds: SeenIds;
  readonly #s: Record<'hasFill' | 'getOrder' | 'getPos' | 'logSeq', BetterSqlite3.Statement>;
  /** `process` durability: the append-only log written before each operation returns */
  #log: JournalLog | undefined;
  /** the last log sequence number replayed at open (covered by the replay batch) */
  #replayedSeq = 0;
  #replaying = false;
  readonly #db: BetterSqlite3.Database;
  /** batch statements on this connection (no worker, and the replay at open) */
  #batchSt: BatchStatements | undefined;
  #worker: Worker | undefined;
  readonly #signal: Int32Array;
  readonly #sab: SharedArrayBuffer;
  /** [batch id, start] of the last counter block reserved with a batch (written by whoever committed it) */
  readonly #reserved: Float64Array;
  /** a counter block waiting for the next batch */
  #reservation: Reservation | undefined;
  #sent = 0;
  #ops = 0;
  #timer: NodeJS.Timeout | undefined;
  #logTimer: NodeJS.Timeout | undefined;
  batchOps = 4096;
  batchMs = 50;
  /** buffered log records (acks, statuses, fills) are written at the latest this long after (and with the next intent, batch or close) */
  logFlushMs = 5;

  constructor(store: StateStore, db: BetterSqlite3.Database, options: { worker?: boolean; log?: boolean } = {}) {
    this.#db = db;
    const sab = new SharedArrayBuffer(SIGNAL_BYTES); // Int32 [written batch id, failed batch id, writer closed], Float64 [reservation batch id, start]
    this.#sab = sab;
    this.#signal = new Int32Array(sab, 0, 3);
    this.#reserved = new Float64Array(sab, RESERVED_AT, 2);
    this.#store = store;
    this.#dbHadOrders = db.prepare('SELECT 1 FROM orders LIMIT 1').get() !== undefined;
    const idFloor = (db.prepare(`SELECT value FROM counters WHERE name = 'client_order_id'`).get() as { value: number } | undefined)?.value ?? 0;
    this.#issued = new IssuedIds(`tw${store.namespace}`, idFloor);
    this.#exec = loadIds(db, 'fills', 'execution_id');
    this.#otherIds = loadIds(db, 'orders', 'client_order_id');
    this.#s = {
      hasFill: db.prepare('SELECT 1 FROM fills WHERE execution_id = ?'),
      getOrder: db.prepare('SELECT * FROM orders WHERE client_order_id = ?'),
      getPos: db.prepare('SELECT quantity, avg_entry_price, realized_pnl, last_price, updated_at FROM positions WHERE asset = ?'),
      logSeq: db.prepare(WRITE_BEHIND_SQL.setLogSeq),
    };
    if (options.log === true) this.#startLog(); // before the worker starts: the replay commits on this connection
    store.addFlushHook((closing) => {
      try {
        this.drain();
        this.#waitFor(this.#sent); // the writer deletes each batch's segment written by write(2) once it is committed
        this.#committed(); // mapped ones are retired here (`journal-log.ts`), then deleted by `close`
      } finally {
        // even when the drain failed (a broken log, a failed batch): the worker must not outlive the
        // store, or it keeps the process alive and the state dir locked
        if (closing) {
          try { this.#log?.close(!this.pending); } finally { this.#log = undefined; this.#stop(); }
        }
      }
    });
    if (options.worker ?? true) {
      this.#worker = new Worker(new URL('./journal-writer.js', import.meta.url), { workerData: { file: store.file, signal: sab } });
      this.#worker.on('error', (err) => { store.logger.error('journal writer failed', { error: err.message }); Atomics.store(this.#signal, 1, -1); });
      this.#worker.on('message', (m: { error?: string; id?: number; warn?: string }) => {
        if (m.error) store.logger.error('journal writer batch failed', { batch: m.id, error: m.error });
        if (m.warn) store.logger.warn(m.warn);
      });
      this.#worker.unref(); // after the listeners: adding a 'message' listener refs the worker again
      // busy while a posted batch is not yet committed (the worker holds SQLite's write lock)
      store.setWriterBusyProbe(() => this.#worker !== undefined && Atomics.load(this.#signal, 0) < this.#sent);
      store.setWriterIdleWait(() => this.#waitIdle());
    }
    store.setCounterReserver((name, size) => this.#reserveWithBatch(name, size));
  }

  /** Replays the log tail into SQLite (one transaction), removes the old segments, opens a new one. */
  #startLog(): void {
    const store = this.#store;
    const applied = (this.#db.prepare(`SELECT value FROM counters WHERE name = '${LOG_SEQ_COUNTER}'`).get() as { value: number } | undefined)?.value ?? 0;
    const { records, files, lastSeq, torn } = readLog(store.stateDir, applied, (f) => readFileSync(f));
    if (torn) store.logger.warn('journal log ends with an incomplete write (the process died during it); that write is ignored', { file: torn.file, [torn.unit]: torn.at });
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

  /** Writes the log's buffered records now (the short timer, and before anything that relies on the log being complete). */
  flushLog(): void {
    if (this.#logTimer !== undefined) { clearTimeout(this.#logTimer); this.#logTimer = undefined; }
    this.#log?.flush();
  }

  /** Arms the short timer that writes buffered log records (one timer at a time). */
  #armLogFlush(): void {
    if (this.#logTimer !== undefined || this.#replaying) return;
    this.#logTimer = setTimeout(this.#onLogTimer, this.logFlushMs);
    this.#logTimer.unref();
  }

  // The timers' callbacks are made once: an arrow function written inside `#armLogFlush` or
  // `#note` would make every call of them (and of the order-path methods they are inlined into)
  // allocate a context for the `this` it captures, timer armed or not (≈ 420 bytes per order over
  // its intent, ack and fill).
  readonly #onLogTimer = (): void => {
    this.#logTimer = undefined;
    // nothing to throw to here: the log stays broken and the next intent (or flush) reports it
    try { this.#log?.flush(); } catch (err) { this.#store.logger.error('journal log write failed', { error: (err as Error).message }); }
  };

  readonly #onBatchTimer = (): void => {
    this.#timer = undefined;
    // nothing to throw to here: a failure is logged, and the next synchronous flush (a read, a checkpoint, close) reports it
    try { this.drain(); } catch (err) { this.#store.logger.error('journal flush failed', { error: (err as Error).message }); }
  };

  get pending(): boolean { return this.#dirty.length > 0 || this.#fills.size > 0 || this.#rows.size > 0 || this.#dirtyPos.size > 0 || this.#reservation !== undefined; }

  /**
   * Reserves a counter block in the next batch's transaction (the id generator's block ahead):
   * no commit on this connection, so no wait for the writer's lock. The block counts only once
   * that batch is committed (`poll`/`wait`); a failed batch fails it. Undefined while another
   * reservation waits for its batch, or after a failed batch.
   */
  #reserveWithBatch(name: string, size: number): CounterReservation | undefined {
    if (this.#reservation !== undefined || Atomics.load(this.#signal, 1) !== 0) return undefined; // one at a time (the caller commits on its connection instead); none after a failed batch
    const r: Reservation = { name, size, batchId: 0 };
    this.#reservation = r;
    this.#note(); // a batch within batchMs, even if nothing else is written
    const read = (): number => { // written only by a batch that committed
      if (this.#reserved[0] === r.batchId) return this.#reserved[1]!;
      throw new StateError(`counter block for ${name} not reserved: journal batch ${r.batchId} failed (${this.#store.file})`, 'STATE_WRITE_FAILED', { details: { file: this.#store.file, counter: name } });
    };
    return {
      poll: () => (r.batchId === 0 || Atomics.load(this.#signal, 0) < r.batchId ? undefined : read()),
      post: () => { if (r.batchId === 0) this.drain(); },
      wait: () => {
        if (r.batchId === 0) this.drain();
        this.#waitFor(r.batchId);
        return read();
      },
    };
  }

  #keyOf(cid: string): OrderKey {
    const i = this.#issued.index(cid);
    return i >= 0 ? i : cid;
  }

  #load(cid: string): Core | undefined {
    const last = this.#last;
    if (last !== undefined && last.cid === cid) return last;
    const key = this.#keyOf(cid);
    const c = this.#orders.get(key);
    if (c) { this.#last = c; return c; }
    if (!this.#dbHadOrders) return undefined;
    if (!this.#mayBeKnown(cid)) return undefined; // never seen: not on disk either
    this.#waitFor(this.#sent - 1); // an evicted row was posted at least one batch ago
    const r = this.#s.getOrder.get(cid) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    const core: Core = {
      cid, orderId: r['order_id'] as string, asset: r['asset'] as string, side: r['side'] as OrderSide, quantity: r['quantity'] as number,
      orderType: r['order_type'] as OrderType, limitPrice: orNaN(r['limit_price'] as number | null), stopPrice: orNaN(r['stop_price'] as number | null),
      tif: r['time_in_force'] as TimeInForce, expireAt: orNaN(r['expire_at'] as number | null), tag: r['tag'] as string | null, reduceOnly: r['reduce_only'] as number,
      status: r['status'] as OrderStatus, filled: r['filled_quantity'] as number, avg: r['avg_fill_price'] as number, createdAt: r['created_at'] as number,
      updatedAt: r['updated_at'] as number, submittedAt: orNaN(r['submitted_at'] as number | null), filledAt: orNaN(r['filled_at'] as number | null),
      reason: r['rejection_reason'] as string | null, external: r['external'] as number, overfilled: r['overfilled'] as number, dirty: false, key,
      prefixAt: 0, prefixEnd: 0, prefixEpoch: 0,
    };
    this.#orders.set(key, core);
    this.#last = core;
    return core;
  }

  /** Was `cid` journaled (this session, or before it)? Exact for generated ids; "maybe" (true) now and then for others. */
  #mayBeKnown(cid: string): boolean {
    const i = this.#issued.index(cid);
    return i >= 0 ? this.#issued.has(i) : this.#otherIds.mightHave(cid);
  }

  /** `i`: the id's `IssuedIds` index when the caller has it. */
  #markUsed(cid: string, i = this.#issued.index(cid)): void {
    if (i >= 0) this.#issued.add(i);
    else this.#otherIds.add(cid);
  }

  #row(now: number, cid: string, kind: string, status: string | null, detail: string | null): void {
    const w = this.#rows;
    w.num(now); w.str(cid); w.col(2, kind); w.col(3, status); w.optStr(detail);
  }

  #touch(c: Core): void {
    if (!c.dirty) { c.dirty = true; this.#dirty.push(c); }
    this.#note();
  }

  #note(): void {
    if (this.#replaying) return;
    if (++this.#ops >= this.batchOps) this.drain();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#onBatchTimer, this.batchMs);
      this.#timer.unref();
    }
  }

  /**
   * Is this id certainly not in the journal? (no disk read on the hot path, but for a "maybe" of
   * the filter) `i`: its `IssuedIds` index (-1: not a generated id of this session).
   */
  #isNew(cid: string, i: number): boolean {
    if (i >= 0) return !this.#issued.has(i); // issued after the start: on disk (or in memory) only if used this session
    if (this.#orders.has(cid)) return false;
    const seen = this.#otherIds;
    if (!seen.mightHave(cid)) return true;
    if (seen.uncommitted(cid, NO_IDS)) return false; // evicted, its batch not committed yet
    this.#committed();
    return this.#s.getOrder.get(cid) === undefined;
  }

  recordIntent(i: OrderIntent, now: number): void {
    const issued = this.#issued.index(i.clientOrderId);
    if (!this.#isNew(i.clientOrderId, issued)) {
      throw new DuplicateClientOrderIdError(`clientOrderId ${i.clientOrderId} is already in the journal; an intent is never sent twice`, { details: { clientOrderId: i.clientOrderId } });
    }
    // with the buffered records, one write: durable before the caller sends the order; the order
    // row's first values are a copy of the record's
    const prefixAt = this.#prefixes.mark;
    const prefixEpoch = this.#log ? this.#epoch : 0; // the batch being gathered (read first: nothing below may start another)
    if (this.#log) {
      try { writeIntent(this.#log, i, now, this.#prefixes); } catch (err) { this.#prefixes.truncate(prefixAt); throw err; }
    }
    const prefixEnd = this.#prefixes.mark;
    const key = issued >= 0 ? issued : i.clientOrderId;
    const c = this.#free.pop();
    if (c === undefined) {
      const fresh: Core = {
        cid: i.clientOrderId, orderId: '', asset: i.asset, side: i.side, quantity: i.quantity, orderType: i.orderType, limitPrice: i.limitPrice ?? NaN,
        stopPrice: i.stopPrice ?? NaN, tif: i.timeInForce, expireAt: i.expireAt ?? NaN, tag: i.tag ?? null, reduceOnly: i.reduceOnly ? 1 : 0,
        status: 'PENDING_SUBMIT', filled: 0, avg: 0, createdAt: i.createdAt, updatedAt: now, submittedAt: NaN, filledAt: NaN, reason: null, external: 0, overfilled: 0, dirty: false,
        key, prefixAt, prefixEnd, prefixEpoch,
      };
      this.#admit(fresh, issued, now);
      return;
    }
    c.cid = i.clientOrderId; c.orderId = ''; c.asset = i.asset; c.side = i.side; c.quantity = i.quantity; c.orderType = i.orderType; c.limitPrice = i.limitPrice ?? NaN;
    c.stopPrice = i.stopPrice ?? NaN; c.tif = i.timeInForce; c.expireAt = i.expireAt ?? NaN; c.tag = i.tag ?? null; c.reduceOnly = i.reduceOnly ? 1 : 0;
    c.status = 'PENDING_SUBMIT'; c.filled = 0; c.avg = 0; c.createdAt = i.createdAt; c.updatedAt = now; c.submittedAt = NaN; c.filledAt = NaN; c.reason = null;
    c.external = 0; c.overfilled = 0; c.dirty = false; c.key = key; c.prefixAt = prefixAt; c.prefixEnd = prefixEnd; c.prefixEpoch = prefixEpoch;
    this.#admit(c, issued, now);
  }

  /** A new intent's record joins the orders in memory. */
  #admit(c: Core, issued: number, now: number): void {
    this.#orders.set(c.key, c);
    this.#last = c;
    this.#markUsed(c.cid, issued);
    this.#row(now, c.cid, 'INTENT', 'PENDING_SUBMIT', null);
    this.#touch(c);
  }

  recordStatus(cid: string, status: OrderStatus, o: StatusOptions, now: number): boolean {
    const c = this.#load(cid);
    if (!c) return false;
    const forward = o.authoritative === true || (!isTerminal(c.status) && RANK[status] >= RANK[c.status]);
    const kind = o.kind ?? 'STATUS';
    const submitted = status !== 'PENDING_SUBMIT' && status !== 'UNKNOWN' && Number.isNaN(c.submittedAt);
    const newOrderId = o.orderId !== undefined && o.orderId !== '' && o.orderId !== c.orderId && (forward || c.orderId === '');
    if ((kind === 'ACK' || kind === 'UPDATE') && !submitted && !newOrderId && (!forward || (status === c.status && (o.reason === undefined || o.reason === c.reason)))) {
      // a stream echo that changes nothing (the venue's FILLED update and the ack after the fill
      // already made the order FILLED): no log line, no row, the order is untouched
      return true;
    }
    if (this.#log) { writeStatus(this.#log, cid, status, o, now); this.#armLogFlush(); } // before any change: a failed write changes nothing
    if (newOrderId) c.orderId = o.orderId!;
    if (forward) {
      c.status = status;
      if (o.reason !== undefined) c.reason = o.reason;
    }
    if (submitted) c.submittedAt = o.submittedAt ?? now;
    c.updatedAt = now;
    if (kind !== 'ACK' && kind !== 'UPDATE') this.#row(now, cid, kind, forward ? status : `${status}(ignored)`, o.reason ?? null);
    this.#touch(c);
    return true;
  }

  adopt(o: Order, now: number): void {
    if (this.#log) { writeAdopt(this.#log, o, now); this.#armLogFlush(); }
    const core: Core = {
      cid: o.clientOrderId, orderId: o.orderId, asset: o.asset, side: o.side, quantity: o.quantity, orderType: o.orderType, limitPrice: o.limitPrice ?? NaN,
      stopPrice: o.stopPrice ?? NaN, tif: o.timeInForce, expireAt: o.expireAt ?? NaN, tag: o.tag ?? 'EXTERNAL', reduceOnly: o.reduceOnly ? 1 : 0,
      status: o.status, filled: adoptedFilled(o), avg: adoptedAvg(o), createdAt: o.createdAt, updatedAt: now, submittedAt: o.submittedAt ?? NaN,
      filledAt: o.status === 'FILLED' ? o.updatedAt : NaN, reason: null, external: 1, overfilled: 0, dirty: false, key: this.#keyOf(o.clientOrderId),
      prefixAt: 0, prefixEnd: 0, prefixEpoch: 0,
    };
    this.#orders.set(core.key, core);
    this.#last = core;
    this.#markUsed(core.cid);
    this.#row(now, core.cid, 'ADOPT_EXTERNAL', core.status, null);
    this.#touch(core);
  }

  note(cid: string, kind: string, detail: string | null, now: number): void {
    if (this.#log) { writeNote(this.#log, cid, kind, detail, now); this.#armLogFlush(); }
    this.#row(now, cid, kind, null, detail);
    this.#note();
  }

  hasFill(executionId: string): boolean {
    const ids = this.#exec;
    if (!ids.mightHave(executionId)) return false; // the common case: a new execution
    if (ids.uncommitted(executionId, this.#fillIds)) return true;
    this.#committed(); // what left `uncommitted` is in SQLite
    return this.#s.hasFill.get(executionId) !== undefined;
  }

  /** Tells the execution-id filter which batches are committed (never past a failed one). */
  #committed(): void {
    const done = Atomics.load(this.#signal, 0); // first: the writer marks a failure before it moves this
    if (Atomics.load(this.#signal, 1) !== 0) return;
    this.#exec.committed(done);
    this.#otherIds.committed(done);
    this.#log?.committed(done); // their log segments leave the log, for reuse
    this.#buffers.committed(done); // and their rows' buffers can be written again
  }

  applyFill(f: Fill, source: FillSource, now: number): FillOutcome {
    if (this.hasFill(f.executionId)) return DUPLICATE_FILL;
    const w = this.#fills;
    if (this.#log) {
      // a crash may lose it: recovery reads it back from the venue; its row is a copy of the record's values
      const at = w.mark;
      try { writeFill(this.#log, f, source, now, w); } catch (err) { w.truncate(at); throw err; }
      this.#armLogFlush();
    } else {
      fillValues(w, f, source); w.num(now); // the columns of `WRITE_BEHIND_SQL.insertFill`
    }
    this.#exec.add(f.executionId);
    this.#fillIds.push(f.executionId);
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
      if (c.status === 'FILLED' && Number.isNaN(c.filledAt)) c.filledAt = f.timestamp;
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
    const position = this.#scratch; // same arithmetic as applyFillToPosition, without its allocations
    position.asset = f.asset; position.quantity = p.quantity; position.avgEntryPrice = p.avg; position.currentPrice = f.price; position.unrealizedPnl = 0; position.realizedPnl = p.realized;
    applyFillInPlace(position, f.side === 'BUY' ? f.quantity : -f.quantity, f.price);
    p.quantity = position.quantity; p.avg = position.avgEntryPrice; p.realized = position.realizedPnl; p.last = f.price; p.updatedAt = now;
    this.#dirtyPos.add(f.asset);
    return newFillOutcome(overfill, cumulativeMismatch, c !== undefined);
  }

  /** Forgets a cached position (after a direct write such as reconciliation's setPosition). */
  forgetPosition(asset: string): void { this.#pos.delete(asset); this.#dirtyPos.delete(asset); }

  /** Hands everything buffered to the writer (or writes it here when there is no worker). */
  drain(): void {
    if (this.#timer !== undefined) { clearTimeout(this.#timer); this.#timer = undefined; }
    this.#ops = 0;
    this.flushLog(); // the log first: SQLite must never commit a record the log could still lose (the sequence stays gapless)
    if (!this.pending) return;
    if (Atomics.load(this.#signal, 1) !== 0) {
      // keep the rows (and, in `process`, the log segments): nothing commits after a failed batch
      throw new StateError(`journal writer failed earlier; nothing more is written to ${this.#store.file} (the log keeps every record for the next start)`, 'STATE_WRITE_FAILED', { details: { file: this.#store.file } });
    }
    const id = this.#sent + 1;
    const logSeq = this.#log?.seq ?? this.#replayedSeq;
    // later records go to a new segment; this one is deleted (or retired for reuse) once batch `id`
    // is committed (first: if opening the next segment fails, nothing below has been taken from memory yet)
    const discard = this.#log?.seal(id);
    const fills = this.#buffers.take(this.#fills, id);
    const rows = this.#buffers.take(this.#rows, id);
    this.#exec.posted(id, this.#fillIds); // tracked until batch `id` is known committed (never, if it fails)
    this.#fillIds = [];
    const free = this.#free;
    for (const c of this.#evictNext) {
      if (c.dirty || this.#orders.get(c.key) !== c) continue;
      this.#orders.delete(c.key); // reloaded from disk on demand
      if (this.#last === c) this.#last = undefined;
      if (free.length < FREE_RECORDS) free.push(c); // nothing refers to it any more
    }
    this.#evictNext = [];
    const w = this.#batchRows;
    const cids: string[] = [];
    for (const c of this.#dirty) {
      c.dirty = false;
      if (typeof c.key === 'string') cids.push(c.cid); // generated ids are settled by their bit, never by `uncommitted`
      // the columns of `WRITE_BEHIND_SQL.upsertOrder`; the first twelve copied from the intent's log
      // record when it was written in this batch (never `col`: copied rows would not track it)
      if (c.prefixEpoch === this.#epoch) w.raw(this.#prefixes, c.prefixAt, c.prefixEnd);
      else {
        w.str(c.cid); w.str(c.asset); w.str(c.side); w.num(c.quantity); w.str(c.orderType); w.optNum(orNull(c.limitPrice)); w.optNum(orNull(c.stopPrice));
        w.str(c.tif); w.optNum(orNull(c.expireAt)); w.optStr(c.tag); w.num(c.reduceOnly); w.num(c.createdAt);
      }
      w.str(c.orderId); w.col(13, c.status); w.num(c.filled); w.num(c.avg); w.num(c.updatedAt); w.optNum(orNull(c.submittedAt)); w.optNum(orNull(c.filledAt));
      w.optStr(c.reason); w.num(c.external); w.num(c.overfilled);
      if (isTerminal(c.status)) this.#evictNext.push(c);
    }
    this.#prefixes.truncate(0); // every order whose intent wrote one was dirty: its row is written above
    this.#epoch++;
    if (this.#dirty.length > 0) this.#dbHadOrders = true;
    this.#otherIds.posted(id, cids); // an order evicted from memory is found here until its batch is committed
    this.#dirty = [];
    const orders = this.#buffers.take(w, id);
    for (const a of this.#dirtyPos) {
      const p = this.#pos.get(a);
      if (p) { w.str(a); w.num(p.quantity); w.num(p.avg); w.num(p.realized); w.num(p.last); w.num(p.updatedAt); }
    }
    this.#dirtyPos.clear();
    const b: PostedBatch = { id, orders, fills, positions: this.#buffers.take(w, id), rows, logSeq };
    if (discard !== undefined) b.discard = discard;
    const r = this.#reservation;
    if (r !== undefined) { b.reserve = { name: r.name, size: r.size }; r.batchId = id; this.#reservation = undefined; }
    this.#sent = b.id;
    if (this.#worker) {
      this.#waitFor(b.id - MAX_IN_FLIGHT); // bounded lag (memory, and how far SQLite trails the log)
      this.#worker.postMessage(b); // the rows are views of shared memory: read in place, not copied
    } else {
      try {
        this.#batchSt ??= prepareBatchStatements(this.#db, (why) => this.#store.logger.warn(NATIVE_UNAVAILABLE, { why }));
        const st = this.#batchSt;
        const reserved = this.#db.transaction(() => applyBatch(st, b))();
        if (reserved !== undefined) noteReserved(this.#sab, b.id, reserved);
        if (b.discard !== undefined) discardSegment(b.discard, (m) => this.#store.logger.warn(m));
      } catch (err) {
        Atomics.store(this.#signal, 1, b.id); // its log segment must never be discarded
        throw new StateError(`cannot write journal batch to ${this.#store.file}: ${(err as Error).message}`, 'STATE_WRITE_FAILED', { cause: err, details: { file: this.#store.file } });
      }
      Atomics.store(this.#signal, 0, b.id);
    }
    this.#committed();
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

  /**
   * Waits until every posted batch is committed (or one failed; at most 10 s): the writer then holds
   * no lock and takes none until this thread posts the next batch. Never throws: a store write
   * that follows still has SQLite's busy timeout, and reports its own failure.
   */
  #waitIdle(): void {
    const sig = this.#signal;
    const deadline = Date.now() + 10_000;
    for (let cur = Atomics.load(sig, 0); this.#worker !== undefined && cur < this.#sent; cur = Atomics.load(sig, 0)) {
      if (Atomics.load(sig, 1) !== 0 || Date.now() > deadline) return;
      Atomics.wait(sig, 0, cur, 100);
    }
  }

  #stop(): void {
    if (this.#timer !== undefined) { clearTimeout(this.#timer); this.#timer = undefined; }
    if (this.#logTimer !== undefined) { clearTimeout(this.#logTimer); this.#logTimer = undefined; }
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

/** An id filter seeded with the ids already in SQLite (one scan at start, ≈ 1 s per million rows). */
function loadIds(db: BetterSqlite3.Database, table: 'fills' | 'orders', column: 'execution_id' | 'client_order_id'): SeenIds {
  const n = (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  const ids = new SeenIds({ expected: n * 2 });
  if (n > 0) for (const id of db.prepare(`SELECT ${column} FROM ${table}`).pluck().iterate() as IterableIterator<string>) ids.add(id);
  return ids;
}

const NO_IDS: readonly string[] = [];
