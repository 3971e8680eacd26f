/** FNV-1a (32 bits, as a signed int) over a string's UTF-16 code units. @public */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * Does `id` sort after `max` shorter-first, then by UTF-16 code units? Counters written in decimal
 * without leading zeros, or in zero-padded base 36 (digits before letters), behind a fixed prefix
 * grow in this order, so "after the greatest id seen" proves an id new without a lookup.
 */
export function shortlexAfter(id: string, max: string): boolean {
  return id.length > max.length || (id.length === max.length && id > max);
}

/**
 * `fnv1a32` cut to 30 bits, so it is always a small integer (Smi): the key of id tables.
 * @public
 */
export function idHash(id: string): number {
  return fnv1a32(id) & 0x3fffffff;
}

/**
 * A map from string ids (client order ids, execution ids) to small non-negative integers, for
 * tables of up to a few hundred thousand ids on the order path. Open addressing with linear
 * probing over typed arrays: a lookup reads one or two cache lines and compares the stored 30-bit
 * hash before the string, an insert allocates nothing, and the table itself holds no per-entry
 * objects for the garbage collector to trace (a `Map` of that size costs several cache misses
 * per operation and a rehash every time it doubles). Deletion shifts the probe run back (no
 * tombstones). Fixed capacity: `set` beyond `capacity` entries throws; callers size it.
 * @public
 */
export class IdIndex {
  readonly capacity: number;
  /** per slot s: [2s] = hash + 1 (0 = empty), [2s + 1] = value; interleaved so a probe reads one cache line */
  #kv: Int32Array;
  #ids: (string | undefined)[];
  readonly #mask: number;
  #size = 0;

  /** @param capacity most entries held at once (the table has ≥ 2× as many slots) */
  constructor(capacity: number) {
    if (!(capacity >= 1) || !Number.isInteger(capacity)) throw new RangeError(`IdIndex capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.#mask = slots - 1;
    this.#kv = new Int32Array(slots * 2);
    this.#ids = new Array<string | undefined>(slots).fill(undefined);
  }

  get size(): number { return this.#size; }

  // `h` = idHash(id): callers that keep it (next to a row) pass it and save reading the string

  /** The value stored for `id`, or -1. */
  get(id: string, h = idHash(id)): number {
    const s = this.#find(id, h + 1);
    return s < 0 ? -1 : this.#kv[2 * s + 1]!;
  }

  has(id: string, h = idHash(id)): boolean { return this.#find(id, h + 1) >= 0; }

  /** Stores `value` (0 ≤ value < 2³¹) for `id`, replacing any value it had. */
  set(id: string, value: number, h = idHash(id)): void {
    const k = h + 1;
    const kv = this.#kv;
    const mask = this.#mask;
    for (let s = k & mask; ; s = (s + 1) & mask) {
      const c = kv[2 * s]!;
      if (c === 0) {
        if (this.#size >= this.capacity) throw new RangeError(`IdIndex is full (${this.capacity} ids)`);
        kv[2 * s] = k;
        kv[2 * s + 1] = value;
        this.#ids[s] = id;
        this.#size++;
        return;
      }
      if (c === k && this.#ids[s] === id) { kv[2 * s + 1] = value; return; }
    }
  }

  /** Removes `id`; returns whether it was there. */
  delete(id: string, h = idHash(id)): boolean {
    const s = this.#find(id, h + 1);
    if (s < 0) return false;
    this.#removeSlot(s);
    return true;
  }

  clear(): void {
    if (this.#size === 0) return;
    this.#kv.fill(0);
    this.#ids.fill(undefined);
    this.#size = 0;
  }

  #find(id: string, k: number): number {
    const kv = this.#kv;
    const mask = this.#mask;
    for (let s = k & mask; ; s = (s + 1) & mask) {
      const c = kv[2 * s]!;
      if (c === 0) return -1;
      if (c === k && this.#ids[s] === id) return s;
    }
  }

  /** Backward-shift deletion: later entries of the probe run move up so no lookup stops early. */
  #removeSlot(hole: number): void {
    const kv = this.#kv;
    const ids = this.#ids;
    const mask = this.#mask;
    let s = hole;
    for (;;) {
      s = (s + 1) & mask;
      const k = kv[2 * s]!;
      if (k === 0) break;
      const home = k & mask;
      // the entry at s may move to the hole if its home is not in (hole, s] cyclically
      const between = hole <= s ? home > hole && home <= s : home > hole || home <= s;
      if (between) continue;
      kv[2 * hole] = k;
      kv[2 * hole + 1] = kv[2 * s + 1]!;
      ids[hole] = ids[s];
      hole = s;
    }
    kv[2 * hole] = 0;
    ids[hole] = undefined;
    this.#size--;
  }
}
