import { ORDER_TYPES, TIME_IN_FORCES, isTerminal, type Order, type OrderStatus } from '../domain/order.js';
import { IdIndex, idHash, shortlexAfter } from '../util/id-index.js';

const STATUSES: readonly OrderStatus[] = ['PENDING_SUBMIT', 'SUBMITTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'UNKNOWN'];
/** The position of `v` in a short list of names (identity compares of interned strings: cheaper here than a Map lookup; 0 if absent). */
function codeOf<T>(list: readonly T[], v: T): number {
  for (let i = 0; i < list.length; i++) if (list[i] === v) return i;
  return 0;
}
// numeric columns per row (NaN = the optional field is absent)
const QTY = 0, FILLED = 1, AVG = 2, CREATED = 3, UPDATED = 4, SUBMITTED = 5, FILLED_AT = 6, LIMIT = 7, STOP = 8, EXPIRE = 9;
const INITIAL_ROWS = 1024;
/** `P<n>` as the paper broker numbers orders: kept as n (no string kept alive), anything else as the string */
const SEQ = 10, NUMS = 11;
const triOf = (b: boolean | undefined): number => (b === undefined ? 0 : b ? 2 : 1);
const opt = (x: number): number => (x === undefined ? NaN : x);

/**
 * The paper venue's order book history, by clientOrderId and in insertion order. A working order
 * is its live `Order` object; once finished it is kept as one row of typed-array columns plus
 * references to strings it already had, and the object is dropped. A long run so keeps up to
 * `limit` finished orders without keeping as many objects alive for the garbage collector to
 * copy and trace (that was a third of the time of an order-every-bar backtest). Lookups by id go
 * through an `IdIndex` that is brought up to date lazily, on the first lookup after appends: a
 * run whose ids only grow (every generator here counts up) and never looks an order up by id
 * hashes nothing (a hash insert and a hash delete per order were each a cache miss). A claimed id
 * that sorts after every id claimed so far (shorter first, then by character code: counters in
 * decimal or padded base 36 grow this way) is new without a lookup. The oldest finished orders
 * are dropped first past `limit`; working orders are never dropped (they move to the newest end;
 * the ring grows when all are working).
 */
export class OrderHistory {
  readonly #limit: number;
  #cap = 0;
  #mask = 0;
  /** absolute row numbers: rows [#head, #tail) are held, row r in slot r & #mask */
  #head = 0;
  #tail = 0;
  #index!: IdIndex;
  /** rows [#head, #indexed) are in #index, rows [#indexed, #tail) not yet */
  #indexed = 0;
  /** the greatest id claimed (shortlex), '' before any: an id after it was never claimed */
  #maxId = '';
  #live: (Order | undefined)[] = [];
  #ids: (string | undefined)[] = [];
  #orderIds: (string | undefined)[] = [];
  #assets: (string | undefined)[] = [];
  #tags: (string | undefined)[] = [];
  #reasons: (string | undefined)[] = [];
  #num = new Float64Array(0);
  /** idHash of each row's id (a drop re-hashes nothing) */
  #hashes = new Int32Array(0);
  /** side | type << 1 | tif << 3 | status << 6 | reduceOnly(tri) << 9 | external(tri) << 11 */
  #codes = new Int32Array(0);

  constructor(limit: number) {
    this.#limit = limit;
    this.#alloc(Math.min(INITIAL_ROWS, pow2AtLeast(limit + 1)));
  }

  get size(): number { return this.#tail - this.#head; }

  /** The order holding `id` (the live object while it works, a fresh copy once finished). */
  get(id: string): Order | undefined {
    const s = this.#slotOf(id);
    if (s < 0) return undefined;
    return this.#live[s] ?? this.#materialize(s);
  }

  has(id: string): boolean { return this.#slotOf(id) >= 0; }

  /** The live object of a working order (undefined once finished or unknown). */
  live(id: string): Order | undefined {
    const s = this.#slotOf(id);
    return s < 0 ? undefined : this.#live[s];
  }

  /**
   * Appends `o` as a working order unless its id is held already (then returns false and changes
   * nothing); drops the oldest finished orders past the limit.
   */
  claim(o: Order): boolean {
    const id = o.clientOrderId;
    if (shortlexAfter(id, this.#maxId)) {
      this.#maxId = id; // after every id claimed: new, no lookup
    } else if (this.#slotOf(id) >= 0) return false;
    this.#append(o);
    return true;
  }

  /** The slot of `id`, or -1 (indexes the rows appended since the last lookup first). */
  #slotOf(id: string): number {
    if (this.#indexed < this.#tail) this.#catchUp();
    return this.#index.get(id);
  }

  #catchUp(): void {
    for (let r = Math.max(this.#indexed, this.#head); r < this.#tail; r++) {
      const s = r & this.#mask;
      const id = this.#ids[s]!;
      const h = idHash(id);
      this.#hashes[s] = h;
      this.#index.set(id, s, h);
    }
    this.#indexed = this.#tail;
  }

  #append(o: Order): void {
    // past the limit the oldest finished orders go; a working order in the way moves to the
    // newest end (it is never dropped, and must not pin every finished order behind it)
    // (at most a few per call: with many working orders the history grows past the limit instead)
    for (let moved = 0; this.size >= this.#limit;) {
      if (this.#live[this.#head & this.#mask] === undefined) { this.#dropOldest(); continue; }
      if (moved === 8) break;
      if (this.size >= this.#cap) this.#alloc(this.#cap * 2);
      this.#moveOldestToNewest();
      moved++;
    }
    if (this.size >= this.#cap) this.#alloc(this.#cap * 2);
    const s = this.#tail & this.#mask;
    this.#tail++; // indexed at the next lookup
    this.#ids[s] = o.clientOrderId;
    this.#live[s] = o;
  }

  /** Removes the newest order (refused right after `add`). */
  dropNewest(id: string): void {
    if (this.size === 0) return;
    const s = (this.#tail - 1) & this.#mask;
    if (this.#ids[s] !== id) return;
    if (this.#indexed === this.#tail) { this.#index.delete(id, this.#hashes[s]!); this.#indexed--; }
    this.#clearSlot(s);
    this.#tail--;
  }

  /** Replaces the state of the order holding `o.clientOrderId` (restore); finished orders are settled. */
  replace(o: Order): void {
    const s = this.#slotOf(o.clientOrderId);
    if (s < 0) return;
    this.#live[s] = o;
    if (isTerminal(o.status)) this.settle(o);
  }

  /** `o` has finished: keep it as a row and drop the object. */
  settle(o: Order): void {
    let s = (this.#tail - 1) & this.#mask; // usually the newest order (a market order filled at once)
    if (this.size === 0 || this.#live[s] !== o) {
      s = this.#slotOf(o.clientOrderId);
      if (s < 0 || this.#live[s] !== o) return;
    }
    const n = this.#num;
    const b = s * NUMS;
    n[b + QTY] = o.quantity; n[b + FILLED] = o.filledQuantity; n[b + AVG] = o.avgFillPrice;
    n[b + CREATED] = o.createdAt; n[b + UPDATED] = o.updatedAt; n[b + SUBMITTED] = opt(o.submittedAt!);
    n[b + FILLED_AT] = opt(o.filledAt!); n[b + LIMIT] = opt(o.limitPrice!); n[b + STOP] = opt(o.stopPrice!); n[b + EXPIRE] = opt(o.expireAt!);
    this.#codes[s] = (o.side === 'BUY' ? 0 : 1) | (codeOf(ORDER_TYPES, o.orderType) << 1) | (codeOf(TIME_IN_FORCES, o.timeInForce) << 3)
      | (codeOf(STATUSES, o.status) << 6) | (triOf(o.reduceOnly) << 9) | (triOf(o.external) << 11);
    const seq = seqOf('P', o.orderId);
    n[b + SEQ] = seq;
    this.#orderIds[s] = seq < 0 ? o.orderId : undefined;
    this.#assets[s] = o.asset;
    this.#tags[s] = o.tag;
    this.#reasons[s] = o.rejectionReason;
    this.#live[s] = undefined;
  }

  /** Copies of the orders updated at or after `since`, oldest first. */
  updatedSince(since: number): Order[] {
    const out: Order[] = [];
    for (let r = this.#head; r < this.#tail; r++) {
      const s = r & this.#mask;
      const l = this.#live[s];
      if (l !== undefined) { if (l.updatedAt >= since) out.push({ ...l }); } else if (this.#num[s * NUMS + UPDATED]! >= since) out.push(this.#materialize(s));
    }
    return out;
  }

  clear(): void {
    this.#head = 0;
    this.#tail = 0;
    this.#indexed = 0;
    this.#maxId = '';
    this.#alloc(Math.min(INITIAL_ROWS, pow2AtLeast(this.#limit + 1)), false);
  }

  #dropOldest(): void {
    const s = this.#head & this.#mask;
    if (this.#head < this.#indexed) this.#index.delete(this.#ids[s]!, this.#hashes[s]!);
    else this.#indexed++; // = #head + 1: nothing was indexed
    this.#clearSlot(s);
    this.#head++;
  }

  #moveOldestToNewest(): void {
    const from = this.#head & this.#mask;
    const to = this.#tail & this.#mask;
    const caughtUp = this.#indexed === this.#tail;
    this.#ids[to] = this.#ids[from];
    this.#hashes[to] = this.#hashes[from]!;
    this.#live[to] = this.#live[from];
    if (this.#head < this.#indexed) {
      // an indexed row: re-pointed if every row is indexed, else unindexed like the rows before it
      if (caughtUp) this.#index.set(this.#ids[to]!, to, this.#hashes[to]);
      else this.#index.delete(this.#ids[to]!, this.#hashes[to]);
    }
    this.#clearSlot(from);
    this.#head++;
    this.#tail++;
    if (caughtUp) this.#indexed = this.#tail;
    else if (this.#indexed < this.#head) this.#indexed = this.#head;
  }

  #clearSlot(s: number): void {
    this.#ids[s] = undefined; this.#live[s] = undefined; this.#orderIds[s] = undefined;
    this.#assets[s] = undefined; this.#tags[s] = undefined; this.#reasons[s] = undefined;
  }

  #materialize(s: number): Order {
    const n = this.#num;
    const b = s * NUMS;
    const c = this.#codes[s]!;
    const o: Order = {
      orderId: this.#orderIds[s] ?? `P${n[b + SEQ]!}`, clientOrderId: this.#ids[s]!, asset: this.#assets[s]!, side: (c & 1) === 0 ? 'BUY' : 'SELL',
      quantity: n[b + QTY]!, orderType: ORDER_TYPES[(c >> 1) & 3]!, timeInForce: TIME_IN_FORCES[(c >> 3) & 7]!, status: STATUSES[(c >> 6) & 7]!,
      filledQuantity: n[b + FILLED]!, avgFillPrice: n[b + AVG]!, createdAt: n[b + CREATED]!, updatedAt: n[b + UPDATED]!,
    };
    if (!Number.isNaN(n[b + SUBMITTED]!)) o.submittedAt = n[b + SUBMITTED]!;
    if (!Number.isNaN(n[b + LIMIT]!)) o.limitPrice = n[b + LIMIT]!;
    if (!Number.isNaN(n[b + STOP]!)) o.stopPrice = n[b + STOP]!;
    if (!Number.isNaN(n[b + EXPIRE]!)) o.expireAt = n[b + EXPIRE]!;
    if (!Number.isNaN(n[b + FILLED_AT]!)) o.filledAt = n[b + FILLED_AT]!;
    const tag = this.#tags[s];
    if (tag !== undefined) o.tag = tag;
    const reason = this.#reasons[s];
    if (reason !== undefined) o.rejectionReason = reason;
    const ro = (c >> 9) & 3;
    if (ro !== 0) o.reduceOnly = ro === 2;
    const ext = (c >> 11) & 3;
    if (ext !== 0) o.external = ext === 2;
    return o;
  }

  /** (Re)allocates the columns with `cap` rows, keeping the rows held (`keep`), and rebuilds the index. */
  #alloc(cap: number, keep = true): void {
    const old = { mask: this.#mask, hashes: this.#hashes, live: this.#live, ids: this.#ids, orderIds: this.#orderIds, assets: this.#assets, tags: this.#tags, reasons: this.#reasons, num: this.#num, codes: this.#codes };
    this.#cap = cap;
    this.#mask = cap - 1;
    this.#live = new Array<Order | undefined>(cap).fill(undefined);
    this.#ids = new Array<string | undefined>(cap).fill(undefined);
    this.#orderIds = new Array<string | undefined>(cap).fill(undefined);
    this.#assets = new Array<string | undefined>(cap).fill(undefined);
    this.#tags = new Array<string | undefined>(cap).fill(undefined);
    this.#reasons = new Array<string | undefined>(cap).fill(undefined);
    this.#num = new Float64Array(cap * NUMS);
    this.#codes = new Int32Array(cap);
    this.#hashes = new Int32Array(cap);
    this.#index = new IdIndex(cap);
    this.#indexed = this.#head; // the rows kept are indexed at the next lookup
    if (!keep) return;
    for (let r = this.#head; r < this.#tail; r++) {
      const from = r & old.mask;
      const to = r & this.#mask;
      this.#live[to] = old.live[from]; this.#ids[to] = old.ids[from]; this.#orderIds[to] = old.orderIds[from];
      this.#assets[to] = old.assets[from]; this.#tags[to] = old.tags[from]; this.#reasons[to] = old.reasons[from];
      for (let c = 0; c < NUMS; c++) this.#num[to * NUMS + c] = old.num[from * NUMS + c]!;
      this.#codes[to] = old.codes[from]!;
    }
  }
}


function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** n when `id` is exactly `prefix` + the decimal digits of n (no sign, no leading zero), else -1. */
export function seqOf(prefix: string, id: string): number {
  const p = prefix.length;
  if (id.length <= p || id.length > p + 15 || !id.startsWith(prefix)) return -1;
  let n = 0;
  for (let i = p; i < id.length; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9 || (d === 0 && i === p && id.length > p + 1)) return -1;
    n = n * 10 + d;
  }
  return n;
}
