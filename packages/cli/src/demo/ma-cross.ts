import type { FeedContext, MarketDataMap, Order, Strategy, StrategyBroker } from '@tradewire/core';
import { isBar } from '@tradewire/core';

/** @public */
export interface MovingAverageCrossParams {
  symbol?: string;
  fast?: number;
  slow?: number;
  /** fraction of account value to hold when long (position sizing) */
  allocation?: number;
  /** go short on a bearish cross (default false: flat) */
  allowShort?: boolean;
}

/**
 * The demo strategy: long when the fast simple moving average of closes is above the slow one,
 * flat (or short) otherwise. Position size = allocation × account value / price, rounded down.
 * Keeps O(1) state per bar (running sums over ring buffers) and snapshots it for checkpoints.
 * @public
 */
export class MovingAverageCrossStrategy implements Strategy {
  readonly symbol: string | undefined;
  readonly fast: number;
  readonly slow: number;
  readonly allocation: number;
  readonly allowShort: boolean;
  #closes: number[] = [];
  #sumFast = 0;
  #sumSlow = 0;
  #pending = false;
  signals = 0;

  constructor(params: MovingAverageCrossParams = {}) {
    this.symbol = params.symbol;
    this.fast = params.fast ?? 20;
    this.slow = params.slow ?? 60;
    this.allocation = params.allocation ?? 0.95;
    this.allowShort = params.allowShort ?? false;
    if (!(this.fast > 0 && this.slow > this.fast)) throw new RangeError('need 0 < fast < slow');
    if (!(this.allocation > 0 && this.allocation <= 1)) throw new RangeError('allocation must be in (0, 1]');
  }

  onData(_ts: number, data: MarketDataMap, _ctx: FeedContext, broker: StrategyBroker): void | Promise<void> {
    const sym = this.symbol ?? Object.keys(data)[0];
    if (sym === undefined) return;
    const bar = data[sym];
    if (!isBar(bar)) return;
    const c = bar.close;
    this.#closes.push(c);
    const n = this.#closes.length;
    this.#sumFast += c;
    this.#sumSlow += c;
    if (n > this.fast) this.#sumFast -= this.#closes[n - 1 - this.fast]!;
    if (n > this.slow) this.#sumSlow -= this.#closes[n - 1 - this.slow]!;
    if (n > this.slow * 4) { this.#closes = this.#closes.slice(-this.slow); }
    if (n < this.slow || this.#pending) return;
    const fastMa = this.#sumFast / this.fast;
    const slowMa = this.#sumSlow / this.slow;
    const held = broker.getPosition(sym);
    const size = Math.floor((this.allocation * broker.getAccountValue()) / c);
    const target = fastMa > slowMa ? size : this.allowShort ? -size : 0;
    // trade only on a regime change, not on every size drift
    if ((target > 0 && held > 0) || (target < 0 && held < 0) || (target === 0 && held === 0)) return;
    const delta = target - held;
    if (delta === 0) return;
    this.signals++;
    this.#pending = true;
    return broker.submitOrder({ asset: sym, quantity: delta, tag: 'ma-cross' }).then(
      () => { this.#pending = false; },
      () => { this.#pending = false; },
    );
  }

  onOrderUpdate(_order: Order): void {}

  snapshot(): unknown {
    return { closes: this.#closes.slice(-this.slow), signals: this.signals };
  }

  restore(state: unknown): void {
    const s = state as { closes?: number[]; signals?: number };
    this.#closes = Array.isArray(s.closes) ? s.closes.filter((x) => Number.isFinite(x)) : [];
    this.signals = s.signals ?? 0;
    const n = this.#closes.length;
    this.#sumFast = this.#closes.slice(Math.max(0, n - this.fast)).reduce((a, b) => a + b, 0);
    this.#sumSlow = this.#closes.slice(Math.max(0, n - this.slow)).reduce((a, b) => a + b, 0);
  }
}
