import { close, closeSync, open, readdirSync, unlinkSync, write } from 'node:fs';
import { join } from 'node:path';
import { MAPPED_BYTES, segmentsMapped } from './log-segment.js';

/**
 * A spare's name in the state dir: never a segment name, so readers ignore one left by a crash;
 * unique per process and log, so a closed log's late write can never touch the next log's spare.
 */
const SPARE = /^journal\.spare\.[0-9a-z.]+\.tmp$/;
let logs = 0;
let zeros: Buffer | undefined;

/**
 * The next mapped journal-log segment's file, written ahead off the engine's thread (libuv's
 * thread pool): `MAPPED_BYTES` zeros, so its disk blocks are allocated and its pages are in the page
 * cache before the log needs it. Creating and first touching a fresh segment on the order path
 * costs ≈ 0.7 ms per batch (file creation, and a page fault per 4 kB that allocates a block); taking
 * a spare costs a rename (≈ 0.1 ms, with minor page faults). When no spare is ready the log creates
 * its segment itself, as without one. A spare left by a crash is deleted at the next start; one
 * being written when the log closes is deleted when that write ends.
 */
export class SpareSegment {
  readonly #path: string;
  #ready: { fd: number; path: string } | undefined;
  #preparing = false;
  #closed = false;

  constructor(stateDir: string) {
    this.#path = join(stateDir, `journal.spare.${process.pid.toString(36)}.${(logs++).toString(36)}.tmp`);
    for (const f of readdirSync(stateDir)) {
      if (SPARE.test(f)) try { unlinkSync(join(stateDir, f)); } catch { /* gone */ }
    }
    this.prepare();
  }

  /**
   * The spare, if written: the caller owns its descriptor and renames its file away, then calls
   * `prepare` for the next one (not before: the next spare is written at the same path).
   */
  take(): { fd: number; path: string } | undefined {
    const s = this.#ready;
    this.#ready = undefined;
    return s;
  }

  /** Writes a spare unless one is ready or being written (mapped segments only). */
  prepare(): void {
    if (this.#closed || this.#preparing || this.#ready !== undefined || !segmentsMapped()) return;
    this.#preparing = true;
    const path = this.#path;
    zeros ??= Buffer.alloc(MAPPED_BYTES);
    open(path, 'w+', 0o600, (err, fd) => {
      if (err) { this.#preparing = false; return; } // the log creates its segments itself
      write(fd, zeros!, 0, zeros!.length, 0, (werr, n) => {
        this.#preparing = false;
        if (werr || n !== zeros!.length || this.#closed) { close(fd, () => { try { unlinkSync(path); } catch { /* gone */ } }); return; }
        this.#ready = { fd, path };
      });
    });
  }

  /** No more spares; an unused one is deleted. */
  close(): void {
    this.#closed = true;
    const s = this.#ready;
    this.#ready = undefined;
    if (s) { closeSync(s.fd); try { unlinkSync(s.path); } catch { /* gone */ } }
  }
}
