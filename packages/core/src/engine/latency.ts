/**
 * A log-bucketed histogram of durations in microseconds (1 µs … ~1 h, ~4% resolution),
 * constant memory; used for dispatch latency p50/p99.
 * @public
 */
export class LatencyHistogram {
  static readonly #BUCKETS = 600;
  static readonly #FACTOR = Math.log(1.04);
  readonly #counts = new Float64Array(LatencyHistogram.#BUCKETS);
  count = 0;
  max = 0;

  record(us: number): void {
    const v = us < 1 ? 1 : us;
    let i = Math.floor(Math.log(v) / LatencyHistogram.#FACTOR);
    if (i >= LatencyHistogram.#BUCKETS) i = LatencyHistogram.#BUCKETS - 1;
    this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    this.count++;
    if (us > this.max) this.max = us;
  }

  /** q in [0,1]; returns the bucket's upper bound in µs (0 when empty) */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < LatencyHistogram.#BUCKETS; i++) {
      seen += this.#counts[i] ?? 0;
      if (seen >= target) return Math.min(this.max, Math.exp((i + 1) * LatencyHistogram.#FACTOR));
    }
    return this.max;
  }
}
