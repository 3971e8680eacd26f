import { closeSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StateError } from '../errors.js';
import { crashPoint } from './crash-point.js';
import { lineChecksum } from './line-checksum.js';

/** Segment files of the journal log, next to state.db: `journal.<first seq, 16 digits>.log`. */
const SEGMENT = /^journal\.(\d{16})\.log$/;
export function segmentName(firstSeq: number): string { return `journal.${String(firstSeq).padStart(16, '0')}.log`; }

/** The journal log's segments in a state dir, oldest first. */
export function listSegments(stateDir: string): string[] {
  return readdirSync(stateDir).filter((f) => SEGMENT.test(f)).sort().map((f) => join(stateDir, f));
}

/** One record: `[seq, kind, now, ...payload]` (kinds: see `write-behind.ts` replay). */
export type LogRecord = [number, string, number, ...unknown[]];

/** A sealed segment: deleted once a batch covering its last record is committed to SQLite. */
interface Sealed { file: string; batchId: number }

/**
 * Append-only journal log for `process` durability. Each record is ONE `write(2)` of one line
 * (`<checksum>\t<json>\n`) on a file opened once with O_APPEND: once `append` returns, the line is
 * in the kernel's page cache and survives the death of this process (not a power cut: there is no
 * fsync). SQLite is brought up to date in batches; the log is rotated at each batch (`seal`) and a
 * sealed segment is unlinked only after the batch that covers it has committed together with its
 * last sequence number (`counters.journal_log_seq`), so a crash at any point leaves every record
 * either in SQLite or in a segment (replay skips seq ≤ the committed one).
 */
export class JournalLog {
  readonly #dir: string;
  #fd: number;
  #file: string;
  #seq: number;
  #linesInSegment = 0;
  #broken = false;
  readonly #sealed: Sealed[] = [];

  /** Starts a new segment after `lastSeq` (the highest sequence number already used). */
  constructor(stateDir: string, lastSeq: number) {
    this.#dir = stateDir;
    this.#seq = lastSeq;
    this.#file = join(stateDir, segmentName(lastSeq + 1));
    this.#fd = openSync(this.#file, 'a', 0o600);
  }

  /** The sequence number of the last appended record. */
  get seq(): number { return this.#seq; }

  /** Writes one record (its seq, `rec[0]`, is assigned here) with one write(2); throws if the kernel refuses it. */
  append(rec: LogRecord): void {
    const seq = this.#seq + 1;
    rec[0] = seq;
    if (this.#broken) throw new StateError(`journal log ${this.#file} failed earlier; no further writes`, 'STATE_WRITE_FAILED', { details: { file: this.#file } });
    const json = JSON.stringify(rec);
    const line = `${lineChecksum(json)}\t${json}\n`;
    let n: number;
    try { n = writeSync(this.#fd, line); } catch (err) { this.#broken = true; throw err; }
    if (n !== Buffer.byteLength(line)) {
      // a short write (disk full) leaves a partial line: anything appended after it would make
      // the log unreadable, so the log refuses every later write (the engine halts on it)
      this.#broken = true;
      throw new StateError(`short write to journal log ${this.#file} (${n} bytes)`, 'STATE_WRITE_FAILED', { details: { file: this.#file } });
    }
    this.#seq = seq; // only once the line is written: a failed write does not burn the number
    this.#linesInSegment++;
    crashPoint('after-log-append');
  }

  /** Closes the current segment (to be deleted once batch `batchId` is committed) and opens the next. */
  seal(batchId: number): void {
    if (this.#linesInSegment === 0) return;
    const file = join(this.#dir, segmentName(this.#seq + 1));
    const fd = openSync(file, 'a', 0o600); // first: if this fails, appends go on in the current segment
    closeSync(this.#fd);
    this.#sealed.push({ file: this.#file, batchId });
    this.#file = file;
    this.#fd = fd;
    this.#linesInSegment = 0;
  }

  /** Deletes the sealed segments whose batch (id ≤ `writtenBatchId`) is committed. */
  discard(writtenBatchId: number): void {
    while (this.#sealed.length > 0 && this.#sealed[0]!.batchId <= writtenBatchId) {
      crashPoint('before-log-truncate');
      unlinkSync(this.#sealed.shift()!.file);
    }
  }

  /** Closes the file; with `empty`, everything is in SQLite: the (empty) current segment is removed. */
  close(empty: boolean): void {
    closeSync(this.#fd);
    if (empty && this.#linesInSegment === 0) { try { unlinkSync(this.#file); } catch { /* already gone */ } }
  }
}

/**
 * Reads every record of the log segments in `stateDir` with seq > `after`, in order. A damaged
 * final line of the newest segment is a write torn by the crash and is ignored; a damaged line
 * anywhere else is STATE_CORRUPT naming the file (the log cannot be trusted past it).
 */
export function readLog(stateDir: string, after: number, read: (file: string) => string): { records: LogRecord[]; files: string[]; lastSeq: number } {
  const files = listSegments(stateDir);
  const records: LogRecord[] = [];
  let lastSeq = after;
  files.forEach((file, fi) => {
    const text = read(file);
    if (text === '') return; // a segment opened just before the crash
    const lines = text.split('\n');
    const complete = text.endsWith('\n') ? lines.length - 1 : lines.length;
    for (let li = 0; li < complete; li++) {
      const line = lines[li]!;
      const isTail = fi === files.length - 1 && li === complete - 1;
      const rec = parseLine(line);
      if (!rec && isTail) break; // torn by the crash: its append never returned, nobody acted on it
      // damaged, or a gap / step back in the sequence numbers: records are missing
      if (!rec || (rec[0] > after && rec[0] !== lastSeq + 1)) {
        throw new StateError(`journal log ${file} is corrupt at line ${li + 1}; the engine must start HALTED and be rebuilt from the broker`, 'STATE_CORRUPT', { details: { file, line: li + 1 } });
      }
      if (rec[0] <= after) continue; // already committed to SQLite before the crash
      records.push(rec);
      lastSeq = rec[0];
    }
  });
  return { records, files, lastSeq };
}

/** Renames the log segments aside (`<name>.corrupt-<ISO time>`) after STATE_CORRUPT; never deletes them. */
export function moveLogAside(stateDir: string, now: number): string[] {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  return listSegments(stateDir).map((f) => { const to = `${f}.corrupt-${stamp}`; renameSync(f, to); return to; });
}

function parseLine(line: string): LogRecord | undefined {
  const tab = line.indexOf('\t');
  if (tab !== 8) return undefined;
  const json = line.slice(tab + 1);
  if (lineChecksum(json) !== line.slice(0, tab)) return undefined;
  try {
    const v = JSON.parse(json) as unknown;
    if (Array.isArray(v) && v.length >= 3 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string' && typeof v[2] === 'number') return v as LogRecord;
  } catch { /* fall through */ }
  return undefined;
}
