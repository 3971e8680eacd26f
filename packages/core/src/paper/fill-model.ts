import type { Bar, MarketData } from '../domain/market-data.js';
import { isBar, isQuote, isTrade } from '../domain/market-data.js';
import type { Order, OrderSide } from '../domain/order.js';
import type { PaperBrokerConfig } from './config.js';

/** The prices an order can trade against in one market datum, and the volume its fills took so far. */
export interface PriceRange { open: number; high: number; low: number; last: number; volume: number; consumed: number; bid?: number; ask?: number }

/** Reduces a bar, trade or quote to the range an order may trade within. */
export function rangeOf(d: MarketData | undefined): PriceRange | undefined {
  if (!d) return undefined;
  if (isBar(d)) {
    const b: Bar = d;
    if (!(b.close > 0)) return undefined;
    return { open: b.open, high: b.high, low: b.low, last: b.close, volume: b.volume, consumed: 0 };
  }
  if (isTrade(d)) return d.price > 0 ? { open: d.price, high: d.price, low: d.price, last: d.price, volume: d.size, consumed: 0 } : undefined;
  if (isQuote(d)) {
    if (!(d.bid > 0) || !(d.ask > 0)) return undefined;
    const mid = (d.bid + d.ask) / 2;
    return { open: mid, high: d.ask, low: d.bid, last: mid, volume: Number.POSITIVE_INFINITY, consumed: 0, bid: d.bid, ask: d.ask };
  }
  return undefined;
}

/**
 * `rangeOf` for a bar, written into an existing range without bid/ask (no allocation: the paper
 * broker does this for every bar of every symbol). False, and `r` untouched, when it doesn't apply.
 */
export function barRangeInto(r: PriceRange, d: MarketData | undefined): boolean {
  if (r.ask !== undefined || r.bid !== undefined || !isBar(d) || !(d.close > 0)) return false;
  r.open = d.open;
  r.high = d.high;
  r.low = d.low;
  r.last = d.close;
  r.volume = d.volume;
  return true;
}

/**
 * Decides whether an order executes against a range and at what raw price (before slippage).
 * `fresh` is true for a new bar that arrived after the order (open prices and high/low
 * triggers apply); false when the order meets the current price at submission. Quotes always
 * trade at the touch (buy at the ask, sell at the bid).
 */
export function executionPrice(o: Order, r: PriceRange, fresh: boolean, state: { triggered: boolean }): number | undefined {
  const buy = o.side === 'BUY';
  const bar = fresh && r.ask === undefined;
  const touch = buy ? (r.ask ?? r.last) : (r.bid ?? r.last);
  if ((o.orderType === 'STOP' || o.orderType === 'STOP_LIMIT') && !state.triggered) {
    const stop = o.stopPrice as number;
    const hit = bar ? (buy ? r.high >= stop : r.low <= stop) : buy ? touch >= stop : touch <= stop;
    if (!hit) return undefined;
    state.triggered = true;
    if (o.orderType === 'STOP') return bar ? (buy ? Math.max(stop, r.open) : Math.min(stop, r.open)) : touch;
  }
  if (o.orderType === 'MARKET' || o.orderType === 'STOP') return bar ? r.open : touch;
  const limit = o.limitPrice as number;
  if (!bar) return (buy ? touch <= limit : touch >= limit) ? touch : undefined;
  if (buy) return r.low <= limit ? Math.min(limit, r.open) : undefined;
  return r.high >= limit ? Math.max(limit, r.open) : undefined;
}

/** Applies adverse slippage in basis points. */
export function slip(price: number, side: OrderSide, bps: number): number {
  if (bps === 0) return price;
  return side === 'BUY' ? price * (1 + bps / 10_000) : price * (1 - bps / 10_000);
}

/** Commission for one fill: max(minimum, perShare·q + rate·notional), or 0 when no fee is set. */
export function commissionFor(qty: number, price: number, c: PaperBrokerConfig['commission']): number {
  const fee = c.perShare * qty + c.rate * qty * price;
  if (c.perShare === 0 && c.rate === 0) return 0;
  return Math.max(c.minimum, fee);
}
