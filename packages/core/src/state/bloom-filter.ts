import { fnv1a32 } from '../util/id-index.js';

/** Odd multipliers: word `i` of a block gets the bit at the top 5 bits of `key × SALT[i]`. */
const SALT = new Int32Array([0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31]);

/**
 * A fixed-size Bloom filter over strings: `mightHave` is never false for an added string, and
 * true for a string never added with a small probability that grows with the number of strings.
 * Split-block: a string's 8 bits lie one in each of the 8 words of one 32-byte block, so a query
 * touches one cache line. Until the sixth pass its 3 bits lay in one 32-bit word: ≈ 1.2 % false
 * positives at 16 bits per string (measured with ids `PX0`, `PX1`, …), ≈ 0.17 % now. Each one costs
 * its caller an exact lookup (a scan of the ids not yet committed, then SQLite): ≈ 2 % of the
 * engine's thread in bench case (c), and more the longer a session ran and the fuller the filter.
 * Memory is fixed at construction (`bits / 8` bytes), whatever is added: callers answer "maybe"
 * with an exact lookup elsewhere (memory, SQLite).
 */
export class BloomFilter {
  readonly #words: Uint32Array;
  readonly #blockMask: number;
  // the last string hashed: `mightHave(s)` followed by `add(s)` hashes once
  #lastKey = '';
  #lastBlock = 0;
  /** the key the bit positions are derived from (`SALT`) */
  #lastBitKey = 0;

  /** `bits` is rounded up to a power of two, at least 2^16. */
  constructor(bits: number) {
    let size = 1 << 16;
    while (size < bits && size < 2 ** 31) size *= 2;
    this.#words = new Uint32Array(size >>> 5);
    this.#blockMask = (size >>> 8) - 1;
  }

  /** Bytes held. */
  get bytes(): number { return this.#words.byteLength; }

  #hash(s: string): void {
    if (s === this.#lastKey) return;
    // FNV-1a, 32 bits, then two murmur3 finalisers: one picks the block, one the bits (FNV-1a's own
    // low bits crowd ids that differ only in their last characters)
    const h = fnv1a32(s);
    this.#lastKey = s;
    this.#lastBlock = (mix(h) & this.#blockMask) << 3;
    this.#lastBitKey = mix(h ^ 0x9e3779b9);
  }

  add(s: string): void {
    this.#hash(s);
    const w = this.#words;
    const b = this.#lastBlock;
    const key = this.#lastBitKey;
    for (let i = 0; i < 8; i++) w[b + i]! |= 1 << (Math.imul(key, SALT[i]!) >>> 27);
  }

  mightHave(s: string): boolean {
    this.#hash(s);
    const w = this.#words;
    const b = this.#lastBlock;
    const key = this.#lastBitKey;
    for (let i = 0; i < 8; i++) if ((w[b + i]! & (1 << (Math.imul(key, SALT[i]!) >>> 27))) === 0) return false;
    return true;
  }
}

/** murmur3's 32-bit finaliser: every input bit moves every output bit. */
function mix(x: number): number {
  let g = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  g = Math.imul(g ^ (g >>> 13), 0xc2b2ae35);
  return g ^ (g >>> 16);
}
