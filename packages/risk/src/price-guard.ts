import type { Logger } from '@tradewire/core';
import { withinLimit } from './limit-compare.js';

/** What the guard knows of one asset. @public */
export interface PriceRecord {
  /** last good price and when it was seen */
  price: number;
  at: number;
  /** the most recent price was quarantined */
  quarantined: boolean;
  suspectPrice: number;
  suspectCount: number;
}

/**
 * Sanity gate for prices: a price that is not a finite positive number, or that lies outside
 * `bandPct` % of the last good price, is quarantined and logged, never traded on. When
 * `acceptAfter` consecutive quarantined prices agree with each other (within the band), the new
 * level is accepted (a real gap, not a bad tick). O(1) per price, no allocation after the first.
 * @public
 */
export class PriceGuard {
  readonly #records = new Map<string, PriceRecord>();
  // one-entry cache (records are never replaced): the bar's symbol is usually the order's
  #lastAsset: string | undefined = undefined;
  #lastRec: PriceRecord | undefined = undefined;
  quarantinedCount = 0;
  constructor(readonly bandPct: number, readonly acceptAfter: number, private readonly logger: Logger) {}

  get(asset: string): PriceRecord | undefined {
    if (asset === this.#lastAsset) return this.#lastRec;
    const rec = this.#records.get(asset);
    if (rec !== undefined) { this.#lastAsset = asset; this.#lastRec = rec; }
    return rec;
  }

  /** Returns true when `price` is accepted as the asset's new good price. */
  observe(asset: string, price: number | undefined, ts: number): boolean {
    const rec = this.get(asset);
    if (price === undefined || !Number.isFinite(price) || price <= 0) {
      this.#quarantine(asset, rec, price, ts, 'not a finite positive price');
      return false;
    }
    if (!rec) {
      this.#records.set(asset, { price, at: ts, quarantined: false, suspectPrice: 0, suspectCount: 0 });
      return true;
    }
    const band = this.bandPct;
    if (band === Infinity || withinLimit(Math.abs(price - rec.price) * 100, band * rec.price, 100 * rec.price)) {
      rec.price = price; rec.at = ts; rec.quarantined = false; rec.suspectCount = 0;
      return true;
    }
    if (rec.suspectCount > 0 && withinLimit(Math.abs(price - rec.suspectPrice) * 100, band * rec.suspectPrice, 100 * rec.suspectPrice)) rec.suspectCount++;
    else { rec.suspectPrice = price; rec.suspectCount = 1; }
    if (rec.suspectCount >= this.acceptAfter) {
      this.logger.warn('risk: price level accepted after consecutive out-of-band prices', { asset, price, previous: rec.price, count: rec.suspectCount });
      rec.price = price; rec.at = ts; rec.quarantined = false; rec.suspectCount = 0;
      return true;
    }
    this.#quarantine(asset, rec, price, ts, `outside ${band}% band around last good price ${rec.price}`);
    return false;
  }

  #quarantine(asset: string, rec: PriceRecord | undefined, price: number | undefined, ts: number, why: string): void {
    this.quarantinedCount++;
    if (rec) rec.quarantined = true;
    this.logger.warn('risk: price quarantined', { asset, price: price === undefined ? null : String(price), ts, reason: why });
  }
}
