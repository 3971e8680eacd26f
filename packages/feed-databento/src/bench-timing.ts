// Timing helpers of the benchmark (bench.ts).

/**
 * Best (minimum) time of each 1 MiB slice over the rounds, plus the best whole pass. A slice takes
 * well under a millisecond, so on a loaded machine most slices get at least one round without a
 * preemption or a neighbour's burst; the sum of the slice minima is the pass time without those.
 */
export class SliceTimes {
  readonly best: Float64Array;
  bestPass = Infinity;
  constructor(slices: number) { this.best = new Float64Array(slices).fill(Infinity); }
  note(k: number, ns: number): void { if (ns < this.best[k]!) this.best[k] = ns; }
  pass(ns: number): void { if (ns < this.bestPass) this.bestPass = ns; }
  /** summed slice minima, ns */
  total(): number { let t = 0; for (const x of this.best) t += x; return t; }
  /** records per second from the summed slice minima */
  perSec(records: number): number { return records / (this.total() / 1e9); }
  perSecWhole(records: number): number { return records / (this.bestPass / 1e9); }
}

/** Monotonic clock in ns. */
export const now = (): number => Number(process.hrtime.bigint());
