import { BloomFilter } from './bloom-filter.js';

/**
 * Dedup of ids (execution ids, client order ids) with bounded memory: a fixed-size Bloom filter
 * of every id journaled (this session's, and those already in SQLite at start). A new id almost
 * always misses it: no set, no disk read. A hit (a real duplicate, or a false positive) is
 * settled exactly: among the ids not yet committed to SQLite (those not yet handed to the
 * writer, passed in by the caller, and the batches handed to it, kept here until committed),
 * then by the caller in SQLite.
 */
export class SeenIds {
  readonly #seen: BloomFilter;
  /** ids of the batches handed to the writer, not yet committed */
  readonly #inFlight: { batchId: number; ids: string[] }[] = [];

  constructor(options: { expected: number }) {
    this.#seen = new BloomFilter(16 * Math.max(options.expected, 1 << 20));
  }

  /** false: certainly never journaled; true: ask `uncommitted`, then SQLite. */
  mightHave(id: string): boolean { return this.#seen.mightHave(id); }

  /** Is `id` among those not yet committed (`pending`: those not yet handed to the writer)? */
  uncommitted(id: string, pending: readonly string[]): boolean {
    if (pending.includes(id)) return true;
    for (const b of this.#inFlight) if (b.ids.includes(id)) return true;
    return false;
  }

  /** An id journaled now (or found in SQLite at start). */
  add(id: string): void { this.#seen.add(id); }

  /** A batch holding rows of these ids was handed to the writer. */
  posted(batchId: number, ids: string[]): void { if (ids.length > 0) this.#inFlight.push({ batchId, ids }); }

  /** Batches up to `batchId` are committed: SQLite answers for their ids. */
  committed(batchId: number): void {
    while (this.#inFlight.length > 0 && this.#inFlight[0]!.batchId <= batchId) this.#inFlight.shift();
  }
}
