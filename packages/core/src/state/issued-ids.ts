/**
 * Which of this session's generated client order ids (`tw<namespace><base-36 n>`, n above the
 * counter value read at start, see `id-generator.ts`) were used by an order: one bit per id
 * (≈ 125 kB per million) instead of a set of strings. Ids above the floor were issued after the
 * session started, so none of them can be on disk from an earlier run.
 */
export class IssuedIds {
  readonly #prefix: string;
  readonly #floor: number;
  #bits = new Uint32Array(1024);
  /** past this many ids above the floor an id is not tracked here (`index` returns -1) */
  static readonly MAX = 2 ** 28;

  constructor(prefix: string, floor: number) {
    this.#prefix = prefix;
    this.#floor = floor;
  }

  /** The id's bit index, or -1 when it is not a generated id of this session (other prefix, non-canonical, at or below the floor). */
  index(cid: string): number {
    const p = this.#prefix;
    const len = cid.length;
    if (len <= p.length || len > p.length + 11 || !cid.startsWith(p)) return -1;
    // canonical lower-case base 36, no leading zero (what `n.toString(36)` gives): parsed by hand, no allocation
    let n = 0;
    for (let i = p.length; i < len; i++) {
      const c = cid.charCodeAt(i);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 122) d = c - 87;
      else return -1;
      if (d === 0 && i === p.length) return -1;
      n = n * 36 + d;
    }
    if (!Number.isSafeInteger(n) || n <= this.#floor || n - this.#floor > IssuedIds.MAX) return -1;
    return n - this.#floor - 1;
  }

  has(i: number): boolean {
    const w = i >>> 5;
    return w < this.#bits.length && (this.#bits[w]! & (1 << (i & 31))) !== 0;
  }

  add(i: number): void {
    const w = i >>> 5;
    if (w >= this.#bits.length) {
      let n = this.#bits.length * 2;
      while (n <= w) n *= 2;
      const next = new Uint32Array(n);
      next.set(this.#bits);
      this.#bits = next;
    }
    this.#bits[w]! |= 1 << (i & 31);
  }
}
