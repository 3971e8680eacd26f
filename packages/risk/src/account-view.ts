import { performance } from 'node:perf_hooks';
import { PositionRecord, applyFillInPlace, markPosition, type BrokerProtocol, type Fill, type Logger } from '@tradewire/core';
import { PositionBook } from './position-book.js';
import type { PriceGuard } from './price-guard.js';

/**
 * What the risk layer reads of an account on every order and bar: the live view below, or
 * shadow mode's `VirtualPortfolio`.
 * @public
 */
export interface RiskAccount {
  readonly book: PositionBook;
  readonly cash: number;
  /** cash + Σ quantity × marked price */
  readonly accountValue: number;
}

/**
 * The risk layer's view of a live account (non-shadow): kept from the inner broker's fills
 * (incremental, cheap) and re-read from the broker every `refreshMs` of wall time and after a
 * reconnect (the venue may replay executions). The engine's account view remains the books;
 * this one only feeds the policies and breakers.
 */
export class LiveAccountView implements RiskAccount {
  readonly book = new PositionBook();
  cash = 0;
  /** true once the broker's figures were read */
  known = false;
  /** the refresh under way, if any */
  refreshing: Promise<void> | undefined = undefined;
  #lastRefresh = -Infinity;
  #fillsDuringRefresh = 0;

  constructor(
    private readonly inner: BrokerProtocol,
    private readonly guard: PriceGuard,
    private readonly log: Logger,
    private readonly refreshMs: number,
    /** a failed refresh is counted as an error (error-rate breaker) */
    private readonly onError: (source: string, err: unknown) => void,
  ) {}

  get accountValue(): number { return this.book.marketValue(this.cash); }

  /** Must an order wait for the broker's figures first? */
  due(wall: number): boolean { return !this.known || wall - this.#lastRefresh >= this.refreshMs; }

  /** Forces a refresh before the next order (after a reconnect). */
  invalidate(): void { this.#lastRefresh = -Infinity; }

  /** Applies one execution of the inner broker (weighted-average cost), re-marked at the asset's last good price. */
  applyFill(f: Fill): void {
    if (this.refreshing) this.#fillsDuringRefresh++;
    const signed = f.side === 'BUY' ? f.quantity : -f.quantity;
    if (!Number.isFinite(signed) || !Number.isFinite(f.price)) return;
    let position = this.book.get(f.asset);
    if (position === undefined) this.book.set(f.asset, position = new PositionRecord(f.asset, f.price));
    applyFillInPlace(position, signed, f.price);
    const mark = this.guard.get(f.asset)?.price;
    if (mark !== undefined) markPosition(position, mark);
    this.cash -= signed * f.price + (Number.isFinite(f.commission) ? f.commission : 0);
  }

  /** Re-reads positions and cash from the broker (one refresh at a time). */
  async refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    this.#fillsDuringRefresh = 0;
    const run = this.#read();
    this.refreshing = run;
    try { await run; } finally { this.refreshing = undefined; }
  }

  async #read(): Promise<void> {
    try {
      const [positions, cash] = await Promise.all([this.inner.getPositions(), this.inner.getCash()]);
      if (this.#fillsDuringRefresh > 0) { this.#lastRefresh = -Infinity; return; } // raced a fill: keep the incremental view, retry later
      this.book.clear();
      for (const p of positions) {
        const copy = PositionRecord.copyOf(p);
        const mark = this.guard.get(p.asset)?.price;
        if (mark !== undefined) markPosition(copy, mark);
        this.book.set(p.asset, copy);
      }
      this.cash = cash;
      this.known = true;
      this.#lastRefresh = performance.now();
    } catch (err) {
      this.log.error('risk: account refresh from the broker failed', { error: err });
      this.onError('account-refresh', err);
    }
  }
}
