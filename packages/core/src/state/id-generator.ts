import type { ClientOrderIdGenerator } from '../engine/client-order-id.js';
import type { CounterReservation, StateStore } from './store.js';
import { CountingId } from '../util/counting-id.js';

/** Venue-safe: [A-Za-z0-9] only, 1–32 chars (IB orderRef, Alpaca, Binance, OKX clOrdId). @public */
export const CLIENT_ORDER_ID_PATTERN = /^[A-Za-z0-9]{1,32}$/;

/** @public */
export function isVenueSafeClientOrderId(id: string): boolean {
  // CLIENT_ORDER_ID_PATTERN, as a loop: this runs once per order on the hot path
  if (typeof id !== 'string') return false;
  const n = id.length;
  if (n < 1 || n > 32) return false;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  return true;
}

const COUNTER = 'client_order_id';
const MAX_BLOCK = 65_536;
/**
 * The first block's size: 16,384. With a write-behind journal the block ahead commits with a
 * writer batch queued behind up to four others (≈ 30 ms at 100k orders/s); a 1,024-id block ran
 * out before that at high order rates and the order path waited for it, at every start.
 */
const FIRST_BLOCK = 16_384;

/**
 * Durable client order ids: `tw` + the state dir's 8-char namespace + a base-36 counter
 * (at most 2 + 8 + 11 = 21 characters, alphanumeric, starting with a letter). The counter is
 * persisted in blocks: a block is reserved (committed) before any id in it is handed out, so
 * after a crash the next run starts past every id ever issued: ids are never reused, gaps are
 * harmless. Deterministic for a given state dir and counter value. A reservation is a commit on
 * the store's connection, which waits while the journal's writer thread commits its batches, so
 * blocks double from `blockSize` (16,384) up to 65,536 as a session keeps ordering (a restart skips at most
 * twice that many numbers). The next block is reserved ahead: with a write-behind journal, as
 * soon as a block is in use, inside the journal writer's next batch (committed with it; no wait
 * for its lock); without one, once three quarters are used, on this connection at a moment the
 * writer is idle. A block ahead is used only once committed; if its batch fails, the block's end
 * reserves on this connection as before.
 * @public
 */
export class PersistentClientOrderIdGenerator implements ClientOrderIdGenerator {
  readonly #store: StateStore;
  readonly #ids: CountingId;
  #block: number;
  #next = 0;
  #end = 0;
  /** a block reserved ahead: [#aheadStart, #aheadEnd), or #aheadStart = 0 */
  #aheadStart = 0;
  #aheadEnd = 0;
  /** a reservation ahead failed: the next one is made at the block's end (and reports its error) */
  #aheadFailed = false;
  /** ids in the block in use */
  #size = 0;
  /** a block ahead being reserved with a journal batch, and its size */
  #pending: CounterReservation | undefined;
  #pendingSize = 0;

  constructor(store: StateStore, options: { blockSize?: number } = {}) {
    this.#store = store;
    this.#ids = new CountingId(`tw${store.namespace}`);
    this.#block = Math.max(1, Math.floor(options.blockSize ?? FIRST_BLOCK));
  }

  next(): string {
    if (this.#next >= this.#end) {
      if (this.#aheadStart === 0 && this.#pending !== undefined) this.#settleAhead(true);
      if (this.#aheadStart > 0) {
        this.#next = this.#aheadStart;
        this.#end = this.#aheadEnd;
        this.#aheadStart = 0;
      } else {
        [this.#next, this.#end] = this.#reserve(); // throws: no id without a committed block
        this.#aheadFailed = false;
      }
      this.#size = this.#end - this.#next;
      this.#ids.set(this.#next - 1);
    } else if (this.#aheadStart === 0 && !this.#aheadFailed) {
      if (this.#pending === undefined) this.#startAhead();
      else {
        // half the block used: its batch goes to the writer now rather than at the next batch
        // boundary (4096 journal records or 50 ms), which a young small block can outrun
        this.#settleAhead(false, (this.#end - this.#next) * 2 <= this.#size);
      }
    }
    this.#next++;
    return this.#ids.next();
  }

  /** The block ahead: reserved in the journal writer's next batch, or (no write-behind journal) now if the writer is idle. */
  #startAhead(): void {
    const size = this.#block;
    // with a journal writer: as soon as a block is in use (its batch then has a whole block's
    // worth of orders to get committed in); on this connection: once three quarters are used
    const pending = this.#store.reserveCounterAhead(COUNTER, size);
    if (pending !== undefined) {
      this.#pending = pending;
      this.#pendingSize = size;
      this.#block = Math.min(size * 2, Math.max(MAX_BLOCK, size));
      return;
    }
    if ((this.#end - this.#next) * 4 > this.#size || this.#store.writerBusy()) return;
    try { [this.#aheadStart, this.#aheadEnd] = this.#reserve(); } catch { this.#aheadFailed = true; }
  }

  /** Takes the block reserved with a batch once committed (`wait`: block until it is; `post`: its batch goes to the writer now); a failed one is retried at the block's end. */
  #settleAhead(wait: boolean, post = false): void {
    const p = this.#pending!;
    let start: number | undefined;
    try {
      if (post) p.post();
      start = wait ? p.wait() : p.poll();
    } catch {
      this.#pending = undefined;
      this.#aheadFailed = true; // the block's end reserves on this connection (and reports the error if it fails too)
      return;
    }
    if (start === undefined) return;
    this.#pending = undefined;
    this.#aheadStart = start + 1;
    this.#aheadEnd = start + 1 + this.#pendingSize;
  }

  /** Reserves the next block (committed before return): [first id, end). */
  #reserve(): [number, number] {
    const size = this.#block;
    const first = this.#store.reserveCounter(COUNTER, size) + 1;
    this.#block = Math.min(size * 2, Math.max(MAX_BLOCK, size));
    return [first, first + size];
  }
}
