import { readdirSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { StateError } from '../errors.js';
import { crashPoint } from './crash-point.js';
import type { ByteWriter } from './byte-writer.js';
import { FrameBuffer, isFrameMagic, parseTextLine, readFrame, zeroTail, type LogRecord } from './log-line.js';
import { RETIRED_SUFFIX, openSegment, type SegmentFile } from './log-segment.js';

/** Segment files of the journal log, next to state.db: `journal.<first seq, 16 digits>.log`. */
const SEGMENT = /^journal\.(\d{16})\.log$/;
export function segmentName(firstSeq: number): string { return `journal.${String(firstSeq).padStart(16, '0')}.log`; }

/** The journal log's segments in a state dir, oldest first (`process` durability; records in them may be newer than state.db). @public */
export function listSegments(stateDir: string): string[] {
  return readdirSync(stateDir).filter((f) => SEGMENT.test(f)).sort().map((f) => join(stateDir, f));
}

export type { LogRecord } from './log-line.js';

/** Buffered records are written once they take this many bytes, whatever else happens. */
const FLUSH_BYTES = 1 << 18;
/** Retired segments kept for reuse, at most (the batches in flight seal about as many). */
const SPARE_SEGMENTS = 8;

/** A file a crash left between a segment's retirement and its reuse: nothing in it is needed. */
const isRetired = (f: string): boolean => f.endsWith(RETIRED_SUFFIX) && SEGMENT.test(f.slice(0, -RETIRED_SUFFIX.length));

/**
 * Append-only journal log for `process` durability, in segment files (`log-segment.ts`: mapped into
 * memory, or written by write(2) where core's native part is not built). A record
 * is either *durable* (`end(true)`: order intents, which must survive before the order is sent)
 * or *buffered* (`end(false)`: acks, status changes, fills, notes, adoptions — facts the venue
 * also knows, so a restart recovers them from the broker). A durable record is written together
 * with every record buffered before it as ONE checksummed frame (`log-line.ts`), appended at once:
 * once `end(true)` returns, the frame is in the kernel's page cache and survives the death of
 * this process (not a power cut: there is no fsync). Buffered records are also written by
 * `flush` (a short timer, and before every SQLite batch, seal and close), so SQLite never holds a
 * record the log could still lose and the sequence in the files stays gapless: a crash loses at
 * most the buffered suffix. SQLite is brought up to date in batches; the log is rotated at each
 * batch (`seal`) and a sealed segment is unlinked (by the journal writer) only after the batch that
 * covers it has committed together with its last sequence number (`counters.journal_log_seq`), so a crash at
 * any point leaves every written record either in SQLite or in a segment (replay skips seq ≤ the
 * committed one).
 */
export class JournalLog {
  readonly #dir: string;
  #segment: SegmentFile;
  /** the last sequence number handed out (buffered records included) */
  #seq: number;
  #framesInSegment = 0;
  #broken = false;
  readonly #frame = new FrameBuffer();
  /** sealed segments that can be reused, each until the batch that covers it is committed */
  readonly #sealed: { segment: SegmentFile; batch: number }[] = [];
  /** retired segments (committed, emptied, still mapped): the next segments */
  readonly #spare: SegmentFile[] = [];

  /** Starts a new segment after `lastSeq` (the highest sequence number already used). */
  constructor(stateDir: string, lastSeq: number) {
    this.#dir = stateDir;
    this.#seq = lastSeq;
    for (const f of readdirSync(stateDir)) if (isRetired(f)) unlinkSync(join(stateDir, f)); // a crash between a retirement and a reuse
    this.#segment = openSegment(join(stateDir, segmentName(lastSeq + 1)));
  }

  /** The sequence number of the last record (written or buffered). */
  get seq(): number { return this.#seq; }

  /**
   * Starts a record of `values` values (seq included): the seq is written here, the caller writes
   * the other `values - 1` (kind, now, fields…) to the returned writer, then calls `end`.
   */
  begin(values: number): ByteWriter {
    this.#check();
    this.#frame.begin(values);
    this.#frame.w.num(this.#seq + 1);
    return this.#frame.w;
  }

  /**
   * Ends the record. `durable`: written now, with every buffered record, by one append (throws
   * if it fails); otherwise buffered for the next write (written now only when the
   * buffer is large).
   */
  end(durable: boolean): void {
    this.#frame.done();
    this.#seq++;
    if (durable || this.#frame.size >= FLUSH_BYTES) this.flush();
    else crashPoint('after-log-buffer');
  }

  /** Writes the buffered records (one frame, one append); a no-op when nothing is buffered. */
  flush(): void {
    if (this.#frame.count === 0) return;
    this.#check();
    const frame = this.#frame.frame();
    // a failed append (disk full) may leave a partial frame: anything appended after it would make
    // the log unreadable, so the log refuses every later write (the engine halts on it)
    try { this.#segment.append(frame); } catch (err) { this.#broken = true; throw err; }
    this.#frame.clear();
    this.#framesInSegment++;
    crashPoint('after-log-append');
  }

  /** Drops the record begun last (its encoding threw); nothing of it is written. */
  abort(): void { this.#frame.abort(); }

  #check(): void {
    if (this.#broken) throw new StateError(`journal log ${this.#segment.file} failed earlier; no further writes`, 'STATE_WRITE_FAILED', { details: { file: this.#segment.file } });
  }

  /**
   * Closes the current segment and opens the next (a retired one when there is one: `reuse`);
   * `batch`: the SQLite batch that covers every record in the closed segment. Returns the closed
   * segment's file when the caller must delete it once that batch is committed (a segment written
   * by write(2)); undefined when it held nothing (it stays the current one) or when it is kept for
   * reuse (a mapped one: `committed` retires it once the batch is committed, never before).
   */
  seal(batch: number): string | undefined {
    this.flush();
    if (this.#framesInSegment === 0) return undefined;
    const name = join(this.#dir, segmentName(this.#seq + 1));
    const spare = this.#spare.pop();
    let next: SegmentFile;
    try {
      // first: if this fails, appends go on in the current segment
      next = spare ? (spare.reuse!(name), spare) : openSegment(name);
    } catch (err) {
      if (spare) this.#drop(spare);
      throw err;
    }
    const done = this.#segment;
    this.#segment = next;
    this.#framesInSegment = 0;
    if (done.retire !== undefined) { this.#sealed.push({ segment: done, batch }); return undefined; }
    done.close(true); // deleted once its batch is committed
    return done.file;
  }

  /**
   * Batches up to `batch` are committed (the caller never passes one past a failed batch): the
   * sealed segments they cover leave the log and are kept for reuse (at most `SPARE_SEGMENTS`).
   */
  committed(batch: number): void {
    const sealed = this.#sealed;
    while (sealed.length > 0 && sealed[0]!.batch <= batch) {
      const { segment } = sealed.shift()!;
      crashPoint('before-log-truncate'); // committed, segment still in the log
      try {
        segment.retire!();
      } catch {
        // cannot be renamed or emptied: its records are committed, so it is harmless (skipped at
        // the next start); unmapped, never reused
        segment.close(true);
        continue;
      }
      if (this.#spare.length < SPARE_SEGMENTS) this.#spare.push(segment);
      else this.#drop(segment);
    }
  }

  /** Unmaps a retired segment and deletes its file. */
  #drop(segment: SegmentFile): void {
    segment.close(true);
    try { unlinkSync(segment.file); } catch { /* already gone; a leftover is deleted at the next start */ }
  }

  /**
   * Closes the file; with `empty`, everything is in SQLite: the (empty) current segment is removed.
   * Retired segments are deleted; sealed ones not known to be committed are unmapped and kept
   * (they are read again at the next start).
   */
  close(empty: boolean): void {
    try { if (!this.#broken) this.flush(); } finally { this.#segment.close(false); }
    if (empty && this.#framesInSegment === 0) { try { unlinkSync(this.#segment.file); } catch { /* already gone */ } }
    for (const s of this.#spare.splice(0)) this.#drop(s);
    for (const { segment } of this.#sealed.splice(0)) segment.close(true);
  }
}

/**
 * Reads every record of the log segments in `stateDir` with seq > `after`, in order. A damaged or
 * incomplete final frame (or line) of the newest segment is a write torn by the crash and is
 * ignored; damage anywhere else (or a gap in the sequence) is STATE_CORRUPT naming the file (the
 * log cannot be trusted past it). Segments of earlier builds (text lines) are read too.
 */
export function readLog(stateDir: string, after: number, read: (file: string) => Buffer): { records: LogRecord[]; files: string[]; lastSeq: number; torn?: { file: string; at: number; unit: 'frame' | 'line' } } {
  const files = listSegments(stateDir);
  const records: LogRecord[] = [];
  let lastSeq = after;
  let torn: { file: string; at: number; unit: 'frame' | 'line' } | undefined;
  files.forEach((file, fi) => {
    const { groups, damage } = readSegment(readSegmentFile(file, read));
    const corrupt = (at: number): StateError => new StateError(`journal log ${file} is corrupt at ${damage?.unit ?? 'frame'} ${at}; the engine must start HALTED and be rebuilt from the broker`, 'STATE_CORRUPT', { details: { file, [damage?.unit ?? 'frame']: at } });
    // torn by the crash: its write never returned, nobody acted on it (the caller says so in its log)
    if (damage && !(damage.tail && fi === files.length - 1)) throw corrupt(damage.index + 1);
    if (damage) torn = { file, at: damage.index + 1, unit: damage.unit };
    groups.forEach((recs, gi) => {
      for (const rec of recs) {
        if (rec[0] > after && rec[0] !== lastSeq + 1) throw corrupt(gi + 1); // a gap / step back in the sequence numbers: records are missing
        if (rec[0] <= after) continue; // already committed to SQLite before the crash
        records.push(rec);
        lastSeq = rec[0];
      }
    });
  });
  return torn ? { records, files, lastSeq, torn } : { records, files, lastSeq };
}

/** A segment that cannot be read at all (a directory, no permission) is STATE_UNREADABLE naming it. */
function readSegmentFile(file: string, read: (file: string) => Buffer): Buffer {
  try { return read(file); } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StateError(`cannot read journal log ${file} (${code === 'EISDIR' ? 'EISDIR: it is a directory, not a log segment' : (err as Error).message})`,
      'STATE_UNREADABLE', { cause: err, details: { file, ...(code !== undefined ? { reason: code } : {}) } });
  }
}

/**
 * The record groups (frames, or lines of an earlier build) of one segment up to the first damage;
 * `damage.tail`: nothing readable follows it (a torn last write, if this is the newest segment).
 */
export function readSegment(b: Buffer): { groups: LogRecord[][]; damage?: { index: number; tail: boolean; unit: 'frame' | 'line' } } {
  const groups: LogRecord[][] = [];
  if (zeroTail(b, 0)) return { groups }; // empty, or nothing stored yet: a segment opened just before the crash
  // a text line starts with its checksum's hex digits; a zero first byte is a mapped segment whose
  // first frame was torn before its header was stored (a copy may store its first bytes last)
  if (!isFrameMagic(b[0]) && b[0] !== 0) return readTextSegment(b.toString('utf8'));
  for (let p = 0; p < b.length;) {
    if (b[p] === 0 && zeroTail(b, p)) break; // a mapped segment's space not written yet (`log-segment.ts`)
    const f = readFrame(b, p);
    if (typeof f === 'string') {
      let tail = true;
      for (let q = p + 1; q < b.length && tail; q++) if (isFrameMagic(b[q]) && typeof readFrame(b, q) !== 'string') tail = false;
      return { groups, damage: { index: groups.length, tail, unit: 'frame' } };
    }
    groups.push(f.records);
    p = f.next;
  }
  return { groups };
}

function readTextSegment(text: string): ReturnType<typeof readSegment> {
  const groups: LogRecord[][] = [];
  const lines = text.split('\n');
  const complete = text.endsWith('\n') ? lines.length - 1 : lines.length;
  for (let li = 0; li < complete; li++) {
    const recs = parseTextLine(lines[li]!);
    if (!recs) return { groups, damage: { index: li, tail: li === complete - 1, unit: 'line' } };
    groups.push(recs);
  }
  return { groups };
}

/** Renames the log segments aside (`<name>.corrupt-<ISO time>`) after STATE_CORRUPT; never deletes them. */
export function moveLogAside(stateDir: string, now: number): string[] {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  return listSegments(stateDir).map((f) => { const to = `${f}.corrupt-${stamp}`; renameSync(f, to); return to; });
}
