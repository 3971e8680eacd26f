import type { Clock, FeedContext, MarketData, TimerHandle } from '@tradewire/core';

interface TickState { bid?: number; ask?: number; last?: number; lastSize?: number; volume?: number }

/** Tick types (TWS API): live and delayed. */
const BID = new Set([1, 66]);
const ASK = new Set([2, 67]);
const LAST = new Set([4, 68]);
const LAST_SIZE = new Set([5, 71]);
const VOLUME = new Set([8, 74]);

/**
 * Keeps the latest bid/ask/last per symbol and emits at most once per `intervalMs` per symbol
 * (first change at once, later changes coalesced into one trailing event). Prices ≤ 0 (IB's -1
 * "no price") are never turned into a price.
 */
export class TickThrottle {
  readonly #state = new Map<string, TickState>();
  readonly #lastEmit = new Map<string, number>();
  readonly #timers = new Map<string, TimerHandle>();

  constructor(private readonly clock: Clock, private readonly intervalMs: number, private readonly emit: (ts: number, symbol: string, data: MarketData, ctx: FeedContext) => void) {}

  price(symbol: string, tickType: number, value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value) || value <= 0) return;
    const s = this.#get(symbol);
    if (BID.has(tickType)) s.bid = value; else if (ASK.has(tickType)) s.ask = value; else if (LAST.has(tickType)) s.last = value; else return;
    this.#schedule(symbol);
  }

  size(symbol: string, tickType: number, value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value) || value < 0) return;
    const s = this.#get(symbol);
    if (LAST_SIZE.has(tickType)) s.lastSize = value; else if (VOLUME.has(tickType)) s.volume = value;
  }

  stop(): void { for (const t of this.#timers.values()) this.clock.clearTimeout(t); this.#timers.clear(); }

  #get(symbol: string): TickState {
    let s = this.#state.get(symbol);
    if (!s) { s = {}; this.#state.set(symbol, s); }
    return s;
  }

  #schedule(symbol: string): void {
    if (this.#timers.has(symbol)) return;
    const now = this.clock.now();
    const wait = (this.#lastEmit.get(symbol) ?? -Infinity) + this.intervalMs - now;
    if (wait <= 0) { this.#flush(symbol); return; }
    this.#timers.set(symbol, this.clock.setTimeout(() => { this.#timers.delete(symbol); this.#flush(symbol); }, wait));
  }

  #flush(symbol: string): void {
    const s = this.#state.get(symbol);
    if (!s) return;
    const now = this.clock.now();
    this.#lastEmit.set(symbol, now);
    const ctx: FeedContext = { source: 'ib' };
    if (s.bid !== undefined) ctx.bid = s.bid;
    if (s.ask !== undefined) ctx.ask = s.ask;
    if (s.last !== undefined) this.emit(now, symbol, { price: s.last, size: s.lastSize ?? 0 }, ctx);
    else if (s.bid !== undefined && s.ask !== undefined) this.emit(now, symbol, { bid: s.bid, ask: s.ask }, ctx);
  }
}
