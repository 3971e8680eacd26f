/**
 * Counts events in a sliding time window. Amortised O(1) per call, no allocation per event
 * (one growing number array, compacted now and then).
 * @public
 */
export class SlidingWindowCounter {
  #ts: number[] = [];
  #head = 0;
  constructor(readonly windowMs: number) {}
  add(now: number): void {
    this.#prune(now);
    this.#ts.push(now);
  }
  /** events with timestamp in (now − window, now] */
  count(now: number): number {
    this.#prune(now);
    return this.#ts.length - this.#head;
  }
  clear(): void { this.#ts = []; this.#head = 0; }
  #prune(now: number): void {
    const cut = now - this.windowMs;
    const ts = this.#ts;
    let h = this.#head;
    while (h < ts.length && (ts[h] as number) <= cut) h++;
    if (h > 1024 && h * 2 > ts.length) { this.#ts = ts.slice(h); h = 0; }
    this.#head = h;
  }
}
