/**
 * `IBDataFeed`: real-time 5-second bars (reqRealTimeBars) and throttled ticks (reqMktData) from
 * TWS, as a push feed. Shares the broker's session when host/port/clientId match (connection
 * pool), else opens its own client id. Resubscribes after 1101 and after a socket reconnect; a
 * reqCurrentTime probe every `heartbeatMs` finds a half-open socket. Drops (505, no price, repeated
 * or late bars) are counted in `dropped` with a sampled log.
 */
import { EventName } from '@stoqey/ib';
import { SystemClock, silentLogger, type Clock, type DataFeedProtocol, type FeedContext, type FeedEvent, type Logger, type MarketData, type TimerHandle } from '@tradewire/core';
import { defaultConnectionPool, IBConnectionPool } from './client/connection-pool.js';
import type { IBCode, IBConnection } from './client/ib-connection.js';
import type { IBFeedConfig } from './config.js';
import { FeedQueue } from './feed-queue.js';
import { contractFor } from './mapping/contract.js';
import { TickThrottle } from './tick-throttle.js';

export interface IBDataFeedServices { clock?: Clock; logger?: Logger; pool?: IBConnectionPool }

const BAR_MS = 5_000;

export class IBDataFeed implements DataFeedProtocol {
  readonly name = 'ib';
  readonly kind = 'push' as const;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #pool: IBConnectionPool;
  readonly #queue = new FeedQueue();
  readonly #bySymbol = new Map<number, { symbol: string; kind: 'bars' | 'ticks' }>();
  readonly #lastBar = new Map<string, number>();
  #conn: IBConnection | undefined;
  #unwire: (() => void)[] = [];
  #reqId = 70_000;
  #throttle: TickThrottle;
  /** data lost (reconnect, 1101): the gap runs from the last event to the first one after it */
  #gapPending: { from: number | undefined; reason: string } | undefined;
  /** NaN before the first event: a number-only field (it is written on every tick; one that may hold `undefined` boxes every new time) */
  #lastEventAt = NaN;
  #dropped = 0;
  #heartbeat: TimerHandle | undefined;
  #probeOutstanding = false;

  constructor(readonly config: IBFeedConfig, services: IBDataFeedServices = {}) {
    this.#clock = services.clock ?? new SystemClock();
    this.#logger = (services.logger ?? silentLogger).child({ feed: 'ib' });
    this.#pool = services.pool ?? (config.shareConnection ? defaultConnectionPool : new IBConnectionPool());
    this.#throttle = new TickThrottle(this.#clock, config.tickThrottleMs, (ts, sym, d, ctx) => this.#push(ts, sym, d, ctx));
  }

