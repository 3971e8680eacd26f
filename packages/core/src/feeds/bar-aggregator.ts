import type { Bar, FeedContext, FeedEvent, MarketData, MarketDataMap } from '../domain/market-data.js';
import { isBar, isQuote, isTrade } from '../domain/market-data.js';

/** @public */
export interface BarAggregatorOptions {
  /** output bar length in ms (60_000 = one minute) */
  periodMs: number;
  /**
   * emit a bar whose period has ended once this much time has passed without a newer tick
   * (`flush(now)`), so the last bar of a session is not lost (default 2,000 ms)
   */
  flushAfterMs?: number;
  /** quotes build bars from the mid price when no trades are seen (default false: quotes ignored) */
  useQuotes?: boolean;
}

interface Building { start: number; bar: Bar; lastTs: number }

/**
 * Turns ticks (trades, optionally quotes) or shorter bars into N-ms bars aligned to the epoch
 * (UTC). A bar is emitted once: when data for a later period arrives for the same symbol, or
 * by `flush(now)` once `now ≥ periodEnd + flushAfterMs`, or by `flushAll()` at end of data.
 * Events carry the period START as their timestamp and `context.periodMs`.
 * @public
 */
export class BarAggregator {
  readonly periodMs: number;
  readonly flushAfterMs: number;
  readonly #useQuotes: boolean;
  readonly #building = new Map<string, Building>();
  /** bars whose period closed but that were not emitted yet, keyed by period start */
  constructor(options: BarAggregatorOptions) {
    if (!(options.periodMs > 0) || !Number.isFinite(options.periodMs)) throw new RangeError(`periodMs must be > 0, got ${options.periodMs}`);
    this.periodMs = options.periodMs;
    this.flushAfterMs = options.flushAfterMs ?? 2_000;
    this.#useQuotes = options.useQuotes ?? false;
  }

  /** Adds one feed event; returns the bars it closed (grouped by period). */
  push(timestamp: number, data: MarketDataMap, context: FeedContext = {}): FeedEvent[] {
    const closed: [string, Building][] = [];
    for (const sym in data) {
      const d = data[sym];
      const tick = this.#tick(d);
      if (!tick) continue;
      const start = Math.floor(timestamp / this.periodMs) * this.periodMs;
      const cur = this.#building.get(sym);
      if (cur && start < cur.start) continue; // late data for a period already closed: dropped
      if (cur && start > cur.start) { closed.push([sym, cur]); this.#building.delete(sym); }
      const b = this.#building.get(sym);
      if (!b) this.#building.set(sym, { start, bar: { open: tick.open, high: tick.high, low: tick.low, close: tick.close, volume: tick.volume }, lastTs: timestamp });
      else {
        if (tick.high > b.bar.high) b.bar.high = tick.high;
        if (tick.low < b.bar.low) b.bar.low = tick.low;
        b.bar.close = tick.close;
        b.bar.volume += tick.volume;
        b.lastTs = timestamp;
      }
    }
    return this.#group(closed, context);
  }

  /** Emits bars whose period ended at least `flushAfterMs` before `now`. */
  flush(now: number): FeedEvent[] {
    const closed: [string, Building][] = [];
    for (const [sym, b] of this.#building) if (now >= b.start + this.periodMs + this.flushAfterMs) closed.push([sym, b]);
    for (const [sym] of closed) this.#building.delete(sym);
    return this.#group(closed, {});
  }

  /** Emits every bar still being built (end of data). */
  flushAll(): FeedEvent[] {
    const closed = [...this.#building.entries()];
    this.#building.clear();
    return this.#group(closed, {});
  }

  get pending(): number { return this.#building.size; }

  #tick(d: MarketData | undefined): Bar | undefined {
    if (isBar(d)) return Number.isFinite(d.close) && d.close > 0 ? d : undefined;
    if (isTrade(d)) return Number.isFinite(d.price) && d.price > 0 ? { open: d.price, high: d.price, low: d.price, close: d.price, volume: Number.isFinite(d.size) ? d.size : 0 } : undefined;
    if (this.#useQuotes && isQuote(d) && d.bid > 0 && d.ask > 0) {
      const m = (d.bid + d.ask) / 2;
      return { open: m, high: m, low: m, close: m, volume: 0 };
    }
    return undefined;
  }

  #group(closed: [string, Building][], context: FeedContext): FeedEvent[] {
    if (closed.length === 0) return [];
    const byStart = new Map<number, MarketDataMap>();
    for (const [sym, b] of closed) {
      let m = byStart.get(b.start);
      if (!m) { m = {}; byStart.set(b.start, m); }
      m[sym] = b.bar;
    }
    const out: FeedEvent[] = [];
    for (const start of [...byStart.keys()].sort((a, b) => a - b)) {
      const ctx: FeedContext = { periodMs: this.periodMs, aggregated: true };
      if (context.source !== undefined) ctx.source = context.source;
      out.push([start, byStart.get(start)!, ctx]);
    }
    return out;
  }
}
