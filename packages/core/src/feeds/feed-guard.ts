import type { FeedEvent, MarketData, MarketDataMap } from '../domain/market-data.js';
import { isBar, isQuote, isTrade } from '../domain/market-data.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';

/** @public */
export interface FeedGuardOptions {
  /** only these symbols pass (default: all) */
  symbols?: readonly string[] | undefined;
  /** where dropped data is reported (sampled: the first 5, then every 1000th) */
  logger?: Logger | undefined;
  /** names the feed in log lines */
  source?: string | undefined;
}

/**
 * Per-symbol checks a feed applies before emitting an event (CONFORMANCE.md TF04, TF05, TF09):
 * symbols not asked for are removed; a datum without a price (a bar with a non-finite open, high,
 * low or close, a trade with a non-finite price, a quote with neither side finite, anything that
 * is not a bar, trade or quote) is dropped; so are records older than the last one of their
 * symbol and a second bar for a period already emitted. Drops are counted in `dropped`.
 * @public
 */
export class FeedGuard {
  dropped = 0;
  readonly #symbols: ReadonlySet<string> | undefined;
  readonly #logger: Logger;
  readonly #source: string;
  readonly #last = new Map<string, { ts: number; bar: boolean }>();
  /** the symbol seen last and its entry (a stream of one symbol looks nothing up) */
  #lastSym: string | undefined;
  #lastEntry: { ts: number; bar: boolean } | undefined;
  constructor(options: FeedGuardOptions = {}) {
    this.#symbols = options.symbols && options.symbols.length > 0 ? new Set(options.symbols) : undefined;
    this.#logger = options.logger ?? silentLogger;
    this.#source = options.source ?? 'feed';
  }

  /** The event to emit: `ev` itself when everything passes, a copy without the rejected symbols, or undefined when nothing is left. */
  admit(ev: FeedEvent): FeedEvent | undefined {
    const ts = ev[0];
    if (!Number.isFinite(ts)) { this.#drop('timestamp is not a number', undefined, ts); return undefined; }
    const data = ev[1];
    let kept: MarketDataMap | undefined;
    let n = 0;
    for (const sym in data) {
      const d = data[sym]; // one keyed load per symbol (the hot path)
      const reason = this.#reject(sym, ts, d);
      if (reason === undefined) { n++; if (kept) kept[sym] = d!; continue; }
      if (reason !== 'filtered') this.#drop(reason, sym, ts);
      if (!kept) {
        kept = {};
        for (const s in data) { if (s === sym) break; kept[s] = data[s]!; }
      }
    }
    if (!kept) return ev;
    return n === 0 ? undefined : [ts, kept, ev[2]];
  }

  #reject(sym: string, ts: number, d: MarketData | undefined): string | undefined {
    if (this.#symbols && !this.#symbols.has(sym)) return 'filtered';
    const bar = isBar(d);
    // x - x === 0 holds for finite numbers only (NaN, ±Infinity and non-numbers give NaN)
    if (bar) { if (!(d.open - d.open === 0 && d.high - d.high === 0 && d.low - d.low === 0 && d.close - d.close === 0)) return 'bar without a price'; }
    else if (isTrade(d)) { if (!Number.isFinite(d.price)) return 'trade without a price'; }
    else if (isQuote(d)) { if (!Number.isFinite(d.bid) && !Number.isFinite(d.ask)) return 'quote without a price'; }
    else return 'not a bar, trade or quote';
    let last = sym === this.#lastSym ? this.#lastEntry : this.#last.get(sym);
    if (last && ts < last.ts) return 'late (older than the last record of its symbol)';
    if (last && bar && last.bar && ts === last.ts) return 'duplicate bar';
    if (last) { last.ts = ts; last.bar = bar; } else this.#last.set(sym, last = { ts, bar });
    this.#lastSym = sym;
    this.#lastEntry = last;
    return undefined;
  }

  #drop(reason: string, symbol: string | undefined, ts: number): void {
    this.dropped++;
    if (this.dropped <= 5 || this.dropped % 1000 === 0) this.#logger.warn(`${this.#source}: record dropped`, { reason, symbol, timestamp: ts, dropped: this.dropped });
  }
}
