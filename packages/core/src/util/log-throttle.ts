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
