import type { Logger } from '../logger.js';

/**
 * Keeps one repeated log line from flooding the log (a strategy that throws on every bar writes
 * one warning per bar otherwise): each distinct key is logged the first `first` times, then at
 * its 10th, 100th, 1,000th … occurrence with the count; `heldBack()` lists the keys that occurred
 * more often than they were logged, for a summary at the end. Counting stays exact elsewhere.
 */
export class LogThrottle {
  readonly #counts = new Map<string, number>();

  /** `first`: occurrences logged in full per key; `maxKeys`: keys tracked (any further key is always logged). */
  constructor(readonly first = 5, readonly maxKeys = 1_000) {}

  /** Counts one occurrence of `key`: its number if it should be logged, 0 if not. */
  note(key: string): number {
    const prev = this.#counts.get(key);
    if (prev === undefined && this.#counts.size >= this.maxKeys) return 1;
    const n = (prev ?? 0) + 1;
    this.#counts.set(key, n);
    return n <= this.first || isPowerOfTen(n) ? n : 0;
  }

  /**
   * Counts `key` and logs `msg` as a warning if this occurrence is one to log: the first plainly,
   * later ones with `occurrences` (past `first`, the message says repeats are thinned out).
   */
  warn(logger: Logger, key: string, msg: string, fields: Record<string, unknown>): void {
    const n = this.note(key);
    if (n === 1) logger.warn(msg, fields);
    else if (n > this.first) logger.warn(`${msg} (repeated: logged again at the 10th, 100th, … occurrence)`, { ...fields, occurrences: n });
    else if (n > 0) logger.warn(msg, { ...fields, occurrences: n });
  }

  /** Logs one summary line per key that occurred more often than it was logged (`field`: the key's name there). */
  summarize(logger: Logger, msg: string, field: string): void {
    for (const { key, count } of this.heldBack()) logger.warn(msg, { [field]: key, occurrences: count });
  }

  /** Keys whose last occurrences were not logged, with their total counts. */
  heldBack(): { key: string; count: number }[] {
    const out: { key: string; count: number }[] = [];
    for (const [key, count] of this.#counts) if (count > this.first && !isPowerOfTen(count)) out.push({ key, count });
    return out;
  }
}

function isPowerOfTen(n: number): boolean {
  for (let p = 10; p <= n; p *= 10) if (p === n) return true;
  return false;
}
