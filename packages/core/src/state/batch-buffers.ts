import type { ByteWriter } from './byte-writer.js';

/** Buffers kept for reuse, at most (four tables × the batches in flight need about twenty). */
const SPARE = 24;
/** A new buffer's least size (a batch's tables take ≈ 10–250 kB in bench case (c)). */
const MIN_BYTES = 1 << 16;
const EMPTY = new Uint8Array(new SharedArrayBuffer(0));

/**
 * Shared memory for the rows of the batches handed to the journal writer (`write-behind.ts`): a
 * table's rows are copied into a buffer of this pool, the writer reads them in place (a view of
 * shared memory is posted, neither transferred nor cloned), and the buffer is used again once the
 * batch is committed. A fresh array per table and batch cost its allocation, its zeroing and, for
 * the larger ones, fresh pages: a page fault per 4 kB (≈ 5 µs on this VM), ≈ 70 per batch of
 * ≈ 1,400 orders. The engine's thread writes a buffer only while no posted batch uses it: the
 * writer's commit signal (`Atomics`) orders its reads before that thread's next writes.
 */
export class BatchBuffers {
  readonly #spare: Uint8Array[] = [];
  /** buffers of posted batches not known to be committed, oldest first */
  readonly #inUse: { batch: number; buffer: Uint8Array }[] = [];

  /** Buffers of posted batches still in use (tests). */
  get inUse(): number { return this.#inUse.length; }

  /** Moves the rows `w` holds into a pooled buffer for batch `batch` (`w` starts over); returns a view of exactly those bytes. */
  take(w: ByteWriter, batch: number): Uint8Array {
    const n = w.size;
    if (n === 0) { w.takeInto(EMPTY); return EMPTY; }
    const spare = this.#spare;
    let buffer: Uint8Array | undefined;
    for (let i = spare.length - 1; i >= 0; i--) {
      if (spare[i]!.length >= n) { buffer = spare[i]!; spare.splice(i, 1); break; }
    }
    if (buffer === undefined) {
      let size = MIN_BYTES;
      while (size < n) size *= 2;
      buffer = new Uint8Array(new SharedArrayBuffer(size));
    }
    w.takeInto(buffer);
    this.#inUse.push({ batch, buffer });
    return buffer.subarray(0, n);
  }

  /** Batches up to `batch` are committed (never past a failed one): their buffers may be written again. */
  committed(batch: number): void {
    const used = this.#inUse;
    while (used.length > 0 && used[0]!.batch <= batch) {
      const { buffer } = used.shift()!;
      if (this.#spare.length < SPARE) this.#spare.push(buffer);
    }
  }
}
