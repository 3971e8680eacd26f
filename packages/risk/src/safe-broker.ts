// `performance` imported, not the global: in Node the global is a lazy accessor, so every read of it is a call (≈ 35 ns per order here)
import { performance } from 'node:perf_hooks';
import {
  Listeners, type BrokerCapabilities, type BrokerProtocol, type Clock, type ConnectionState, type FeedContext, type Fill,
  type KeyValueStore, type Logger, type MarketDataMap, type Order, type OrderIntent, type Position, type RiskPolicy,
  type RiskRejection, type Unsubscribe,
} from '@tradewire/core';
import { markAccountKind } from './account-mark.js';
import { LiveAccountView, type RiskAccount } from './account-view.js';
import { BREAKER_CODES } from './circuit-breakers.js';
import type { LiveRiskConfig } from './config.js';
import { riskError, sanityCheck } from './errors.js';
import { MarketDataGate } from './market-data-gate.js';
import { OrderGate } from './order-gate.js';
import { reducesPosition } from './position-book.js';
import { PriceGuard } from './price-guard.js';
import type { RiskAuditEntry, RiskStateData, TradingState } from './risk-state.js';
import { SessionCalendar } from './session.js';
import { ShadowRouter } from './shadow-router.js';
import { RiskStateKeeper } from './state-keeper.js';
import { TradingStateMachine } from './trading-state.js';
import { VIRTUAL_HISTORY_LIMIT, VirtualPortfolio, type VirtualExecution } from './virtual-portfolio.js';

/** What SafeBroker needs besides the broker it wraps. @public */
export interface SafeBrokerOptions {
  config: LiveRiskConfig;
  clock: Clock;
  logger: Logger;
  /** durable store for the kill switch and counters; absent: memory + a logged warning */
  kv?: KeyValueStore;
  /** user policies (registered `risk` plugins, already created) that `config.policies` names */
  customPolicies?: Readonly<Record<string, RiskPolicy>>;
  /** re-read the stored state for operator commands from another process at most this often (wall ms); default 250 */
  externalSyncMs?: number;
  /** refresh the account view from the inner broker at most this often (wall ms); default 5 000 */
  accountRefreshMs?: number;
  /**
   * the order counter is written behind at most this often (wall ms; default 250). Trading-state,
   * kill-switch, trip and session changes are always written at once; after a failed write every
   * order retries the write and risk-increasing orders are refused until it succeeds.
   */
  persistIntervalMs?: number;
}

/** A read-only picture of the risk layer, for `tradewire risk show`, dashboards and tests. @public */
export interface RiskSnapshot {
  tradingState: TradingState;
  killSwitch: RiskStateData['killSwitch'];
  trip: RiskStateData['trip'];
  sessionDate: string | null;
  dailyLoss: number;
  ordersPlaced: number;
  highWaterMark: number | null;
  drawdownPct: number;
  equity: number | undefined;
  shadowMode: boolean;
  durable: boolean;
  quarantinedPrices: number;
}

const EPS = 1e-12;
const ACCOUNT_UNKNOWN: RiskRejection = {
  policy: 'account', code: 'RISK_ACCOUNT_UNKNOWN',
  message: "the broker's positions and cash could not be read; orders are refused until they can be (reduce-only and closing orders, and cancels, pass)",
  limit: 'known', value: 'unknown',
};

/**
 * The risk layer in front of any broker (same `BrokerProtocol`). Every order passes, in order:
 * the sanity check (B03), the trading state (kill switch / HALTED / REDUCING), then each policy in
 * the declared order. A refusal rejects with a `RiskLimitError` with a stable code before the
 * inner broker is called. Cancels and orders that close a position always pass. Kill switch and
 * counters are persisted in the key/value store. In shadow mode nothing reaches the inner
 * broker: a `VirtualPortfolio` fills the orders and is what the strategy sees.
 *
 * This class wires the parts: `RiskStateKeeper` (persistence), `TradingStateMachine` (states and
 * breakers), `OrderGate` (policies), `MarketDataGate` (price guard), `LiveAccountView` or
 * `ShadowRouter` + `VirtualPortfolio` (the account the checks read).
 * @public
 */
