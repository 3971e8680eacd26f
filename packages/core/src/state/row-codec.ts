import { TAG } from './byte-writer.js';

// Rows for the journal writer are `ByteWriter` bytes (`col` repeats). A batch crosses to the worker
// as a few views of shared memory (`batch-buffers.ts`) instead of a structured clone of tens of
// thousands of values (cheaper on the engine's thread; the decoding runs on the writer's).

/** A bound value of a row. */
export type RowValue = string | number | null;
/** A statement run with the values of one or more rows as its arguments. */
export interface RowStatement { run(...values: RowValue[]): unknown }

// a double's 8 bytes, copied into this scratch and read back (little-endian, as `ByteWriter` wrote them)
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Node's Buffer slicers without `toString`'s argument handling. */
interface Slicers { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string }

/**
 * Runs `ByteWriter` row bytes (rows of `stride` values) through `many` (`rowsPerStatement` rows per
 * call) and `one` (the rest, a row per call), decoding straight into one reused argument array
 * passed as positional arguments (binding an array argument costs a property lookup per value;
 * no intermediate flat array, no slices). `TAG.SAME` takes the value of the same column in the
 * row before; an ASCII string equal to it reuses that string too (no new string, no garbage).
 */
export function runRows(many: RowStatement, one: RowStatement, bytes: Uint8Array, stride: number, rowsPerStatement: number): number {
  const b = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as Buffer & Slicers;
  const n = stride * rowsPerStatement;
  const a: RowValue[] = new Array<RowValue>(n).fill(null);
  const values = decodeRuns(many, b, a, stride, n);
  const k = values % n; // the values of the last rows, left at the start of `a`
  if (k % stride !== 0) throw new RangeError(`incomplete row (${k % stride} of ${stride} values)`);
  for (let i = 0; i < k; i += stride) one.run(...a.slice(i, i + stride));
  return values / stride;
}

/**
 * The decoding loop of `runRows`: runs `many` with every `n` values decoded into `a`, leaves the
 * rest at the start of `a`, returns how many values it decoded. It returns straight from the
 * loop: the loop runs long enough to be compiled while it runs (on-stack replacement) on nearly
 * every call, and code after it would have no type feedback in that compiled code yet; V8 would
 * deoptimise there and re-enter the same cached code at the next call, and the next (measured:
 * one deoptimisation per table per batch in the journal writer).
 */
function decodeRuns(many: RowStatement, b: Buffer & Slicers, a: RowValue[], stride: number, n: number): number {
  const end = b.length;
  let values = 0;
  let k = 0;
  let p = 0;
  while (p < end) {
    const tag = b[p]!;
    let v: RowValue;
    if (tag === TAG.F64) {
      if (p + 9 > end) throw new RangeError('read past the end');
      if (LITTLE_ENDIAN) {
        const x = F64_BYTES;
        x[0] = b[p + 1]!; x[1] = b[p + 2]!; x[2] = b[p + 3]!; x[3] = b[p + 4]!; x[4] = b[p + 5]!; x[5] = b[p + 6]!; x[6] = b[p + 7]!; x[7] = b[p + 8]!;
        v = F64[0]!;
      } else {
        v = b.readDoubleLE(p + 1);
      }
      p += 9;
    } else if (tag === TAG.ASCII) {
      const l = b[p + 1]!;
      const s = p + 2;
      if (s + l > end) throw new RangeError('read past the end');
      // the same column one row up: in this array, or (first row of a call) at the end of the previous call's
      const prev = a[k >= stride ? k - stride : k + n - stride];
      if (typeof prev === 'string' && prev.length === l && sameAscii(prev, b, s, l)) v = prev;
      else v = b.latin1Slice(s, s + l);
      p = s + l;
    } else if (tag === TAG.NULL) {
      v = null;
      p += 1;
    } else if (tag === TAG.SAME) {
      if (values < stride) throw new RangeError(`repeated value without a row before at ${p}`);
      v = a[k >= stride ? k - stride : k + n - stride]!;
      p += 1;
    } else if (tag === TAG.UTF8 || tag === TAG.JSON) {
      if (p + 5 > end) throw new RangeError('read past the end');
      const l = b.readUInt32LE(p + 1);
      if (p + 5 + l > end) throw new RangeError('read past the end');
      const s = b.utf8Slice(p + 5, p + 5 + l);
      v = tag === TAG.UTF8 ? s : JSON.parse(s) as RowValue; // as before: an object value fails to bind, the batch fails
      p += 5 + l;
    } else {
      throw new RangeError(`bad row value tag ${tag} at ${p}`);
    }
    a[k++] = v;
    values++;
    if (k === n) { many.run(...a); k = 0; }
  }
  return values;
}

/** Is `s` (length `l`) the ASCII bytes `b[at, at + l)`? Compared from the end: ids differ last. */
function sameAscii(s: string, b: Buffer, at: number, l: number): boolean {
  for (let i = l - 1; i >= 0; i--) if (s.charCodeAt(i) !== b[at + i]) return false;
  return true;
}
