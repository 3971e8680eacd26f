import { priceOf, type BrokerProtocol, type FeedContext, type MarketDataMap } from '@tradewire/core';
import type { LiveAccountView } from './account-view.js';
import type { PriceGuard } from './price-guard.js';
import type { ShadowRouter } from './shadow-router.js';

/**
 * Market data on its way to the inner broker: every price passes the `PriceGuard`; a good price
 * marks the risk account (live view, or the virtual portfolio, which may fill resting shadow
 * orders); a quarantined symbol is dropped from what the inner broker sees. Per bar: one guard
 * lookup and one mark per symbol, no allocation unless a price is quarantined.
 */
export class MarketDataGate {
  /** symbols quarantined in the current bar (reused) */
  readonly #rejected: string[] = [];

  constructor(
    private readonly guard: PriceGuard,
    private readonly inner: BrokerProtocol,
    private readonly live: LiveAccountView | undefined,
    private readonly shadow: ShadowRouter | undefined,
  ) {}

  /** Checks and applies every price of one event; returns true when some symbol was quarantined. */
  observe(timestamp: number, data: MarketDataMap): boolean {
    const rejected = this.#rejected;
    if (rejected.length !== 0) rejected.length = 0;
    for (const sym in data) {
      const px = priceOf(data[sym]);
      if (!this.guard.observe(sym, px, timestamp)) { rejected.push(sym); continue; }
      const price = px as number;
      if (this.shadow) this.shadow.onPrice(sym, price, timestamp);
      else this.live?.book.mark(sym, price);
    }
    return rejected.length > 0;
  }

  /**
   * Hands the event on to the inner broker, without the quarantined symbols (nothing when none is
   * left). Returns that cleaned event when a symbol was quarantined, else undefined.
   */
  forward(timestamp: number, data: MarketDataMap, context: FeedContext, anyRejected: boolean): MarketDataMap | undefined {
    const inner = this.inner;
    if (!anyRejected) { inner.onMarketData?.(timestamp, data, context); return undefined; }
    const rejected = this.#rejected;
    const clean: MarketDataMap = {};
    let any = false;
    for (const sym in data) if (!rejected.includes(sym)) { clean[sym] = data[sym] as MarketDataMap[string]; any = true; }
    if (any) inner.onMarketData?.(timestamp, clean, context);
    return clean;
  }
}