export class SafeBroker implements BrokerProtocol {
  readonly name: string;
  readonly capabilities: BrokerCapabilities;
  readonly config: LiveRiskConfig;
  readonly virtual: VirtualPortfolio | undefined;
  /** live: the inner broker's (its fills are forwarded as they come); shadow mode: false */
  readonly deduplicatesFills: boolean;
  readonly #inner: BrokerProtocol;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #keeper: RiskStateKeeper;
  readonly #machine: TradingStateMachine;
  readonly #guard: PriceGuard;
  readonly #gate: OrderGate;
  readonly #data: MarketDataGate;
  readonly #account: RiskAccount;
  readonly #live: LiveAccountView | undefined;
  readonly #shadow: ShadowRouter | undefined;
  readonly #orders: Listeners<Order>;
  readonly #fills: Listeners<Fill>;
  readonly #halts: Listeners<string | undefined>;
  /** the halt reason last published to `onHaltChange` listeners */
  #published: string | undefined;
  readonly #syncMs: number;
  #syncTimer: NodeJS.Timeout | undefined;
  #connected = false;

  constructor(inner: BrokerProtocol, options: SafeBrokerOptions) {
    const cfg = options.config;
    this.#inner = inner;
    this.config = cfg;
    this.#clock = options.clock;
    this.#log = options.logger.child({ component: 'risk' });
    this.name = `safe(${inner.name})`;
    this.capabilities = inner.capabilities;
    this.#syncMs = options.externalSyncMs ?? 250;
    this.#keeper = new RiskStateKeeper(options.kv, cfg.stateKey, this.#clock, this.#log, {
      persistIntervalMs: options.persistIntervalMs ?? 250, externalSyncMs: this.#syncMs,
    });
    this.#keeper.onAdopted = (r) => this.#adopt(r);
    const s = this.#keeper.state;
    markAccountKind(s, cfg.shadowMode ? 'virtual' : 'venue', cfg.stateKey); // throws RISK_MODE_MISMATCH for a state of the other kind
    if (s.tradingState !== 'ACTIVE' || s.killSwitch.engaged) {
      this.#log.warn('risk: starting with trading restricted', { tradingState: s.tradingState, killSwitch: s.killSwitch, trip: s.trip });
    }
    this.#machine = new TradingStateMachine(cfg, this.#keeper, this.#log, () => this.#publishHalt());
    this.#guard = new PriceGuard(cfg.priceBand.pct, cfg.priceBand.acceptAfter, this.#log);
    this.#orders = new Listeners<Order>(this.#log, 'risk: listener threw');
    this.#fills = new Listeners<Fill>(this.#log, 'risk: listener threw');
    this.#halts = new Listeners<string | undefined>(this.#log, 'risk: halt listener threw');
    if (cfg.shadowMode) {
      // DAY orders live in the risk layer's trading session (the one its daily counters reset with)
      const v = new VirtualPortfolio(cfg.shadow.initialCash, cfg.shadow, VIRTUAL_HISTORY_LIMIT, new SessionCalendar(cfg.session.timeZone, cfg.session.boundary));
      if (s.shadow) v.restore(s.shadow); // a restart goes on with the account the last run left
      this.#keeper.beforeWrite = (st) => { st.account = 'virtual'; st.shadow = v.toState(); };
      this.virtual = v;
      this.deduplicatesFills = false;
      this.#account = v;
      this.#shadow = new ShadowRouter(v, this.#guard, {
        emitOrder: (o) => this.#orders.emit(o),
        emitExecution: (ex) => this.#emitExecution(ex),
        markEquity: (ts) => this.#markEquity(ts),
        persist: (ts) => this.#keeper.trySave(ts),
      });
    } else {
      // every write keeps the mark, also one over a state that became unreadable (a fresh one replaces it)
      this.#keeper.beforeWrite = (st) => { st.account = 'venue'; };
      const live = new LiveAccountView(inner, this.#guard, this.#log, options.accountRefreshMs ?? 5_000, (src, err) => this.#machine.recordError(this.#clock.now(), src, err));
      this.#live = live;
      this.deduplicatesFills = inner.deduplicatesFills === true;
      this.#account = live;
      inner.onOrderUpdate((o) => this.#onInnerOrder(o));
      inner.onFill((f) => this.#onInnerFill(f));
      // after a reconnect the venue may replay executions: rebuild the risk view from its truth
      inner.onConnectionState?.((st) => { if (st === 'connected') live.invalidate(); });
    }
    this.#gate = new OrderGate(cfg, options.customPolicies ?? {}, this.#account, this.#guard, this.#machine);
    this.#gate.bind(s.policyState);
    this.#data = new MarketDataGate(this.#guard, inner, this.#live, this.#shadow);
    this.#published = this.haltReason();
  }

  /** The broker this one wraps. */
  get inner(): BrokerProtocol { return this.#inner; }
  get tradingState(): TradingState { return this.#keeper.state.tradingState; }
  get killSwitchEngaged(): boolean { return this.#keeper.state.killSwitch.engaged; }
  /** Why trading is halted (kill switch, breaker trip, unreadable state), or undefined: the engine halts with it at start. */
  haltReason(): string | undefined {
    const s = this.#keeper.state;
    if (s.tradingState !== 'HALTED') return undefined;
    return s.killSwitch.reason ?? s.trip?.reason ?? 'risk state is HALTED';
  }
  /** Shadow mode: when the last virtual order was created (restored after a restart), for the engine's catch-up; else the inner broker's answer. */
  lastOrderCreatedAt(): number | undefined { return this.virtual ? this.virtual.lastOrderCreatedAt : this.#inner.lastOrderCreatedAt?.(); }
  /** The policies in the order they run (built-in policies whose limit is disabled are left out). */
  get policyNames(): string[] { return this.#gate.policies.map((p) => p.name); }

  snapshot(): RiskSnapshot {
    const s = this.#keeper.state;
    return {
      tradingState: s.tradingState, killSwitch: { ...s.killSwitch }, trip: s.trip ? { ...s.trip } : null, sessionDate: s.sessionDate,
      dailyLoss: s.dailyLoss, ordersPlaced: s.ordersPlaced, highWaterMark: s.highWaterMark, drawdownPct: this.#machine.drawdownPct,
      equity: this.#machine.equity, shadowMode: this.virtual !== undefined, durable: this.#keeper.durable, quarantinedPrices: this.#guard.quarantinedCount,
    };
  }

  /** Recent audit entries (operator commands and breaker trips). */
  auditTrail(limit = 20): RiskAuditEntry[] { return this.#keeper.store.auditTrail(limit); }

  // ── lifecycle ──────────────────────────────────────────────────────────────
  async connect(): Promise<void> {
    if (this.#live) await this.#inner.connect(); // shadow: nothing is sent to the venue
    this.#connected = true;
    this.#startSync();
    await this.#live?.refresh();
  }
  async disconnect(): Promise<void> {
    this.#connected = false;
    if (this.#syncTimer !== undefined) { clearInterval(this.#syncTimer); this.#syncTimer = undefined; }
    this.flush();
    if (this.#live) await this.#inner.disconnect();
  }
  isConnected(): boolean { return this.virtual ? this.#connected : this.#inner.isConnected(); }

  // ── reads ──────────────────────────────────────────────────────────────────
  async getPositions(): Promise<Position[]> { return this.virtual ? this.virtual.positions() : this.#inner.getPositions(); }
  async getPosition(asset: string): Promise<Position | undefined> { return this.virtual ? this.virtual.position(asset) : this.#inner.getPosition(asset); }
  async getPendingOrders(): Promise<Order[]> { return this.virtual ? this.virtual.pendingOrders() : this.#inner.getPendingOrders(); }
  async getCash(): Promise<number> { return this.virtual ? this.virtual.cash : this.#inner.getCash(); }
  async getAccountValue(): Promise<number> { return this.virtual ? this.virtual.accountValue : this.#inner.getAccountValue(); }
  async getOrder(clientOrderId: string): Promise<Order | undefined> { return this.virtual ? this.virtual.order(clientOrderId) : this.#inner.getOrder(clientOrderId); }
  async getOrders(since?: number): Promise<Order[]> { return this.virtual ? this.virtual.orders(since) : this.#inner.getOrders(since); }
  async getFills(since?: number): Promise<Fill[]> { return this.virtual ? this.virtual.fills(since) : this.#inner.getFills(since); }

  onOrderUpdate(listener: (order: Order) => void): Unsubscribe { return this.#orders.add(listener); }
  onFill(listener: (fill: Fill) => void): Unsubscribe { return this.#fills.add(listener); }
  /**
   * The halt reason whenever it changes: a breaker trip, the kill switch, an operator's `risk halt`
   * or `risk resume` from another process (read every `externalSyncMs` while connected, orders or
   * not), a cool-down. `undefined`: trading may resume. The engine halts and resumes with it.
   */
  onHaltChange(listener: (reason: string | undefined) => void): Unsubscribe { return this.#halts.add(listener); }
  onConnectionState(listener: (state: ConnectionState) => void): Unsubscribe {
    if (this.virtual || !this.#inner.onConnectionState) return () => {};
    return this.#inner.onConnectionState(listener);
  }

  // ── orders ─────────────────────────────────────────────────────────────────
  /**
   * Checks and sends an order. Not `async`: on the hot path (account view fresh) the inner
   * broker's own promise is returned, with one reaction that counts a venue rejection or a
   * broker error. A refusal is a rejected promise, as from an async function.
   */
  submitOrder(intent: OrderIntent): Promise<Order> {
    try {
      const now = this.#clock.now();
      const wall = performance.now();
      if (this.#keeper.durable) this.#adopt(this.#keeper.sync(wall));
      this.#machine.recordAttempt(now);
      const bad = sanityCheck(intent);
      if (bad) throw this.#refuse(bad, intent);
      this.#machine.rollSession(now);
      const live = this.#live;
      if (live && (live.due(wall) || live.refreshing)) return this.#submitAfterRefresh(live, intent, now, wall);
      return this.#send(intent, now, wall);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async #submitAfterRefresh(live: LiveAccountView, intent: OrderIntent, now: number, wall: number): Promise<Order> {
    if (live.due(wall)) await live.refresh();
    else await live.refreshing;
    return this.#send(intent, now, wall);
  }

  /** The trading state and the policies, then the count, then the venue (or the virtual portfolio). Throws a refusal. */
  #send(intent: OrderIntent, now: number, wall: number): Promise<Order> {
    // without the account, limits would read an empty book; a reduce-only order cannot add risk (the venue enforces it)
    if (this.#live !== undefined && !this.#live.known && intent.reduceOnly !== true) throw this.#refuse(ACCOUNT_UNKNOWN, intent);
    const pos = this.#account.book.get(intent.asset);
    const q = pos === undefined ? 0 : pos.quantity;
    const reduces = reducesPosition(q, intent.side, intent.quantity, EPS);
    const closes = reduces && Math.abs(intent.quantity - Math.abs(q)) <= EPS;
    const stateRefusal = this.#machine.gate(reduces, closes);
    if (stateRefusal) throw this.#refuse(stateRefusal, intent);
    const r = this.#gate.check(intent, pos, reduces, now, this.#keeper.state.dailyLoss);
    if (r) throw this.#refuse(r, intent);
    this.#keeper.countOrder(now, wall, reduces, intent);
    const k = this.#keeper.state;
    if (k.tradingState !== 'ACTIVE' || k.killSwitch.engaged) {
      // writing the count may have merged an operator's halt made since the last re-read: it applies to this order too
      const late = this.#machine.gate(reduces, closes);
      if (late) { k.ordersPlaced--; this.#keeper.markDirty(); throw this.#refuse(late, intent); }
    }
    if (this.#gate.accepted(intent)) this.#keeper.markDirty(); // policy state (`ctx.state`) may have changed after the count was written
    if (this.#shadow) return Promise.resolve(this.#shadow.submit(intent, now));
    let p: Promise<Order>;
    try {
      p = this.#inner.submitOrder(intent);
    } catch (err) {
      this.#machine.recordError(now, 'broker', err);
      throw err;
    }
    if (!(p instanceof Promise)) p = Promise.resolve(p);
    p.then(this.#afterSubmit, this.#afterSubmitError);
    return p;
  }

  readonly #afterSubmit = (order: Order): void => { if (order.status === 'REJECTED') this.#machine.recordRejection(order, this.#clock.now()); };
  readonly #afterSubmitError = (err: unknown): void => { this.#machine.recordError(this.#clock.now(), 'broker', err); };

  /** Cancels always pass. */
  async cancelOrder(clientOrderId: string): Promise<boolean> {
    if (!this.#shadow) return this.#inner.cancelOrder(clientOrderId);
    return this.#shadow.cancel(clientOrderId, this.#clock.now());
  }

  /** Closing orders always pass (no policy, no trading-state check). */
  async closePosition(asset: string, clientOrderId?: string): Promise<Order | undefined> {
    if (!this.#shadow) return this.#inner.closePosition(asset, clientOrderId);
    return this.#shadow.close(asset, clientOrderId, this.#clock.now());
  }

  /**
   * Emergency flatten: cancels every pending order, then closes every position. Ignores the
   * trading state and the policies. Returns the closing orders sent.
   */
  async closeAllPositions(reason = 'closeAllPositions'): Promise<Order[]> {
    this.#log.warn('risk: closing all positions', { reason });
    for (const o of await this.getPendingOrders()) {
      try { await this.cancelOrder(o.clientOrderId); } catch (err) { this.#log.error('risk: cancel failed during closeAllPositions', { clientOrderId: o.clientOrderId, error: err }); }
    }
    const out: Order[] = [];
    for (const p of await this.getPositions()) {
      if (p.quantity === 0) continue;
      try {
        const o = await this.closePosition(p.asset);
        if (o) out.push(o);
      } catch (err) { this.#log.error('risk: close failed during closeAllPositions', { asset: p.asset, error: err }); }
    }
    return out;
  }

  // ── operator / engine controls ─────────────────────────────────────────────
  /** Engages the kill switch (persisted, audited). */
  halt(reason: string, by = 'operator'): void {
    const entry = this.#machine.halt(reason, by, this.#clock.now());
    this.#log.error('risk: kill switch engaged', { ...entry });
  }

  /** Clears the kill switch or a breaker trip (persisted, audited). Only an explicit call does this. */
  resume(reason: string, by = 'operator'): void {
    const entry = this.#machine.resume(reason, by, this.#clock.now());
    this.#log.warn('risk: trading resumed', { ...entry });
  }

  /** Reports an error from outside (strategy handler, engine) to the error-rate breaker. */
  recordError(source: string, error?: unknown): void { this.#machine.recordError(this.#clock.now(), source, error); }

  /** Re-reads the stored state now (operator command from another process). */
  syncState(): void { this.#adopt(this.#keeper.sync(performance.now(), true)); }

  /** Writes pending counters now (the engine calls this on stop; tests use it). */
  flush(): void { this.#keeper.flush(); }

  // ── market data ────────────────────────────────────────────────────────────
  /**
   * In shadow mode first ends the resting virtual orders whose time is over at `timestamp` (GTD,
   * DAY: `VirtualExpiry`). Screens the event's prices (quarantined symbols never reach the inner
   * broker), marks equity, and returns the event without its quarantined symbols when there are any (RELIABILITY F27:
   * the engine then hands that to its account view and the strategy, which never see the bad
   * price); undefined when every price passed.
   */
  onMarketData(timestamp: number, data: MarketDataMap, context: FeedContext): MarketDataMap | undefined {
    this.#shadow?.expire(timestamp); // engine time first: an expired order never fills at this event's prices
    const anyRejected = this.#data.observe(timestamp, data);
    this.#machine.rollSession(timestamp);
    this.#markEquity(timestamp);
    return this.#data.forward(timestamp, data, context, anyRejected);
  }

  // ── internals ──────────────────────────────────────────────────────────────
  #markEquity(ts: number): void {
    if (this.#live && !this.#live.known) return;
    const equity = this.#account.accountValue;
    if (Number.isFinite(equity)) this.#machine.markEquity(ts, equity);
  }

  #adopt(result: ReturnType<RiskStateKeeper['sync']>): void {
    if (result === 'unchanged') return;
    this.#gate.bind(this.#keeper.state.policyState);
    this.#machine.adopted(result); // publishes a changed halt reason
  }

  /** Tells `onHaltChange` listeners when the halt reason changed. */
  #publishHalt(): void {
    const reason = this.haltReason();
    if (reason === this.#published) return;
    this.#published = reason;
    this.#halts.emit(reason);
  }

  /** While connected, re-reads the store for operator commands every `externalSyncMs`, with or without orders. */
  #startSync(): void {
    if (!this.#keeper.durable || this.#syncTimer !== undefined || !(this.#syncMs > 0)) return;
    this.#syncTimer = setInterval(() => {
      try { this.syncState(); } catch (err) { this.#log.error('risk: reading the stored risk state failed', { error: err }); }
    }, this.#syncMs);
    this.#syncTimer.unref();
  }

  #refuse(r: RiskRejection, intent: OrderIntent): Error {
    const err = riskError(r, intent);
    this.#log.warn('risk: order refused', { code: r.code, policy: r.policy, limit: r.limit, value: r.value, clientOrderId: intent.clientOrderId, asset: intent.asset });
    return err;
  }

  #emitExecution(ex: VirtualExecution): void {
    this.#fillHooks(ex.fill, ex.heldBefore, ex.position);
    this.#fills.emit(ex.fill);
    this.#orders.emit(ex.order);
  }

  /** the policies' `onFill`: `held` the position's quantity before the fill, `pos` the position after it */
  #fillHooks(f: Fill, held: number, pos: Position | undefined): void {
    const reduces = reducesPosition(held, f.side, f.quantity, EPS);
    if (this.#gate.fill(f, pos, reduces, this.#clock.now(), this.#keeper.state.dailyLoss, this.#log)) this.#keeper.markDirty();
  }

  /** a venue rejection counts once, whether it arrives as the submit result, an update, or both */
  #onInnerOrder(o: Order): void {
    if (o.status === 'REJECTED') this.#machine.recordRejection(o, this.#clock.now());
    this.#orders.emit(o);
  }

  #onInnerFill(f: Fill): void {
    // The engine dedupes fills for its own books; this risk view is cheap and incremental and is
    // re-synced from the broker every accountRefreshMs and after every reconnect.
    const live = this.#live as LiveAccountView;
    const held = live.book.get(f.asset)?.quantity ?? 0;
    live.applyFill(f);
    this.#fillHooks(f, held, live.book.get(f.asset));
    this.#fills.emit(f);
  }

}

export { BREAKER_CODES };
