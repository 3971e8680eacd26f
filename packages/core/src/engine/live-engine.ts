import { performance } from 'node:perf_hooks';
import { SimulatedClock, SystemClock, type Clock } from '../clock.js';
import { EngineError, isTradingError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { LogThrottle } from '../util/log-throttle.js';
import type { Fill } from '../domain/fill.js';
import type { FeedContext, FeedEvent, MarketDataMap } from '../domain/market-data.js';
import type { Order, OrderRequest } from '../domain/order.js';
import type { BrokerProtocol, Unsubscribe } from '../protocols/broker.js';
import type { DataFeedProtocol } from '../protocols/feed.js';
import type { Strategy } from '../protocols/strategy.js';
import { AccountView } from './account-view.js';
import { SessionClientOrderIdGenerator, type ClientOrderIdGenerator } from './client-order-id.js';
import { EventQueue, type MarketEvent, type Task } from './event-queue.js';
import type { AccountSnapshot, EngineExtension, EngineHandle, EngineTradingState } from './extension.js';
import { LatencyHistogram } from './latency.js';
import { normalizeOrder } from './order-normalizer.js';
import { EngineStrategyBroker } from './strategy-broker.js';

/** @public */
export type EngineMode = 'replay' | 'paper' | 'shadow' | 'live';
/** @public */
export type EngineLifecycle = 'created' | 'connected' | 'running' | 'stopping' | 'stopped';

/** @public */
export interface LiveEngineOptions {
  strategy: Strategy;
  /** the broker after middleware (risk, journal) */
  broker: BrokerProtocol;
  feed: DataFeedProtocol;
  /** default: simulated time driven by event timestamps for pull feeds, wall time for push feeds */
  clock?: Clock;
  logger?: Logger;
  mode?: EngineMode;
  /** stop the engine on the first strategy error (default false: log, count, continue) */
  haltOnError?: boolean;
  onError?: (error: unknown, timestamp: number, data: unknown) => void;
  /** bound on queued market events (default 10,000) */
  queueCapacity?: number;
  /** conflate not-yet-consumed market data per symbol (default true) */
  conflate?: boolean;
  idGenerator?: ClientOrderIdGenerator;
  extensions?: readonly EngineExtension[];
  /** stop on SIGINT/SIGTERM (default true) */
  handleSignals?: boolean;
  /** measure dispatch latency on one event in N (default 16) */
  latencySampleEvery?: number;
}

/** A copy of the engine's counters. @public */
export interface EngineStats {
  mode: EngineMode;
  lifecycle: EngineLifecycle;
  tradingState: EngineTradingState;
  haltReason: string | undefined;
  events: number;
  bars: number;
  orders: number;
  rejectedOrders: number;
  fills: number;
  duplicateFills: number;
  errors: number;
  /** market events skipped because they precede the restored checkpoint */
  skipped: number;
  queueDepth: number;
  queueHighWater: number;
  conflated: number;
  dropped: number;
  lastBarTime: number | undefined;
  dispatchLatencyUs: { p50: number; p99: number; max: number; samples: number };
}

type Thenable = { then: (a: unknown, b: (e: unknown) => void) => unknown };
const isThenable = (v: unknown): v is Thenable => typeof v === 'object' && v !== null && typeof (v as Thenable).then === 'function';

/**
 * Runs one strategy against one broker and one feed: `connect()` → `run()` → `stop()`.
 * Market data, order updates, fills and timers flow through one bounded priority queue;
 * a strategy exception is reported through `onError` and never crashes the engine unless
 * `haltOnError` is set.
 * @public
 */
export class LiveEngine implements EngineHandle {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly broker: BrokerProtocol;
  readonly strategy: Strategy;
  readonly feed: DataFeedProtocol;
  readonly account: AccountView;
  readonly mode: EngineMode;
  readonly #opts: LiveEngineOptions;
  readonly #queue: EventQueue;
  readonly #ids: ClientOrderIdGenerator;
  readonly #extensions: readonly EngineExtension[];
  readonly #sb: EngineStrategyBroker;
  readonly #latency = new LatencyHistogram();
  readonly #sampleEvery: number;
  readonly #unsubs: Unsubscribe[] = [];
  #lifecycle: EngineLifecycle = 'created';
  #tradingState: EngineTradingState = 'ACTIVE';
  /** why the engine is HALTED, by code, the first cause first (`BROKER_HALT`: the broker chain's halt, the only one it lifts itself) */
  readonly #haltCauses = new Map<string, string>();
  #stopRequested = false;
  readonly #errorLog = new LogThrottle();
  readonly #orderErrorLog = new LogThrottle();
  #runPromise: Promise<void> | undefined;
  #stopPromise: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #counts = { events: 0, bars: 0, orders: 0, rejectedOrders: 0, fills: 0, duplicateFills: 0, errors: 0, skipped: 0 };
  /** NaN until the first bar (a number-only field: storing a timestamp allocates nothing) */
  #lastBarTime = NaN;
  #signalHandler: (() => void) | undefined;
  #skipUntil = Number.NEGATIVE_INFINITY;
  /** orders are refused while the market event being handled is at or before this (`quietUntil`) */
  #quietUntil = Number.NEGATIVE_INFINITY;
  /** the event whose `onData` promise is being awaited (see `#dispatchRaw`) */
  #pendingTs = 0;
  #pendingData: MarketDataMap = {};
  #pendingSample = false;
  #pendingT0 = 0;

  constructor(options: LiveEngineOptions) {
    this.#opts = options;
    this.strategy = options.strategy;
    this.broker = options.broker;
    // a broker that deduplicates fills itself (the journal) leaves the view only late updates to remember
    this.account = new AccountView(options.broker.deduplicatesFills === true ? AccountView.TERMINAL_MEMORY : undefined);
    this.feed = options.feed;
    this.mode = options.mode ?? 'replay';
    this.clock = options.clock ?? (options.feed.kind === 'pull' ? new SimulatedClock(0) : new SystemClock());
    this.logger = options.logger ?? silentLogger;
    this.#queue = new EventQueue(options.queueCapacity ?? 10_000, options.conflate ?? true);
    this.#ids = options.idGenerator ?? new SessionClientOrderIdGenerator();
    this.#extensions = options.extensions ?? [];
    this.#sampleEvery = Math.max(1, options.latencySampleEvery ?? 16);
    this.#sb = new EngineStrategyBroker(this.account, {
      now: () => this.clock.now(),
      submit: (r) => this.#submitGuarded(r),
      cancel: (id) => this.#guard(this.broker.cancelOrder(id)),
      close: (asset) => this.#guard(this.#close(asset)),
    });
  }

  get tradingState(): EngineTradingState { return this.#tradingState; }
  get lifecycle(): EngineLifecycle { return this.#lifecycle; }
  /** the StrategyBroker the strategy receives */
  get strategyBroker(): EngineStrategyBroker { return this.#sb; }

  get stats(): EngineStats {
    return {
      mode: this.mode,
      lifecycle: this.#lifecycle,
      tradingState: this.#tradingState,
      haltReason: this.#haltReason(),
      ...this.#counts,
      queueDepth: this.#queue.size,
      queueHighWater: this.#queue.highWater,
      conflated: this.#queue.conflated,
      dropped: this.#queue.dropped,
      lastBarTime: Number.isNaN(this.#lastBarTime) ? undefined : this.#lastBarTime,
      dispatchLatencyUs: { p50: this.#latency.quantile(0.5), p99: this.#latency.quantile(0.99), max: this.#latency.max, samples: this.#latency.count },
    };
  }

  /** Connects the broker, loads the account view, runs extensions' recovery. Idempotent. */
  async connect(): Promise<void> {
    if (this.#lifecycle !== 'created') return;
    await this.broker.connect();
    this.#unsubs.push(this.broker.onOrderUpdate((o) => this.#onOrderUpdate(o)));
    this.#unsubs.push(this.broker.onFill((f) => this.#onFill(f)));
    const halts = this.broker.onHaltChange?.((reason) => this.#brokerHaltChanged(reason));
    if (halts) this.#unsubs.push(halts);
    await this.resyncAccount();
    this.#lifecycle = 'connected';
    for (const ext of this.#extensions) {
      if (!ext.onConnect) continue;
      try {
        await ext.onConnect(this);
      } catch (err) {
        const code = isTradingError(err) ? err.code : 'EXTENSION_FAILED';
        this.halt(`${ext.name}: ${err instanceof Error ? err.message : String(err)}`, code);
        this.logger.error('extension failed on connect; engine HALTED', { extension: ext.name, code, error: err });
      }
    }
    this.#haltFromBroker();
  }

  /** Runs until the feed ends or `stop()` is called. */
  run(): Promise<void> {
    this.#runPromise ??= this.#run();
    return this.#runPromise;
  }

  /** Stops the feed, drains pending order events, calls `onStop`, disconnects. Idempotent. */
  stop(): Promise<void> {
    if (this.#stopPromise) return this.#stopPromise;
    this.#stopRequested = true;
    this.#wake?.();
    this.#stopPromise = (async () => {
      if (this.#lifecycle === 'running') {
        this.#lifecycle = 'stopping';
        await this.feed.stop().catch((e: unknown) => this.logger.warn('feed stop failed', { error: e }));
        await this.#runPromise;
      } else {
        await this.#shutdown();
      }
    })();
    return this.#stopPromise;
  }

  halt(reason: string, code = 'HALTED'): void {
    if (this.#haltCauses.has(code)) return;
    this.#haltCauses.set(code, reason); // every cause is kept: lifting one (the risk layer's) must not lift the others
    if (this.#tradingState === 'HALTED') return;
    this.#tradingState = 'HALTED';
    this.logger.warn('engine HALTED: new orders refused', { code, reason });
  }

  /** `code: reason` of the first cause still holding the engine HALTED (undefined when ACTIVE) */
  #haltReason(): string | undefined {
    for (const [code, reason] of this.#haltCauses) return `${code}: ${reason}`;
    return undefined;
  }

  resume(reason: string): void {
    if (this.#tradingState === 'ACTIVE') return;
    this.#tradingState = 'ACTIVE';
    this.#haltCauses.clear();
    this.logger.warn('engine resumed', { reason });
  }

  /**
   * Drops the halt causes `codes` and resumes only when no other cause remains (a lifted
   * reconciliation halt must not lift the risk layer's). Returns whether the engine resumed.
   */
  lift(codes: readonly string[], reason: string): boolean {
    if (this.#tradingState !== 'HALTED') return false;
    let dropped = false;
    for (const c of codes) dropped = this.#haltCauses.delete(c) || dropped;
    if (this.#haltCauses.size === 0) { this.resume(reason); return true; }
    if (dropped) this.logger.warn('a halt cause was lifted; the engine stays HALTED for its other cause(s)', { lifted: codes, causes: [...this.#haltCauses.keys()] });
    return false;
  }

  accountSnapshot(): AccountSnapshot { return this.account.snapshot(this.clock.now()); }

  async resyncAccount(): Promise<void> {
    const [cash, positions, orders] = await Promise.all([this.broker.getCash(), this.broker.getPositions(), this.broker.getPendingOrders()]);
    this.account.reset(cash, positions, orders);
  }

  quietUntil(timestamp: number): void {
    if (!Number.isFinite(timestamp) || timestamp <= this.#quietUntil) return;
    this.#quietUntil = timestamp;
    this.logger.info('catching up: orders are not sent for market events up to the last order before the restart', { until: new Date(timestamp).toISOString() });
  }

  seedPrices(prices: Readonly<Record<string, unknown>>, timestamp: number): number { return this.account.seedPrices(prices, timestamp); }

  skipUntil(timestamp: number): void {
    if (!Number.isFinite(timestamp) || timestamp <= this.#skipUntil) return;
    this.#skipUntil = timestamp;
    // simulated time resumes where the previous run stopped (checkpoints never go back in time)
    if (this.clock instanceof SimulatedClock) this.clock.set(timestamp);
  }

  schedule(intervalMs: number, fn: () => void | Promise<void>): () => void {
    if (!(intervalMs > 0)) throw new RangeError('schedule interval must be > 0 ms');
    let cancelled = false;
    let handle = this.clock.setTimeout(tick, intervalMs);
    const self = this;
    // runs missed while the queue was busy, or skipped over by a simulated clock jumping ahead,
    // coalesce into one: a periodic job never piles up behind itself
    let queued = false;
    function tick(): void {
      if (cancelled) return;
      if (!queued) {
        queued = true;
        self.#queue.pushTask('timer', () => { queued = false; return self.#invoke(fn, self.clock.now(), 'timer'); });
        self.#wake?.();
      }
      // a simulated clock jumping far ahead (replay starting at its first bar, a gap in the data)
      // would otherwise fire this once per period it skips (a 60 s job over 50 years: 26 million
      // times): the skipped periods are folded into the run just queued
      let next = intervalMs;
      const clock = self.clock;
      if (clock instanceof SimulatedClock) {
        const ahead = clock.settlingTo() - clock.now();
        if (ahead > intervalMs) next += Math.floor(ahead / intervalMs) * intervalMs;
      }
      handle = clock.setTimeout(tick, next);
    }
    return () => { cancelled = true; this.clock.clearTimeout(handle); };
  }

  // ── run loop ────────────────────────────────────────────────────────────
  async #run(): Promise<void> {
    this.#installSignals(); // before connect: a signal during recovery or reconciliation stops cleanly too
    try {
      await this.connect();
    } catch (err) {
      this.#removeSignals();
      throw err;
    }
    if (this.#stopRequested) { await this.#shutdown(); return; }
    this.#lifecycle = 'running';
    try {
      await this.feed.start();
      const started = this.#invoke(() => this.strategy.onStart?.(this.#sb), this.clock.now(), 'onStart');
      if (started) await started;
      await this.#drain();
      if (this.feed.kind === 'pull') await this.#runPull();
      else await this.#runPush();
    } catch (err) {
      this.#counts.errors++;
      this.logger.error('engine loop failed', { error: err });
      this.#opts.onError?.(err, this.clock.now(), undefined);
      this.halt(err instanceof Error ? err.message : String(err), isTradingError(err) ? err.code : 'ENGINE_FAILED');
      throw err;
    } finally {
      await this.#shutdown();
    }
  }

  async #runPull(): Promise<void> {
    const sync = this.feed.syncIterator?.();
    if (sync) return this.#pumpSync(sync);
    for await (const ev of this.feed) {
      if (this.#stopRequested) return;
      const p = this.#dispatchMarket(ev[0], ev[1], ev[2], 0);
      if (p) await p;
      if (this.#queue.size > 0) await this.#drain();
    }
  }

  /**
   * The pull loop over a synchronous iterator: dispatches events until the strategy returns a
   * promise, then resumes from that promise's reaction (not an `await`: an awaiting async frame
   * costs two closures, a context and a reaction per bar, a `.then` with the two handlers below
   * one reaction). Yields to the event loop every 8192 events so signals, timers and progress
   * output run. Settles when the feed ends or a stop is requested; rejects on an engine error.
   */
  #pumpSync(sync: Iterator<FeedEvent>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let n = 0;
      const pump = (): void => {
        try {
          for (;;) {
            if (this.#stopRequested) { resolve(); return; }
            if (++n === 8192) { n = 0; setImmediate(pump); return; }
            const r = sync.next();
            if (r.done === true) { resolve(); return; }
            const p = this.#dispatchRaw(r.value[0], r.value[1], r.value[2], 0);
            // (Promise.resolve: the strategy's own promise as is; a foreign thenable that settles
            // synchronously still resumes from a fresh job, never recursively)
            if (p !== undefined) { Promise.resolve(p).then(settled, failed); return; }
            if (this.#queue.size > 0) { this.#drain().then(pump, reject); return; }
          }
        } catch (err) {
          reject(err);
        }
      };
      const next = (): void => {
        if (this.#queue.size > 0) this.#drain().then(pump, reject);
        else pump();
      };
      const settled = (): void => {
        if (this.#pendingSample) this.#latency.record((performance.now() - this.#pendingT0) * 1000);
        next();
      };
      const failed = (err: unknown): void => {
        try { this.#strategyError(err, this.#pendingTs, this.#pendingData); } catch (e) { reject(e); return; }
        next();
      };
      pump();
    });
  }

  async #runPush(): Promise<void> {
    let feedDone = false;
    let feedError: unknown;
    const pump = (async () => {
      try {
        for await (const ev of this.feed) {
          if (this.#stopRequested) break;
          this.#queue.pushMarket({ timestamp: ev[0], data: ev[1], context: ev[2], enqueuedAt: performance.now() });
          this.#wake?.();
        }
      } catch (err) {
        feedError = err;
      } finally {
        feedDone = true;
        this.#wake?.();
      }
    })();
    while (!this.#stopRequested) {
      const item = this.#queue.next();
      if (item) {
        const p = 'task' in item ? this.#runTask(item.task) : this.#dispatchQueued(item.market);
        if (p) await p;
        continue;
      }
      if (feedDone) break;
      await new Promise<void>((resolve) => { this.#wake = resolve; });
      this.#wake = undefined;
    }
    await this.feed.stop().catch(() => undefined);
    await pump;
    if (feedError) throw feedError;
  }

  #dispatchQueued(m: MarketEvent): void | Promise<void> {
    return this.#dispatchMarket(m.timestamp, m.data, m.context, m.enqueuedAt);
  }

  /** Dispatches one market event; the promise it may return never rejects (errors are reported). */
  #dispatchMarket(ts: number, data: MarketDataMap, ctx: FeedContext, enqueuedAt: number): void | Promise<void> {
    const p = this.#dispatchRaw(ts, data, ctx, enqueuedAt);
    return p === undefined ? undefined : this.#settleMarket(p, ts, data);
  }

  /**
   * Settles a strategy's pending `onData`. Its own method: the closures below, written in
   * `#dispatchMarket`, would make every event allocate a context for what they capture, even the
   * events whose `onData` returned nothing.
   */
  #settleMarket(p: PromiseLike<unknown>, ts: number, data: MarketDataMap): Promise<void> {
    const sample = this.#pendingSample;
    const t0 = this.#pendingT0;
    return Promise.resolve(p).then(
      () => { if (sample) this.#latency.record((performance.now() - t0) * 1000); },
      (err: unknown) => this.#strategyError(err, ts, data),
    );
  }

  /**
   * Hot path: no allocation unless the strategy or broker allocates. When `onData` returns a
   * thenable it is returned unsettled, with what settling it needs (timestamp, data, latency
   * sample) left in the `#pending*` fields: the caller awaits it before the next dispatch.
   */
  #dispatchRaw(ts: number, data: MarketDataMap, ctx: FeedContext, enqueuedAt: number): PromiseLike<unknown> | undefined {
    if (ts <= this.#skipUntil) { this.#counts.skipped++; return undefined; }
    const clock = this.clock;
    if (clock instanceof SimulatedClock) clock.set(ts);
    const n = ++this.#counts.events;
    const sample = n % this.#sampleEvery === 0;
    const t0 = sample ? (enqueuedAt || performance.now()) : 0;
    this.#countBars(data);
    this.#lastBarTime = ts;
    const screened = this.broker.onMarketData?.(ts, data, ctx);
    if (screened) { // the broker chain refused some prices (quarantined): nobody here sees them
      data = screened;
      if (isEmpty(data)) return undefined;
    }
    this.account.onMarketData(ts, data);
    let r: unknown;
    try {
      r = this.strategy.onData(ts, data, ctx, this.#sb);
    } catch (err) {
      this.#strategyError(err, ts, data);
    }
    if (isThenable(r)) {
      this.#pendingTs = ts;
      this.#pendingData = data;
      this.#pendingSample = sample;
      this.#pendingT0 = t0;
      return r as PromiseLike<unknown>;
    }
    if (sample) this.#latency.record((performance.now() - t0) * 1000);
    return undefined;
  }


  #countBars(data: MarketDataMap): void {
    for (const _ in data) this.#counts.bars++;
  }

  async #drain(): Promise<void> {
    for (;;) {
      const item = this.#queue.next();
      if (!item) return;
      const p = 'task' in item ? this.#runTask(item.task) : this.#dispatchQueued(item.market);
      if (p) await p;
    }
  }

  #runTask(task: Task): void | Promise<void> {
    return this.#invoke(task, this.clock.now(), 'task');
  }

  #invoke(fn: () => unknown, ts: number, data: unknown): void | Promise<void> {
    try {
      const r = fn();
      if (isThenable(r)) return Promise.resolve(r).then(() => undefined, (e: unknown) => this.#strategyError(e, ts, data));
    } catch (err) {
      this.#strategyError(err, ts, data);
    }
    return undefined;
  }

  #strategyError(err: unknown, ts: number, data: unknown): void {
    this.#counts.errors++;
    this.#errorLog.warn(this.logger, errorKey(err), 'strategy error', { error: err, timestamp: ts }); // the same error on every bar: a few lines, then the 10th, 100th … (stats count them all)
    try {
      this.#opts.onError?.(err, ts, data);
    } catch (e) {
      this.logger.error('onError handler threw', { error: e });
    }
    // an order refused while catching up after a restart is expected, not a failing strategy
    if (this.#opts.haltOnError && !(isTradingError(err) && err.code === 'ENGINE_CATCHING_UP')) {
      this.halt(err instanceof Error ? err.message : String(err), 'STRATEGY_ERROR');
      this.#stopRequested = true;
      this.#wake?.();
    }
  }

  // ── broker events ───────────────────────────────────────────────────────
  #onOrderUpdate(order: Order): void {
    if (!this.account.onOrderUpdate(order)) return;
    for (const ext of this.#extensions) ext.onOrderUpdate?.(order);
    const cb = this.strategy.onOrderUpdate;
    if (cb) this.#queueOrderEvent(cb, order);
  }

  #onFill(fill: Fill): void {
    if (!this.account.onFill(fill)) { this.#counts.duplicateFills++; return; }
    this.#counts.fills++;
    for (const ext of this.#extensions) ext.onFill?.(fill);
    const cb = this.strategy.onFill;
    if (cb) this.#queueOrderEvent(cb, fill);
  }

  /**
   * Queues a strategy callback for an order update or a fill. Its own method: a closure written in
   * `#onOrderUpdate` / `#onFill` would make every call of theirs allocate a context for the
   * parameters it captures, callback or not.
   */
  #queueOrderEvent<T>(cb: (this: Strategy, v: T, broker: EngineStrategyBroker) => void | Promise<void>, v: T): void {
    this.#queue.pushTask('order', () => cb.call(this.strategy, v, this.#sb));
    this.#wake?.();
  }

  // ── order gateway ───────────────────────────────────────────────────────
  /**
   * An order call failed. When the broker chain now reports itself halted (`haltReason()`: the
   * risk layer's kill switch), the engine halts too, so a strategy that keeps retrying is refused
   * here, cheaply; other failures are logged. Same mechanism as the check at connect.
   */
  #onOrderError(err: unknown): void {
    if (isTradingError(err) && err.code === 'ENGINE_HALTED') return; // reported when the engine halted
    if (this.#haltFromBroker()) return;
    // keyed by the error's code or class, not its message (that names the order): a strategy whose
    // every order is refused logs a few lines, then the 10th, 100th … refusal
    this.#orderErrorLog.warn(this.logger, isTradingError(err) ? err.code : err instanceof Error ? err.name : 'order error', 'order call failed', { error: err });
  }

  /** Halts when the broker chain says trading is halted; true when it does. */
  #haltFromBroker(): boolean {
    const reason = this.broker.haltReason?.();
    if (reason === undefined) return false;
    this.halt(reason, BROKER_HALT);
    return true;
  }

  /**
   * The broker chain's halt changed (`onHaltChange`): halt with it; when it lifts, drop that cause
   * and resume only if no other cause (reconciliation, recovery, an overfill, a strategy error…) remains.
   */
  #brokerHaltChanged(reason: string | undefined): void {
    if (reason !== undefined) { this.halt(reason, BROKER_HALT); return; }
    if (this.#haltCauses.has(BROKER_HALT)) this.lift([BROKER_HALT], 'the broker chain (risk layer) allows trading again');
  }

  /** Reports an order-call failure even if the strategy never awaits the promise. */
  #guard<T>(p: Promise<T>): Promise<T> {
    p.catch((err: unknown) => {
      this.#counts.rejectedOrders++;
      this.#onOrderError(err);
    });
    return p;
  }

  /** Validates, gates and sends an order. Not `async`: the hot path avoids an extra promise. */
  #submit(request: OrderRequest): Promise<Order> {
    try {
      return this.#send(request).then(this.#onAck);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The strategy's submit. One reaction on the broker's promise does what `#submit` + `#guard`
   * do with two (`.then(#onAck)`, `.catch`): it records the ack in the account view before any
   * continuation the strategy attaches (reactions run in registration order, so sync reads after
   * an awaited order are current) and marks the promise handled (a strategy that ignores it
   * can't cause an unhandled rejection). The strategy gets the broker's own promise: two
   * promises and one microtask hop fewer per order.
   */
  #submitGuarded(request: OrderRequest): Promise<Order> {
    let p: Promise<Order>;
    try {
      p = this.#send(request);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(this.#onAckGuarded, this.#onSubmitRejected);
    return p;
  }

  /** Checks, normalizes and hands an order to the broker; throws synchronously when refused. */
  #send(request: OrderRequest): Promise<Order> {
    if (this.#lifecycle === 'created' || this.#lifecycle === 'stopped') throw new EngineError(`cannot submit orders while the engine is ${this.#lifecycle}`, 'ENGINE_NOT_RUNNING');
    const generated = request.clientOrderId === undefined;
    const now = this.clock.now();
    if (this.#lastBarTime <= this.#quietUntil) { // the market event being handled (NaN before the first: not quiet)
      throw new EngineError(`not sent: the engine is catching up after a restart (market events up to ${new Date(this.#quietUntil).toISOString()} were traded before it; orders resume after that)`, 'ENGINE_CATCHING_UP');
    }
    const intent = normalizeOrder(request, request.clientOrderId ?? this.#ids.next(), now);
    if (this.#tradingState === 'HALTED' && !this.#reduces(intent.asset, intent.side === 'BUY' ? intent.quantity : -intent.quantity)) {
      throw new EngineError(`engine is HALTED (${this.#haltReason() ?? 'no reason'}); only cancels and risk-reducing orders are accepted`, 'ENGINE_HALTED');
    }
    this.#counts.orders++;
    // updates a broker reports while submitting (the paper broker does) are for a brand-new id
    if (generated) this.account.expectNewOrder(intent.clientOrderId);
    let p: Promise<Order>;
    try {
      p = this.broker.submitOrder(intent);
    } finally {
      if (generated) this.account.expectNewOrder(undefined);
    }
    return p instanceof Promise ? p : Promise.resolve(p);
  }

  readonly #onAck = (order: Order): Order => {
    this.account.onOrderUpdate(order);
    return order;
  };

  /** `#onAck` for `#submitGuarded`, whose reaction promise must never reject. */
  readonly #onAckGuarded = (order: Order): void => {
    try {
      this.account.onOrderUpdate(order);
    } catch (err) {
      this.#counts.rejectedOrders++;
      this.#onOrderError(err);
    }
  };

  readonly #onSubmitRejected = (err: unknown): void => {
    this.#counts.rejectedOrders++;
    this.#onOrderError(err);
  };

  #reduces(asset: string, signedQty: number): boolean {
    const q = this.account.position(asset);
    return q !== 0 && Math.sign(q) !== Math.sign(signedQty) && Math.abs(signedQty) <= Math.abs(q) + 1e-9;
  }

  async #close(asset: string): Promise<Order | undefined> {
    const q = this.account.position(asset);
    if (q === 0) return undefined;
    return this.#submit({ asset, quantity: -q, reduceOnly: true, tag: 'close' });
  }

  // ── shutdown ────────────────────────────────────────────────────────────
  async #shutdown(): Promise<void> {
    if (this.#lifecycle === 'stopped') return;
    this.#removeSignals();
    if (this.#lifecycle === 'running' || this.#lifecycle === 'stopping') {
      await this.#drain();
      const p = this.#invoke(() => this.strategy.onStop?.(this.#sb), this.clock.now(), 'onStop');
      if (p) await p;
      await this.#drain();
    }
    for (const ext of [...this.#extensions].reverse()) {
      try {
        await ext.onStop?.(this);
      } catch (err) {
        this.#counts.errors++;
        this.logger.error('extension failed on stop', { extension: ext.name, error: err });
      }
    }
    // disconnect before unsubscribing: an adapter flushes what it still holds (a fill waiting for
    // its commission report) on disconnect, and the account view and stats must see it
    if (this.#lifecycle !== 'created') await this.broker.disconnect().catch((e: unknown) => this.logger.warn('broker disconnect failed', { error: e }));
    for (const u of this.#unsubs.splice(0)) u();
    this.#errorLog.summarize(this.logger, 'strategy error repeated more often than logged', 'error');
    this.#orderErrorLog.summarize(this.logger, 'order call failures repeated more often than logged', 'code');
    this.#lifecycle = 'stopped';
  }

  #installSignals(): void {
    if (this.#opts.handleSignals === false) return;
    this.#signalHandler = () => { this.logger.info('signal received: stopping'); void this.stop(); };
    process.once('SIGINT', this.#signalHandler);
    process.once('SIGTERM', this.#signalHandler);
  }

  #removeSignals(): void {
    if (!this.#signalHandler) return;
    process.removeListener('SIGINT', this.#signalHandler);
    process.removeListener('SIGTERM', this.#signalHandler);
    this.#signalHandler = undefined;
  }
}

/** The code of a halt the broker chain reported (`haltReason`, `onHaltChange`). */
const BROKER_HALT = 'RISK_HALTED';

function isEmpty(data: MarketDataMap): boolean {
  for (const _ in data) return false;
  return true;
}

/** What makes two strategy errors "the same" for the log: class and message. */
function errorKey(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}

/** The feed event type, re-exported for engine users. @public */
export type { FeedEvent };
