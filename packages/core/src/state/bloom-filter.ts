import { fnv1a32 } from '../util/id-index.js';

/**
 * A fixed-size Bloom filter over strings: `mightHave` is never false for an added string, and
 * true for a string never added with a small probability that grows with the number of strings
 * (≈ 0.5 % at 16 bits per string). Blocked: the 3 bits of a string lie in one 32-bit word, so a
 * query touches one cache line. Memory is fixed at construction (`bits / 8` bytes), whatever is
 * added: callers answer "maybe" with an exact lookup elsewhere (memory, SQLite).
 */
export class BloomFilter {
  readonly #words: Uint32Array;
  readonly #mask: number;
  // the last string hashed: `mightHave(s)` followed by `add(s)` hashes once
  #lastKey = '';
  #lastWord = 0;
  #lastBits = 0;

  /** `bits` is rounded up to a power of two, at least 2^16. */
  constructor(bits: number) {
    let size = 1 << 16;
    while (size < bits && size < 2 ** 31) size *= 2;
    this.#words = new Uint32Array(size >>> 5);
    this.#mask = (size >>> 5) - 1;
  }

  /** Bytes held. */
  get bytes(): number { return this.#words.byteLength; }

  #hash(s: string): void {
    if (s === this.#lastKey) return;
    // FNV-1a, 32 bits, then a murmur3 finaliser for the bit positions
    const h = fnv1a32(s);
    let g = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    g = Math.imul(g ^ (g >>> 13), 0xc2b2ae35);
    g ^= g >>> 16;
    this.#lastKey = s;
    this.#lastWord = (h >>> 0) & this.#mask;
    this.#lastBits = (1 << (g & 31)) | (1 << ((g >>> 5) & 31)) | (1 << ((g >>> 10) & 31));
  }

  add(s: string): void {
    this.#hash(s);
    this.#words[this.#lastWord]! |= this.#lastBits;
  }

  mightHave(s: string): boolean {
    this.#hash(s);
    return (this.#words[this.#lastWord]! & this.#lastBits) === this.#lastBits;
  }
}
