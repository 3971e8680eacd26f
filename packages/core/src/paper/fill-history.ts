import type { Fill } from '../domain/fill.js';
import { seqOf } from './order-history.js';

// numeric columns per fill (NaN = cumulativeQuantity absent)
const QTY = 0, PRICE = 1, COMMISSION = 2, TS = 3, CUM = 4, EXEC_SEQ = 5, ORDER_SEQ = 6, NCOLS = 7;

/**
 * The paper venue's last `limit` fills, oldest first, as typed-array columns plus references to
 * strings the fill already had (ids, asset): a long run keeps them without keeping as many
 * objects alive for the garbage collector. Grows up to `limit`, then overwrites the oldest.
 */
export class FillHistory {
  readonly #limit: number;
  #cap = 0;
  #head = 0; // absolute number of the oldest fill held
  #tail = 0;
  /** `PX<n>` / `P<n>` ids (the paper broker's own) are kept as n in the numeric columns: only other ids as strings */
  #execIds: (string | undefined)[] = [];
  #orderIds: (string | undefined)[] = [];
  #cids: string[] = [];
  #assets: string[] = [];
  #sell = new Uint8Array(0);
  #num = new Float64Array(0);

  constructor(limit: number) {
    this.#limit = limit;
    this.#grow(Math.min(1024, limit));
  }

  get size(): number { return this.#tail - this.#head; }

  /** `execSeq`: n when the execution id is `PX<n>` (the caller knows it: saves parsing the id), else -1 */
  push(f: Fill, execSeq = seqOf('PX', f.executionId)): void {
    if (this.size === this.#cap) {
      if (this.#cap < this.#limit) this.#grow(Math.min(this.#cap * 2, this.#limit));
      else this.#head++; // full: the oldest is overwritten
    }
    const s = this.#tail % this.#cap;
    this.#tail++;
    const n = this.#num;
    const b = s * NCOLS;
    const es = execSeq;
    const os = seqOf('P', f.orderId);
    n[b + EXEC_SEQ] = es; n[b + ORDER_SEQ] = os;
    this.#execIds[s] = es < 0 ? f.executionId : undefined; this.#orderIds[s] = os < 0 ? f.orderId : undefined; this.#cids[s] = f.clientOrderId; this.#assets[s] = f.asset;
    this.#sell[s] = f.side === 'SELL' ? 1 : 0;
    n[b + QTY] = f.quantity; n[b + PRICE] = f.price; n[b + COMMISSION] = f.commission; n[b + TS] = f.timestamp;
    n[b + CUM] = f.cumulativeQuantity === undefined ? NaN : f.cumulativeQuantity;
  }

  /** Copies of the fills at or after `since`, oldest first. */
  since(since: number): Fill[] {
    const out: Fill[] = [];
    for (let r = this.#head; r < this.#tail; r++) {
      const s = r % this.#cap;
      if (this.#num[s * NCOLS + TS]! >= since) out.push(this.#at(s));
    }
    return out;
  }

  clear(): void {
    this.#head = 0;
    this.#tail = 0;
    this.#cap = 0;
    this.#execIds = []; this.#orderIds = []; this.#cids = []; this.#assets = [];
    this.#grow(Math.min(1024, this.#limit));
  }

  #at(s: number): Fill {
    const n = this.#num;
    const b = s * NCOLS;
    const f: Fill = {
      executionId: this.#execIds[s] ?? `PX${n[b + EXEC_SEQ]!}`, orderId: this.#orderIds[s] ?? `P${n[b + ORDER_SEQ]!}`, clientOrderId: this.#cids[s]!, asset: this.#assets[s]!,
      side: this.#sell[s] === 1 ? 'SELL' : 'BUY', quantity: n[b + QTY]!, price: n[b + PRICE]!, commission: n[b + COMMISSION]!, timestamp: n[b + TS]!,
    };
    if (!Number.isNaN(n[b + CUM]!)) f.cumulativeQuantity = n[b + CUM]!;
    return f;
  }

  /** Re-lays the held fills (never wrapped while growing: growth happens before the first overwrite) into `cap` rows. */
  #grow(cap: number): void {
    const n = new Float64Array(cap * NCOLS);
    n.set(this.#num.subarray(0, this.size * NCOLS));
    const sell = new Uint8Array(cap);
    sell.set(this.#sell.subarray(0, this.size));
    this.#num = n;
    this.#sell = sell;
    this.#cap = cap;
  }
}
