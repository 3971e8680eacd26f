import { ByteReader, ByteWriter } from './byte-writer.js';
import type { Row } from './write-behind-sql.js';

/**
 * Rows for the journal writer as tagged bytes (`byte-writer.ts`). A batch crosses to the worker
 * as a few transferred byte arrays instead of a structured clone of tens of thousands of values
 * (cheaper on the engine's thread; the decoding runs on the writer's).
 */
export class RowWriter extends ByteWriter {
  /** The bytes written since the last `take`, in a fresh (transferable) array; starts over. */
  take(): Uint8Array {
    const out = new Uint8Array(this.end);
    out.set(this.buf.subarray(0, this.end));
    this.end = 0;
    return out;
  }
}

/** Decodes `RowWriter` bytes back into a flat array of values. */
export function readRows(bytes: Uint8Array): Row {
  const r = new ByteReader(bytes);
  const out: Row = [];
  while (r.pos < bytes.length) out.push(r.value() as string | number | null);
  return out;
}