  /** messages dropped: ones the client could not decode (IB 505), bars without a price, repeated or late bars */
  get dropped(): number { return this.#dropped; }

  async start(): Promise<void> {
    if (this.#conn) return;
    this.#queue.reopen();
    const conn = this.#pool.acquire(this, this.config, this.#clock, this.#logger);
    this.#conn = conn;
    this.#wire(conn);
    await conn.connect();
    await this.#subscribe();
    this.#armHeartbeat();
  }

  async stop(): Promise<void> {
    const conn = this.#conn;
    this.#conn = undefined;
    this.#throttle.stop();
    if (this.#heartbeat) { this.#clock.clearTimeout(this.#heartbeat); this.#heartbeat = undefined; }
    if (conn) {
      for (const [reqId, s] of this.#bySymbol) await conn.send((api) => (s.kind === 'bars' ? api.cancelRealTimeBars(reqId) : api.cancelMktData(reqId))).catch(() => undefined);
      this.#bySymbol.clear();
      for (const u of this.#unwire.splice(0)) u();
      await this.#pool.release(this, conn);
    }
    this.#queue.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<FeedEvent> {
    return { next: () => this.#queue.next(), return: async () => { await this.stop(); return { value: undefined, done: true }; } };
  }

  async #subscribe(): Promise<void> {
    const conn = this.#conn;
    if (!conn) return;
    const old = [...this.#bySymbol.entries()];
    this.#bySymbol.clear();
    for (const [reqId, s] of old) await conn.send((api) => (s.kind === 'bars' ? api.cancelRealTimeBars(reqId) : api.cancelMktData(reqId))).catch(() => undefined);
    if (this.config.marketDataType !== 1) await conn.send((api) => api.reqMarketDataType(this.config.marketDataType));
    for (const symbol of this.config.symbols) {
      const contract = contractFor(symbol, this.config);
      if (this.config.data !== 'ticks') {
        const id = ++this.#reqId;
        this.#bySymbol.set(id, { symbol, kind: 'bars' });
        await conn.send((api) => api.reqRealTimeBars(id, contract, 5, this.config.whatToShow as never, this.config.useRTH));
      }
      if (this.config.data !== 'bars') {
        const id = ++this.#reqId;
        this.#bySymbol.set(id, { symbol, kind: 'ticks' });
        await conn.send((api) => api.reqMktData(id, contract, '', false, false));
      }
    }
  }

  #wire(conn: IBConnection): void {
    const api = conn.api;
    const onBar = (reqId: number, time: number, open: number, high: number, low: number, close: number, volume: number): void => {
      const s = this.#bySymbol.get(reqId);
      if (!s) return;
      const start = time * 1000;
      if ((this.#lastBar.get(s.symbol) ?? -Infinity) >= start) { this.#drop('repeated or late bar', { symbol: s.symbol, time }); return; } // never emitted twice
      if (![open, high, low, close].every((x) => Number.isFinite(x) && x > 0)) { this.#drop('bar without a price', { symbol: s.symbol, time }); return; }
      this.#lastBar.set(s.symbol, start);
      this.#push(start, s.symbol, { open, high, low, close, volume: Number.isFinite(volume) && volume > 0 ? volume : 0 }, { source: 'ib', periodMs: BAR_MS });
    };
    const onPrice = (reqId: number, field: number, value: number): void => { const s = this.#bySymbol.get(reqId); if (s) this.#throttle.price(s.symbol, field, value); };
    const onSize = (reqId: number, field?: number, value?: number): void => { const s = this.#bySymbol.get(reqId); if (s && field !== undefined) this.#throttle.size(s.symbol, field, value); };
    const onRestored = (r: { dataLost: boolean; reason: string }): void => {
      if (!r.dataLost) return;
      this.#gapPending = { from: Number.isNaN(this.#lastEventAt) ? undefined : this.#lastEventAt, reason: `ib ${r.reason}` };
      this.#probeOutstanding = false;
      this.#logger.warn('ib: market data lost; resubscribing', { reason: r.reason });
      this.#subscribe().catch((e: unknown) => this.#logger.error('ib: resubscribe failed', { error: e }));
    };
    const onCode = (c: IBCode): void => {
      if (c.code === 505) { this.#drop('message the client could not decode', { code: c.code }); return; }
      const s = this.#bySymbol.get(c.id);
      if (s && c.code !== 2104) this.#logger.warn('ib: market data error', { symbol: s.symbol, code: c.code, message: c.message });
    };
    const onTime = (): void => { this.#probeOutstanding = false; };
    api.on(EventName.currentTime, onTime);
    api.on(EventName.realtimeBar, onBar);
    api.on(EventName.tickPrice, onPrice);
    api.on(EventName.tickSize, onSize);
    conn.on('restored', onRestored);
    conn.on('code', onCode);
    this.#unwire.push(() => api.off(EventName.currentTime, onTime), () => api.off(EventName.realtimeBar, onBar), () => api.off(EventName.tickPrice, onPrice), () => api.off(EventName.tickSize, onSize),
      () => conn.off('restored', onRestored), () => conn.off('code', onCode));
  }

  /** Liveness: a reqCurrentTime every `heartbeatMs`; one still unanswered at the next → half-open, reconnect. */
  #armHeartbeat(): void {
    const every = this.config.heartbeatMs;
    if (every <= 0 || this.#heartbeat) return;
    this.#heartbeat = this.#clock.setTimeout(() => {
      this.#heartbeat = undefined;
      const conn = this.#conn;
      if (!conn) return;
      this.#armHeartbeat();
      if (!conn.api.isConnected) { this.#probeOutstanding = false; return; } // reconnecting already
      if (this.#probeOutstanding) { this.#probeOutstanding = false; conn.reset(`no answer from TWS within ${every} ms`); return; }
      this.#probeOutstanding = true;
      conn.send((a) => a.reqCurrentTime()).catch(() => undefined);
    }, every);
  }

  /** Counts a dropped message; logs the 1st, 10th, 100th … (sampled). */
  #drop(what: string, fields: Record<string, unknown>): void {
    const n = ++this.#dropped;
    if (/^10*$/.test(String(n))) this.#logger.warn(`ib: ${what} dropped`, { ...fields, droppedSoFar: n });
  }

  #push(ts: number, symbol: string, data: MarketData, ctx: FeedContext): void {
    const g = this.#gapPending;
    if (g) { ctx.gap = { from: Math.min(g.from ?? ts, ts), to: ts, reason: g.reason }; this.#gapPending = undefined; }
    this.#lastEventAt = ts;
    this.#queue.push([ts, { [symbol]: data }, ctx]);
  }
}
