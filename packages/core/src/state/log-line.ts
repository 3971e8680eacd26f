import { crc32 } from 'node:zlib';
import { ByteReader, ByteWriter } from './byte-writer.js';
import { lineChecksum } from './line-checksum.js';
import { xxh32 } from './xxh32.js';

/** One record: `[seq, kind, now, ...payload]` (kinds: see `write-behind.ts` replay). */
export type LogRecord = [number, string, number, ...unknown[]];

/**
 * Binary frames of the journal log, one per append (`log-segment.ts`), each holding the records buffered since the
 * previous write plus the one that had to be durable:
 *
 *   0x02 | u32 LE length L | u32 LE ~L | u32 LE xxh32(payload) | payload (L bytes) | 0x0A
 *
 * The payload is the records back to back, each `u8 count` then `count` tagged values
 * (`byte-writer.ts`: null, f64, ASCII, UTF-8, JSON).
 * No number formatting or JSON on the hot path; the length is stored twice, so a damaged length
 * is seen as damage, not as a frame running past the end of the file. A frame is all or nothing.
 * The first byte names the checksum: 0x02 xxHash32 (`xxh32.ts`, written since the sixth pass:
 * about 250 ns less per order on the engine's thread), 0x01 CRC-32 (`zlib.crc32`, written by
 * earlier builds and still read, so a log left by a crash of one replays after an upgrade).
 * Segments written by earlier builds may hold text lines instead (`parseTextLine`); a segment is
 * one or the other, never both (a new segment is opened only after the old ones are replayed).
 */
export const FRAME_MAGIC = 0x02;
/** The first byte of a frame of an earlier build (CRC-32 checksum). */
export const FRAME_MAGIC_CRC32 = 0x01;
/** Does a frame start with this byte (either checksum)? */
export const isFrameMagic = (byte: number | undefined): boolean => byte === FRAME_MAGIC || byte === FRAME_MAGIC_CRC32;
const HEADER = 13;

/**
 * Views `b[0, length)` of one buffer, cached per length up to 4 kB (frames repeat a few lengths:
 * no view allocated per write); the cache starts over when the buffer changes.
 */
class Views {
  #views: Buffer[] = [];
  #of: Buffer | undefined;

  of(b: Buffer, length: number): Buffer {
    if (length > 4096) return b.subarray(0, length);
    if (this.#of !== b) { this.#views = []; this.#of = b; }
    return (this.#views[length] ??= b.subarray(0, length));
  }
}

/**
 * Accumulates records in a reusable byte buffer (`w`, written by the log's codec); `frame()`
 * returns one frame's bytes to append to the log. A record is `begin(count)` then exactly `count`
 * values (`w.num`, `w.str`, …). It holds its `ByteWriter` rather than extending it: one class for
 * every writer (`byte-writer.ts`).
 */
export class FrameBuffer {
  /** the records' values, after the header's reserved bytes */
  readonly w = new ByteWriter(HEADER);
  #count = 0;
  #recordStart = -1;
  /** the whole frame, for the append */
  readonly #frames = new Views();

  /** Records in the buffer. */
  get count(): number { return this.#count; }

  /** Payload bytes in the buffer. */
  get size(): number { return this.w.size; }

  /** Starts a record of `values` values (at most 255). */
  begin(values: number): void {
    if (values > 255 || values < 3) throw new RangeError(`log record of ${values} values`);
    this.#recordStart = this.w.mark;
    this.w.byte(values);
    this.#count++;
  }

  /** Drops the record being written (its encoding threw): the frame stays well-formed. */
  abort(): void {
    if (this.#recordStart < 0) return;
    this.w.truncate(this.#recordStart);
    this.#recordStart = -1;
    this.#count--;
  }

  /** The record being written is complete. */
  done(): void { this.#recordStart = -1; }

  /**
   * Completes the frame (header, checksum, trailing newline) and returns it: a view of the
   * internal buffer, valid until the next change.
   */
  frame(): Buffer {
    const w = this.w;
    w.room(1);
    const b = w.bytes;
    const end = w.mark;
    const len = end - HEADER;
    const v = w.view; // DataView stores are inlined; Buffer's writeUInt32LE is a call with range checks, three per frame
    b[0] = FRAME_MAGIC;
    v.setUint32(1, len, true);
    v.setUint32(5, ~len >>> 0, true);
    v.setUint32(9, xxh32(v, b, HEADER, end), true);
    b[end] = 0x0a;
    return this.#frames.of(b, end + 1);
  }

  clear(): void {
    this.w.truncate(HEADER);
    this.#count = 0;
  }
}

/**
 * Are `b[p…]` all zero bytes? A mapped segment's file is longer than what was appended until it is
 * closed (`log-segment.ts`); after a crash its unwritten rest reads as zeros. A frame starts with
 * `FRAME_MAGIC`, so zeros are never a frame: the records end there (a record lost before them
 * would show as a gap in the sequence numbers of the segments after it).
 */
export function zeroTail(b: Uint8Array, p: number): boolean {
  for (let i = p; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

const isRecord = (v: unknown): v is LogRecord =>
  Array.isArray(v) && v.length >= 3 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string' && typeof v[2] === 'number';

/** A frame at `p`: its records and end, `incomplete` (the file ends inside it) or `damaged`. */
export function readFrame(b: Buffer, p: number): { records: LogRecord[]; next: number } | 'incomplete' | 'damaged' {
  const magic = b[p];
  if (!isFrameMagic(magic)) return 'damaged';
  if (p + HEADER > b.length) return 'incomplete';
  const len = b.readUInt32LE(p + 1);
  if ((~len >>> 0) !== b.readUInt32LE(p + 5)) return 'damaged';
  const start = p + HEADER;
  const end = start + len;
  if (end + 1 > b.length) return 'incomplete';
  if (b[end] !== 0x0a || frameChecksum(magic, b, start, end) !== b.readUInt32LE(p + 9)) return 'damaged';
  const records = decodePayload(b.subarray(start, end));
  return records ? { records, next: end + 1 } : 'damaged';
}

function frameChecksum(magic: number | undefined, b: Buffer, start: number, end: number): number {
  if (magic === FRAME_MAGIC_CRC32) return crc32(b.subarray(start, end));
  return xxh32(new DataView(b.buffer, b.byteOffset, b.length), b, start, end);
}

function decodePayload(payload: Buffer): LogRecord[] | undefined {
  const out: LogRecord[] = [];
  const r = new ByteReader(payload);
  try {
    while (r.pos < payload.length) {
      const n = r.byte();
      const rec: unknown[] = new Array<unknown>(n);
      for (let k = 0; k < n; k++) rec[k] = r.value();
      if (!isRecord(rec)) return undefined;
      out.push(rec);
    }
  } catch {
    return undefined;
  }
  return r.pos === payload.length && out.length > 0 ? out : undefined;
}

/** One line of a segment written by an earlier build (`<crc32 hex>\t[seq, kind, now, …]`), or undefined when torn or damaged. */
export function parseTextLine(line: string): LogRecord[] | undefined {
  const tab = line.indexOf('\t');
  if (tab !== 8) return undefined;
  const json = line.slice(tab + 1);
  if (lineChecksum(json) !== line.slice(0, tab)) return undefined;
  let v: unknown;
  try { v = JSON.parse(json); } catch { return undefined; }
  return isRecord(v) ? [v] : undefined;
}
