/** An OHLCV bar. @public */
export interface Bar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}
/** Top of book. @public */
export interface Quote {
  bid: number;
  ask: number;
  bidSize?: number;
  askSize?: number;
}
/** One trade print. @public */
export interface Trade {
  price: number;
  size: number;
  side?: 'BUY' | 'SELL';
}
/** @public */
export type MarketData = Bar | Quote | Trade;
/** `{ [symbol]: bar | quote | trade }` @public */
export type MarketDataMap = Record<string, MarketData>;

/**
 * Extras that travel with a feed event. Known keys are typed; adapters may add their own.
 * @public
 */
export interface FeedContext {
  /** adapter or file that produced the event */
  source?: string;
  /** event time in nanoseconds since the epoch, when the venue provides it */
  tsNs?: bigint;
  /** perpetual funding rate at the event time */
  fundingRate?: number;
  bid?: number;
  ask?: number;
  /** set on the first event after a reconnect: the span of time that may be missing */
  gap?: { from: number; to: number; reason: string };
  /** the bar period in ms, for bars */
  periodMs?: number;
  [key: string]: unknown;
}

/** The feed event tuple: `[timestamp ms, data, context]`. @public */
export type FeedEvent = [timestamp: number, data: MarketDataMap, context: FeedContext];

/** @public */
export function isBar(d: MarketData | undefined): d is Bar {
  return d !== undefined && typeof (d as Bar).close === 'number' && typeof (d as Bar).open === 'number';
}
/** @public */
export function isQuote(d: MarketData | undefined): d is Quote {
  return d !== undefined && typeof (d as Quote).bid === 'number' && typeof (d as Quote).ask === 'number';
}
/** @public */
export function isTrade(d: MarketData | undefined): d is Trade {
  return d !== undefined && typeof (d as Trade).price === 'number' && typeof (d as Trade).size === 'number';
}

/** A reference price for a datum: bar close, trade price, or quote mid. @public */
export function priceOf(d: MarketData | undefined): number | undefined {
  if (d === undefined) return undefined;
  if (isBar(d)) return d.close;
  if (isTrade(d)) return d.price;
  if (isQuote(d)) {
    const ok = (x: number): boolean => Number.isFinite(x) && x > 0;
    if (ok(d.bid) && ok(d.ask)) return (d.bid + d.ask) / 2;
    return ok(d.bid) ? d.bid : ok(d.ask) ? d.ask : undefined;
  }
  return undefined;
}
