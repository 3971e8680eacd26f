import { createReadStream } from 'node:fs';
import type { DbnDecoderOptions, RecordCallback } from './decoder.js';
import type { DbnMetadata } from './metadata.js';
import type { DbnRecord } from './records.js';
import { DbnStream, type DbnStreamOptions } from './stream.js';
import type { RecordView } from './view.js';

export interface DecodedDbn {
  /** undefined for fragments */
  metadata: DbnMetadata | undefined;
  records: DbnRecord[];
}

/** Decodes a whole in-memory DBN buffer (raw or zstd; fragments with `fragmentVersion`) into plain records. */
export function decodeDbn(bytes: Uint8Array, opts: DbnStreamOptions = {}): DecodedDbn {
  const records: DbnRecord[] = [];
  const s = new DbnStream(opts);
  const cb: RecordCallback = (v) => { records.push(v.toRecord()); };
  s.write(bytes, cb);
  s.end(cb);
  return { metadata: s.metadata, records };
}

/**
 * Walks every record of an in-memory buffer without allocating per record: `onRecord` gets a reused view.
 * Returns the metadata and the record count.
 */
export function forEachRecord(bytes: Uint8Array, onRecord: RecordCallback, opts: DbnStreamOptions = {}): { metadata: DbnMetadata | undefined; count: number } {
  const s = new DbnStream(opts);
  s.write(bytes, onRecord);
  s.end(onRecord);
  return { metadata: s.metadata, count: s.recordCount };
}

/** Default read size for files. */
export const FILE_CHUNK_BYTES = 256 * 1024;

/** An async source of byte chunks for a file path. */
export function fileChunks(path: string, chunkBytes = FILE_CHUNK_BYTES): AsyncIterable<Uint8Array> {
  return createReadStream(path, { highWaterMark: chunkBytes }) as AsyncIterable<Uint8Array>;
}

/**
 * Streams any chunk source (file, HTTP body, socket) through the DBN decoder with constant memory.
 * `onRecord` gets a reused view per record (valid only during the call).
 */
export async function streamDbn(source: AsyncIterable<Uint8Array>, onRecord: RecordCallback, opts: DbnStreamOptions = {}): Promise<{ metadata: DbnMetadata | undefined; count: number }> {
  const s = new DbnStream(opts);
  for await (const chunk of source) s.write(chunk, onRecord);
  s.end(onRecord);
  return { metadata: s.metadata, count: s.recordCount };
}

/** `streamDbn` over a file path. */
export function streamDbnFile(path: string, onRecord: RecordCallback, opts: DbnStreamOptions = {}): Promise<{ metadata: DbnMetadata | undefined; count: number }> {
  return streamDbn(fileChunks(path), onRecord, opts);
}

/**
 * Pull-style decoding: maps each record view through `map` (return undefined to drop it) and yields the
 * results, one input chunk at a time (memory bounded by one chunk's records). `onMetadata` fires before the
 * first yield.
 */
export async function* mapDbn<T>(
  source: AsyncIterable<Uint8Array>,
  map: (view: RecordView, md: DbnMetadata | undefined) => T | undefined,
  opts: DbnStreamOptions = {},
): AsyncGenerator<T, { metadata: DbnMetadata | undefined; count: number }, undefined> {
  const s = new DbnStream(opts);
  let batch: T[] = [];
  const cb: RecordCallback = (v) => {
    const out = map(v, s.metadata);
    if (out !== undefined) batch.push(out);
  };
  for await (const chunk of source) {
    s.write(chunk, cb);
    if (batch.length > 0) {
      const b = batch;
      batch = [];
      for (const x of b) yield x;
    }
  }
  s.end(cb);
  for (const x of batch) yield x;
  return { metadata: s.metadata, count: s.recordCount };
}

/** Async iteration of fully decoded records of a file (constant memory). */
export function readDbnFile(path: string, opts: DbnStreamOptions = {}): AsyncGenerator<DbnRecord, { metadata: DbnMetadata | undefined; count: number }, undefined> {
  return mapDbn(fileChunks(path), (v) => v.toRecord(), opts);
}

export type { DbnDecoderOptions, DbnStreamOptions };

/** Reads and decodes a whole (small) file into plain records; prefer `streamDbnFile` / `readDbnFile` for big files. */
export async function decodeDbnFile(path: string, opts: DbnStreamOptions = {}): Promise<DecodedDbn> {
  const records: DbnRecord[] = [];
  const { metadata } = await streamDbn(fileChunks(path), (v) => { records.push(v.toRecord()); }, opts);
  return { metadata, records };
}
