import { closeSync, constants, existsSync, ftruncateSync, openSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { StateError } from '../errors.js';

/**
 * The file of one journal-log segment, appended to frame by frame. `append` returns once the
 * frame is in the kernel's page cache: it then outlives a crash of this process (not a power cut:
 * nothing is fsynced). A failed append throws; the log then refuses every later write.
 */
export interface SegmentFile {
  readonly file: string;
  append(frame: Uint8Array): void;
  /**
   * Ends the segment. `keepTail`: a mapped file may keep its zero bytes after the frames (a sealed
   * segment, deleted once its batch is committed: cutting a mapped file to size costs ≈ 0.5 ms);
   * otherwise the file holds exactly the appended bytes.
   */
  close(keepTail: boolean): void;
  /**
   * Mapped segments only (reuse, see `MappedSegment`). `retire`: every record in this sealed
   * segment is committed to SQLite: it leaves the log (renamed `<file>.free`, a name the reader
   * ignores) and is emptied, still mapped. `reuse`: a retired segment becomes the new segment `file`.
   */
  retire?(): void;
  reuse?(file: string): void;
}

/** A retired segment's name: not a segment (`listSegments` ignores it); one left by a crash is deleted at the next start. */
export const RETIRED_SUFFIX = '.free';

/** The optional addon (`native/tw_mmap.c`, built at install). */
interface Mapper { map(fd: number, size: number): ArrayBuffer; unmap(buffer: ArrayBuffer): void }
const ADDON = fileURLToPath(new URL('../../native/build/tw_mmap.node', import.meta.url));
let mapper: Mapper | null | undefined;

/** The addon when it is built, loads, and is not switched off (`TRADEWIRE_NATIVE_MMAP=0`). */
function loadMapper(): Mapper | null {
  if (process.env['TRADEWIRE_NATIVE_MMAP'] === '0') return null;
  if (mapper === undefined) {
    try { mapper = existsSync(ADDON) ? (createRequire(import.meta.url)(ADDON) as Mapper) : null; } catch { mapper = null; }
  }
  return mapper;
}

/** Is the segment file mapped into memory (`native/tw_mmap.c`), not written by write(2)? */
export const segmentsMapped = (): boolean => loadMapper() !== null;

/** Opens a new segment file: mapped into memory when the addon is there, else written by write(2). */
export function openSegment(file: string): SegmentFile {
  const m = loadMapper();
  if (!m) return new WrittenSegment(file);
  try {
    return new MappedSegment(file, m);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw err; // the disk is full: write(2) would fail as well
    // a file system that cannot map or reserve (some network and FUSE file systems): write(2) it is,
    // on an empty file (zeros a failed reservation left would read as damage before the frames)
    truncateSync(file, 0);
    return new WrittenSegment(file);
  }
}

/** One write(2) per frame, on a file opened with O_APPEND. */
class WrittenSegment implements SegmentFile {
  readonly file: string;
  readonly #fd: number;

  constructor(file: string) {
    this.file = file;
    this.#fd = openSync(file, 'a', 0o600);
  }

  append(frame: Uint8Array): void {
    const n = writeSync(this.#fd, frame);
    // a short write (disk full) leaves a partial frame: the caller refuses every later write
    if (n !== frame.length) throw new StateError(`short write to journal log ${this.file} (${n} bytes)`, 'STATE_WRITE_FAILED', { details: { file: this.file } });
  }

  close(): void { closeSync(this.#fd); }
}

/** Bytes reserved for a new mapped segment (a batch's records, ≈ 4096, take about half of it in bench case (c)); doubled when a frame does not fit. */
const MAPPED_BYTES = 1 << 19;

/**
 * A segment mapped into memory (shared, read-write): a frame is appended by a memory copy (≈ 0.1 µs
 * for an intent's frame once its page is in memory) instead of a write(2) (≈ 2 µs on the engine's thread). Stores into a
 * shared mapping are in the page cache as they happen, so a frame copied
 * before the process dies is in the file, as after a returned write(2); one cut short by the death
 * is a torn final frame, as a write(2) cut short would be. The file's disk space is reserved when
 * it is mapped (`posix_fallocate`: a full disk fails that call, never a later store), so until
 * `close` truncates it to what was appended (the last segment, at a clean stop), the file ends in zero bytes, which the reader takes as
 * the end of the segment (`log-line.ts`).
 *
 * Reuse: the first store into each page of a fresh mapping is a page fault (≈ 5 µs on a VM: a
 * page-cache page allocated, zeroed and made writable), ≈ 90 of them per batch of ≈ 1,400 orders,
 * plus opening, reserving and mapping the file and, later, unlinking it (≈ 0.2 + 0.3 ms). A
 * segment whose records are all committed is instead `retire`d (renamed out of the log, then its
 * written bytes zeroed: in that order, so a crash never leaves a segment with stale frames under a
 * segment's name) and `reuse`d as the next segment (one rename): its pages are already in memory
 * and writable. The journal log keeps a few (`journal-log.ts`).
 */
class MappedSegment implements SegmentFile {
  #file: string;
  readonly #fd: number;
  readonly #m: Mapper;
  #buffer: ArrayBuffer;
  #view: Uint8Array;
  #at = 0;

  constructor(file: string, m: Mapper) {
    this.#file = file;
    this.#m = m;
    // read-write (a shared writable mapping needs it), not O_APPEND: glibc's posix_fallocate
    // emulation, on file systems without fallocate(2), refuses an O_APPEND descriptor
    this.#fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o600);
    try {
      this.#buffer = m.map(this.#fd, MAPPED_BYTES);
    } catch (err) {
      closeSync(this.#fd);
      throw err;
    }
    this.#view = new Uint8Array(this.#buffer);
  }

  get file(): string { return this.#file; }

  retire(): void {
    const free = `${this.#file}${RETIRED_SUFFIX}`;
    renameSync(this.#file, free); // first: from here on the reader never sees these bytes
    this.#file = free;
    this.#view.fill(0, 0, this.#at); // the rest is still zero
    this.#at = 0;
  }

  reuse(file: string): void {
    if (this.#at !== 0 || !this.#file.endsWith(RETIRED_SUFFIX)) throw new Error(`segment ${this.#file} was not retired`);
    renameSync(this.#file, file); // an empty segment (all zeros) under its new name
    this.#file = file;
  }

  append(frame: Uint8Array): void {
    const length = frame.length;
    if (this.#at + length > this.#view.length) this.#grow(this.#at + length);
    this.#view.set(frame, this.#at); // one memcpy (`Buffer.copy` makes a view and checks its arguments first)
    this.#at += length;
  }

  #grow(need: number): void {
    let size = this.#view.length * 2;
    while (size < need) size *= 2;
    this.#m.unmap(this.#buffer);
    this.#buffer = this.#m.map(this.#fd, size); // throws (ENOSPC…): the log refuses later writes
    this.#view = new Uint8Array(this.#buffer);
  }

  close(keepTail: boolean): void {
    try {
      this.#m.unmap(this.#buffer);
      if (!keepTail) ftruncateSync(this.#fd, this.#at);
    } finally {
      closeSync(this.#fd);
    }
  }
}
