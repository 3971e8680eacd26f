import {
  ConfigError, RiskLimitError, applyFillToPosition, markPosition, priceOf,
  type BrokerCapabilities, type BrokerProtocol, type Clock, type ConnectionState, type FeedContext, type Fill,
  type KeyValueStore, type Logger, type MarketDataMap, type Order, type OrderIntent, type Position, type RiskPolicy,
  type RiskRejection, type Unsubscribe,
} from '@tradewire/core';
import type { LiveRiskConfig } from './config.js';
import { CircuitBreakers, BREAKER_CODES, type BreakerTrip } from './circuit-breakers.js';
import { riskError, sanityCheck } from './errors.js';
import { clearKillSwitch, engageKillSwitch } from './kill-switch.js';
import type { StatefulRiskPolicy } from './policy.js';
import { BUILTIN_POLICIES } from './policies/index.js';
import { PriceGuard } from './price-guard.js';
import type { SafeRiskContext } from './risk-context.js';
import { RiskStateStore, type RiskAuditEntry, type RiskStateData, type TradingState } from './risk-state.js';
import { SessionCalendar } from './session.js';
import { VirtualPortfolio, type VirtualExecution } from './virtual-portfolio.js';

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

/**
 * The risk layer in front of any broker (same `BrokerProtocol`). Every order passes, in order:
 * the sanity check (B03), the trading state (kill switch / HALTED / REDUCING), then each policy in
 * the declared order. A refusal throws a `RiskLimitError` with a stable code before the inner
 * broker is called. Cancels and orders that close a position always pass. Kill switch and
 * counters are persisted in the key/value store on every change. In shadow mode nothing reaches
 * the inner broker: a `VirtualPortfolio` fills the orders and is what the strategy sees.
 * @public
 */
export class SafeBroker implements BrokerProtocol {
  readonly name: string;
  readonly capabilities: BrokerCapabilities;
  readonly config: LiveRiskConfig;
  readonly virtual: VirtualPortfolio | undefined;
  readonly #inner: BrokerProtocol;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #store: RiskStateStore;
  #state: RiskStateData;
  readonly #calendar: SessionCalendar;
  readonly #breakers: CircuitBreakers;
  readonly #guard: PriceGuard;
  readonly #policies: StatefulRiskPolicy[];
  readonly #fillHooks: StatefulRiskPolicy[];
  /** each policy's own persisted state object, by policy index (rebound when the state is reloaded) */
  #policyStates: Record<string, unknown>[] = [];
  readonly #ctx: SafeRiskContext;
  readonly #orderListeners = new Set<(o: Order) => void>();
  readonly #fillListeners = new Set<(f: Fill) => void>();
  readonly #unsubs: Unsubscribe[] = [];
  // account view (non-shadow): kept from the inner broker's fills, refreshed from its getters
  readonly #positions = new Map<string, Position>();
  #cash = 0;
  #accountKnown = false;
  #lastRefresh = -Infinity;
  #refreshing: Promise<void> | undefined;
  #fillsDuringRefresh = 0;
  readonly #rejected = new Set<string>();
  #equity: number | undefined;
  #drawdownPct = 0;
  #connected = false;
  #lastPersist = -Infinity;
  #counterDirty = false;
  #marks = 0;
  #equityDirty = false;
  #lastSync = 0;
  readonly #externalSyncMs: number;
  readonly #accountRefreshMs: number;
  readonly #persistIntervalMs: number;
  #writeFailing = false;

  constructor(inner: BrokerProtocol, options: SafeBrokerOptions) {
    this.#inner = inner;
    this.config = options.config;
    this.#clock = options.clock;
    this.#log = options.logger.child({ component: 'risk' });
    this.name = `safe(${inner.name})`;
    this.capabilities = inner.capabilities;
    this.#externalSyncMs = options.externalSyncMs ?? 250;
    this.#accountRefreshMs = options.accountRefreshMs ?? 5_000;
    this.#persistIntervalMs = options.persistIntervalMs ?? 250;
    const cfg = this.config;
    this.#store = new RiskStateStore(options.kv, cfg.stateKey, this.#log);
    const now = this.#clock.now();
    const loaded = this.#store.load(now);
    this.#state = loaded.state;
    if (this.#state.tradingState !== 'ACTIVE' || this.#state.killSwitch.engaged) {
      this.#log.warn('risk: starting with trading restricted', { tradingState: this.#state.tradingState, killSwitch: this.#state.killSwitch, trip: this.#state.trip });
    }
    this.#calendar = new SessionCalendar(cfg.session.timeZone, cfg.session.boundary);
    this.#breakers = new CircuitBreakers(cfg);
    if (this.#state.highWaterMark !== null && this.#state.highWaterMarkAt !== null) {
      this.#breakers.peak.push(this.#state.highWaterMarkAt, this.#state.highWaterMark);
    }
    this.#guard = new PriceGuard(cfg.priceBand.pct, cfg.priceBand.acceptAfter, this.#log);
    this.#policies = resolvePolicies(cfg, options.customPolicies ?? {});
    this.#fillHooks = this.#policies.filter((p) => typeof p.onFill === 'function');
    this.#bindPolicyStates();
    this.virtual = cfg.shadowMode ? new VirtualPortfolio(cfg.shadow.initialCash, cfg.shadow) : undefined;
    if (this.virtual) { this.#cash = cfg.shadow.initialCash; this.#accountKnown = true; }
    const positionsOf = (): Position[] => this.#positionsArray();
    this.#ctx = {
      now: 0, get positions() { return positionsOf(); }, cash: 0, accountValue: 0, reducesPosition: false, state: {},
      grossExposure: 0, openPositions: 0, dailyLoss: 0, drawdownPct: 0, quarantined: false, increasesRisk: true, referencePrice: undefined,
    };
    if (!this.virtual) {
      this.#unsubs.push(inner.onOrderUpdate((o) => this.#onInnerOrder(o)));
      this.#unsubs.push(inner.onFill((f) => this.#onInnerFill(f)));
      // after a reconnect the venue may replay executions: rebuild the risk view from its truth
      if (inner.onConnectionState) this.#unsubs.push(inner.onConnectionState((st) => { if (st === 'connected') this.#lastRefresh = -Infinity; }));
    }
  }

  /** The broker this one wraps. */
  get inner(): BrokerProtocol { return this.#inner; }
  get tradingState(): TradingState { return this.#state.tradingState; }
  get killSwitchEngaged(): boolean { return this.#state.killSwitch.engaged; }
  /** Why trading is halted (kill switch, breaker trip, unreadable state), or undefined: the engine halts with it at start. */
  haltReason(): string | undefined {
    const s = this.#state;
    if (s.tradingState !== 'HALTED') return undefined;
    return s.killSwitch.reason ?? s.trip?.reason ?? 'risk state is HALTED';
  }
  /** The policies in the order they run (built-in policies whose limit is disabled are left out). */
  get policyNames(): string[] { return this.#policies.map((p) => p.name); }

  snapshot(): RiskSnapshot {
    const s = this.#state;
    return {
      tradingState: s.tradingState, killSwitch: { ...s.killSwitch }, trip: s.trip ? { ...s.trip } : null, sessionDate: s.sessionDate,
      dailyLoss: s.dailyLoss, ordersPlaced: s.ordersPlaced, highWaterMark: s.highWaterMark, drawdownPct: this.#drawdownPct,
      equity: this.#equity, shadowMode: this.virtual !== undefined, durable: this.#store.durable, quarantinedPrices: this.#guard.quarantinedCount,
    };
  }

  /** Recent audit entries (operator commands and breaker trips). */
  auditTrail(limit = 20): RiskAuditEntry[] { return this.#store.auditTrail(limit); }

  // ── lifecycle ──────────────────────────────────────────────────────────────
  async connect(): Promise<void> {
    if (this.virtual) { this.#connected = true; return; } // shadow: nothing is sent to the venue
    await this.#inner.connect();
    this.#connected = true;
    await this.#refresh();
  }
  async disconnect(): Promise<void> {
    this.#connected = false;
    this.flush();
    if (!this.virtual) await this.#inner.disconnect();
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

  onOrderUpdate(listener: (order: Order) => void): Unsubscribe {
    this.#orderListeners.add(listener);
    return () => { this.#orderListeners.delete(listener); };
  }
  onFill(listener: (fill: Fill) => void): Unsubscribe {
    this.#fillListeners.add(listener);
    return () => { this.#fillListeners.delete(listener); };
  }
  onConnectionState(listener: (state: ConnectionState) => void): Unsubscribe {
    if (this.virtual || !this.#inner.onConnectionState) return () => {};
    return this.#inner.onConnectionState(listener);
  }

  // ── orders ─────────────────────────────────────────────────────────────────
  async submitOrder(intent: OrderIntent): Promise<Order> {
    const now = this.#clock.now();
    const wall = performance.now();
    if (this.#store.durable) this.#maybeSyncExternal(wall);
    const attemptTrip = this.#breakers.recordAttempt(now);
    if (attemptTrip) this.#trip(attemptTrip, now);
    const bad = sanityCheck(intent);
    if (bad) throw this.#refuse(bad, intent);
    this.#rollSession(now);
    if (!this.virtual && (!this.#accountKnown || wall - this.#lastRefresh >= this.#accountRefreshMs)) await this.#refresh();
    else if (this.#refreshing) await this.#refreshing;

    const pos = this.virtual ? this.virtual.positionRef(intent.asset) : this.#positions.get(intent.asset);
    const q = pos?.quantity ?? 0;
    const reduces = q !== 0 && (intent.side === 'BUY') !== q > 0 && intent.quantity <= Math.abs(q) + EPS;
    const closes = reduces && Math.abs(intent.quantity - Math.abs(q)) <= EPS;

    const stateRefusal = this.#stateCheck(reduces, closes);
    if (stateRefusal) throw this.#refuse(stateRefusal, intent);

    const ctx = this.#fillContext(intent, pos, reduces, now);
    const policies = this.#policies;
    for (let i = 0; i < policies.length; i++) {
      const p = policies[i] as StatefulRiskPolicy;
      ctx.state = this.#policyStates[i] as Record<string, unknown>;
      let r: RiskRejection | undefined;
      try { r = p.check(intent, ctx); } catch (err) {
        r = { policy: p.name, code: 'RISK_POLICY_ERROR', message: `policy threw: ${err instanceof Error ? err.message : String(err)}` };
      }
      if (r) throw this.#refuse(r, intent);
    }

    // count the order; while the store fails, every order retries the write and a
    // risk-increasing order is refused until it succeeds (F05)
    this.#state.ordersPlaced++;
    if (this.#writeFailing || wall - this.#lastPersist >= this.#persistIntervalMs) {
      try {
        this.#save(now);
      } catch (err) {
        this.#writeFailing = true;
        if (!reduces) {
          this.#state.ordersPlaced--;
          this.#log.error('risk: ALERT risk state not writable; refusing risk-increasing order', { error: err, clientOrderId: intent.clientOrderId });
          throw riskError({ policy: 'risk_state', code: 'RISK_STATE_UNWRITABLE', message: 'risk state could not be persisted; only reducing orders and cancels are allowed' }, intent);
        }
        this.#log.error('risk: ALERT risk state not writable; reducing order allowed through', { error: err, clientOrderId: intent.clientOrderId });
      }
    } else this.#counterDirty = true;
    for (let i = 0; i < policies.length; i++) {
      const p = policies[i] as StatefulRiskPolicy;
      if (p.onAccepted) { ctx.state = this.#policyStates[i] as Record<string, unknown>; p.onAccepted(intent, ctx); }
    }

    if (this.virtual) return this.#virtualSubmit(intent, now);
    let order: Order;
    try {
      order = await this.#inner.submitOrder(intent);
    } catch (err) {
      this.#recordError(now, 'broker', err);
      throw err;
    }
    if (order.status === 'REJECTED') this.#countRejection(order);
    return order;
  }

  /** Cancels always pass. */
  async cancelOrder(clientOrderId: string): Promise<boolean> {
    if (!this.virtual) return this.#inner.cancelOrder(clientOrderId);
    const o = this.virtual.cancel(clientOrderId, this.#clock.now());
    if (o) this.#emitOrder(o);
    return o !== undefined;
  }

  /** Closing orders always pass (no policy, no trading-state check). */
  async closePosition(asset: string, clientOrderId?: string): Promise<Order | undefined> {
    if (!this.virtual) return this.#inner.closePosition(asset, clientOrderId);
    const p = this.virtual.positionRef(asset);
    if (!p || p.quantity === 0) return undefined;
    const now = this.#clock.now();
    const intent: OrderIntent = {
      clientOrderId: clientOrderId ?? `close-${asset}-${now}`, asset, side: p.quantity > 0 ? 'SELL' : 'BUY', quantity: Math.abs(p.quantity),
      orderType: 'MARKET', timeInForce: 'DAY', createdAt: now, reduceOnly: true,
    };
    return this.#virtualSubmit(intent, now);
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
    const now = this.#clock.now();
    const entry = engageKillSwitch(this.#state, { reason, by, at: now });
    this.#saveForced(now, entry);
    this.#log.error('risk: kill switch engaged', { ...entry });
  }

  /** Clears the kill switch or a breaker trip (persisted, audited). Only an explicit call does this. */
  resume(reason: string, by = 'operator'): void {
    const now = this.#clock.now();
    const entry = clearKillSwitch(this.#state, { reason, by, at: now });
    this.#breakers.peak.reset();
    this.#saveForced(now, entry);
    this.#log.warn('risk: trading resumed', { ...entry });
  }

  /** Reports an error from outside (strategy handler, engine) to the error-rate breaker. */
  recordError(source: string, error?: unknown): void { this.#recordError(this.#clock.now(), source, error); }

  /** Re-reads the stored state now (operator command from another process). */
  syncState(): void { this.#lastSync = -Infinity; this.#maybeSyncExternal(performance.now()); }

  // ── market data ────────────────────────────────────────────────────────────
  onMarketData(timestamp: number, data: MarketDataMap, context: FeedContext): void {
    let rejected: string[] | undefined;
    const v = this.virtual;
    for (const sym in data) {
      const px = priceOf(data[sym]);
      if (!this.#guard.observe(sym, px, timestamp)) { (rejected ??= []).push(sym); continue; }
      const price = px as number;
      if (v) {
        const exs = v.onPrice(sym, price, timestamp);
        for (let i = 0; i < exs.length; i++) this.#emitExecution(exs[i] as VirtualExecution);
      } else {
        const p = this.#positions.get(sym);
        if (p) markPosition(p, price);
      }
    }
    this.#rollSession(timestamp);
    this.#markEquity(timestamp);
    const inner = this.#inner.onMarketData;
    if (inner) {
      if (!rejected) inner.call(this.#inner, timestamp, data, context);
      else {
        const clean: MarketDataMap = {};
        let any = false;
        for (const sym in data) if (!rejected.includes(sym)) { clean[sym] = data[sym] as MarketDataMap[string]; any = true; }
        if (any) inner.call(this.#inner, timestamp, clean, context);
      }
    }
  }

  // ── internals ──────────────────────────────────────────────────────────────
  #stateCheck(reduces: boolean, closes: boolean): RiskRejection | undefined {
    const s = this.#state;
    if (s.tradingState === 'ACTIVE' && !s.killSwitch.engaged) return undefined;
    const trip = s.trip;
    if (s.killSwitch.engaged || s.tradingState === 'HALTED') {
      if (closes) return undefined;
      const code = s.killSwitch.engaged && this.config.killSwitchEnabled ? 'RISK_KILL_SWITCH' : 'RISK_HALTED';
      return { policy: 'trading_state', code, message: `trading is HALTED${trip ? ` (${trip.breaker}: ${trip.reason})` : ''}; only closing orders and cancels are allowed`, limit: 'HALTED', value: trip?.code ?? 'HALTED' };
    }
    if (reduces) return undefined;
    return { policy: 'trading_state', code: 'RISK_REDUCING_ONLY', message: `trading is REDUCING${trip ? ` (${trip.breaker}: ${trip.reason})` : ''}; only risk-reducing orders are allowed`, limit: 'REDUCING', value: trip?.code ?? 'REDUCING' };
  }

  #fillContext(intent: OrderIntent, pos: Position | undefined, reduces: boolean, now: number): SafeRiskContext {
    const c = this.#ctx;
    const rec = this.#guard.get(intent.asset);
    c.now = now;
    if (pos && pos.quantity !== 0) c.position = pos; else delete c.position;
    c.reducesPosition = reduces;
    c.increasesRisk = !reduces;
    c.quarantined = rec?.quarantined ?? false;
    if (rec) { c.lastPrice = rec.price; c.lastPriceAt = rec.at; } else { delete c.lastPrice; delete c.lastPriceAt; }
    c.referencePrice = (intent.orderType === 'LIMIT' || intent.orderType === 'STOP_LIMIT') && intent.limitPrice !== undefined
      ? intent.limitPrice
      : intent.orderType === 'STOP' && intent.stopPrice !== undefined && rec === undefined ? intent.stopPrice : rec?.price;
    let gross = 0, open = 0;
    const iter = this.virtual ? this.virtual.positionsRef() : this.#positions.values();
    for (const p of iter) if (p.quantity !== 0) { open++; gross += Math.abs(p.quantity * p.currentPrice); }
    c.grossExposure = gross;
    c.openPositions = open;
    c.cash = this.virtual ? this.virtual.cash : this.#cash;
    c.accountValue = this.#equity ?? c.cash + gross;
    c.dailyLoss = this.#state.dailyLoss;
    c.drawdownPct = this.#drawdownPct;
    c.state = this.#state.policyState;
    return c; // c.positions is a getter: the array is built only for a policy that reads it
  }

  #positionsArray(): Position[] {
    const out: Position[] = [];
    const iter = this.virtual ? this.virtual.positionsRef() : this.#positions.values();
    for (const p of iter) if (p.quantity !== 0) out.push(p);
    return out;
  }

  #refuse(r: RiskRejection, intent: OrderIntent): RiskLimitError {
    const err = riskError(r, intent);
    this.#log.warn('risk: order refused', { code: r.code, policy: r.policy, limit: r.limit, value: r.value, clientOrderId: intent.clientOrderId, asset: intent.asset });
    return err;
  }

  #virtualSubmit(intent: OrderIntent, now: number): Order {
    const v = this.virtual as VirtualPortfolio;
    const rec = this.#guard.get(intent.asset);
    const price = rec ? rec.price : v.lastPrice(intent.asset);
    const { order, execution } = v.submit(intent, price, now);
    if (execution) this.#emitExecution(execution);
    else this.#emitOrder(order);
    this.#markEquity(now);
    return order;
  }

  #emitExecution(ex: VirtualExecution): void {
    if (this.#fillHooks.length > 0) this.#runFillHooks(ex.fill);
    for (const l of this.#fillListeners) safeCall(l, ex.fill, this.#log);
    this.#emitOrder(ex.order);
  }
  #emitOrder(o: Order): void {
    for (const l of this.#orderListeners) safeCall(l, o, this.#log);
  }

  /** the core RiskPolicy `onFill` hook, for stateful user policies */
  #runFillHooks(f: Fill): void {
    const now = this.#clock.now();
    const pos = this.virtual ? this.virtual.positionRef(f.asset) : this.#positions.get(f.asset);
    const probe: OrderIntent = { clientOrderId: f.clientOrderId, asset: f.asset, side: f.side, quantity: f.quantity, orderType: 'MARKET', timeInForce: 'DAY', createdAt: f.timestamp };
    const ctx = this.#fillContext(probe, pos, false, now);
    for (const p of this.#fillHooks) {
      const ps = this.#state.policyState;
      ctx.state = ps[p.name] ?? (ps[p.name] = {});
      try { p.onFill?.(ctx); } catch (err) { this.#log.error('risk: policy onFill threw', { policy: p.name, error: err }); }
    }
    this.#counterDirty = true;
  }

  #onInnerOrder(o: Order): void {
    if (o.status === 'REJECTED') this.#countRejection(o);
    this.#emitOrder(o);
  }

  #onInnerFill(f: Fill): void {
    // The engine dedupes fills for its own books; this risk view is cheap and incremental and is
    // re-synced from the broker every accountRefreshMs and after every reconnect.
    if (this.#refreshing) this.#fillsDuringRefresh++;
    const signed = f.side === 'BUY' ? f.quantity : -f.quantity;
    if (Number.isFinite(signed) && Number.isFinite(f.price)) {
      const { position } = applyFillToPosition(this.#positions.get(f.asset), f.asset, signed, f.price);
      const mark = this.#guard.get(f.asset)?.price;
      if (mark !== undefined) markPosition(position, mark);
      this.#positions.set(f.asset, position);
      this.#cash -= signed * f.price + (Number.isFinite(f.commission) ? f.commission : 0);
    }
    if (this.#fillHooks.length > 0) this.#runFillHooks(f);
    for (const l of this.#fillListeners) safeCall(l, f, this.#log);
  }

  async #refresh(): Promise<void> {
    if (this.#refreshing) return this.#refreshing;
    this.#fillsDuringRefresh = 0;
    const run = (async () => {
      try {
        const [positions, cash] = await Promise.all([this.#inner.getPositions(), this.#inner.getCash()]);
        if (this.#fillsDuringRefresh > 0) { this.#lastRefresh = -Infinity; return; } // raced a fill: keep the incremental view, retry later
        this.#positions.clear();
        for (const p of positions) {
          const copy = { ...p };
          const mark = this.#guard.get(p.asset)?.price;
          if (mark !== undefined) markPosition(copy, mark);
          this.#positions.set(p.asset, copy);
        }
        this.#cash = cash;
        this.#accountKnown = true;
        this.#lastRefresh = performance.now();
      } catch (err) {
        this.#log.error('risk: account refresh from the broker failed', { error: err });
        this.#recordError(this.#clock.now(), 'account-refresh', err);
      }
    })();
    this.#refreshing = run;
    try { await run; } finally { this.#refreshing = undefined; }
  }

  #markEquity(ts: number): void {
    if (!this.#accountKnown) return;
    let equity: number;
    if (this.virtual) equity = this.virtual.accountValue;
    else {
      equity = this.#cash;
      for (const p of this.#positions.values()) if (p.quantity !== 0) equity += p.quantity * p.currentPrice;
    }
    if (!Number.isFinite(equity)) return;
    this.#equity = equity;
    const s = this.#state;
    this.#drawdownPct = this.#breakers.markEquity(ts, equity);
    const peak = this.#breakers.peak.peak() ?? equity;
    if (s.highWaterMark !== peak) { s.highWaterMark = peak; s.highWaterMarkAt = this.#breakers.peak.peakAt() ?? ts; this.#equityDirty = true; }
    if (s.sessionStartEquity === null) { s.sessionStartEquity = equity; this.#equityDirty = true; }
    const loss = Math.max(0, s.sessionStartEquity - equity);
    if (loss !== s.dailyLoss) { s.dailyLoss = loss; this.#equityDirty = true; }
    const dd = this.#breakers.checkDrawdown(this.#drawdownPct);
    if (dd) this.#trip(dd, ts);
    if (s.dailyLossTrippedSession !== s.sessionDate) {
      const dl = this.#breakers.checkDailyLoss(loss);
      if (dl) { s.dailyLossTrippedSession = s.sessionDate; this.#trip(dl, ts); }
    }
    this.#maybeCooldownResume(ts);
    if ((this.#equityDirty || this.#counterDirty) && (this.#persistIntervalMs === 0 || ((++this.#marks & 63) === 0 && performance.now() - this.#lastPersist >= this.#persistIntervalMs))) this.#trySave(ts);
  }

  #rollSession(ts: number): void {
    const label = this.#calendar.label(ts);
    const s = this.#state;
    if (s.sessionDate === label) return;
    if (s.sessionDate !== null && label < s.sessionDate) return; // clock stepped back: never un-reset
    const first = s.sessionDate === null;
    s.sessionDate = label;
    if (!first) {
      this.#log.info('risk: new trading session; daily counters reset', { session: label, ordersPlaced: s.ordersPlaced, dailyLoss: s.dailyLoss });
      s.ordersPlaced = 0;
      s.dailyLoss = 0;
      s.sessionStartEquity = this.#equity ?? null;
    }
    this.#trySave(ts);
  }

  #trip(t: BreakerTrip, now: number): void {
    const s = this.#state;
    const from = s.tradingState;
    const rank = { ACTIVE: 0, REDUCING: 1, HALTED: 2 } as const;
    if (rank[t.action] < rank[from] || (rank[t.action] === rank[from] && s.trip)) return; // never relax, never re-trip
    s.tradingState = t.action;
    const trip: RiskStateData['trip'] = { breaker: t.breaker, code: t.code, reason: t.reason, at: now, by: `breaker:${t.breaker}` };
    const cb = this.config.circuitBreakers.resume;
    if (cb.mode === 'cooldown') trip.resumeAfter = now + cb.cooldownSeconds * 1000;
    s.trip = trip;
    // with manual resume a HALTED trip engages the kill switch; a cool-down trip only halts (the
    // kill switch itself is never cleared by anything but an explicit command)
    if (t.action === 'HALTED' && this.config.killSwitchEnabled && cb.mode === 'manual') s.killSwitch = { engaged: true, reason: t.reason, by: `breaker:${t.breaker}`, at: now };
    const entry: RiskAuditEntry = { action: 'trip', by: `breaker:${t.breaker}`, at: now, reason: t.reason, from, to: t.action };
    this.#log.error('risk: circuit breaker tripped', { breaker: t.breaker, code: t.code, reason: t.reason, state: t.action });
    this.#trySave(now);
    try { this.#store.audit(entry); } catch { /* logged by the store */ }
  }

  #maybeCooldownResume(now: number): void {
    const s = this.#state;
    const trip = s.trip;
    if (!trip || trip.resumeAfter === undefined || now < trip.resumeAfter) return;
    if (trip.breaker === 'manual' || trip.breaker === 'state' || s.killSwitch.engaged) return;
    if (!this.#breakers.cleared(trip.breaker, now, this.#drawdownPct, s.dailyLoss)) return;
    const from = s.tradingState;
    s.tradingState = 'ACTIVE';
    s.trip = null;
    if (trip.breaker === 'drawdown') { this.#breakers.peak.reset(); s.highWaterMark = null; s.highWaterMarkAt = null; }
    this.#log.warn('risk: trading resumed after cool-down', { breaker: trip.breaker });
    this.#trySave(now);
    try { this.#store.audit({ action: 'auto-resume', by: 'cooldown', at: now, reason: `cool-down after ${trip.breaker}: ${trip.reason}`, from, to: 'ACTIVE' }); } catch { /* logged */ }
  }

  /** a venue rejection counts once, whether it arrives as the submit result, an update, or both */
  #countRejection(o: Order): void {
    if (this.#rejected.has(o.clientOrderId)) return;
    this.#rejected.add(o.clientOrderId);
    if (this.#rejected.size > 1024) this.#rejected.delete(this.#rejected.values().next().value as string);
    this.#recordError(this.#clock.now(), 'venue-rejection', o.rejectionReason);
  }

  #recordError(now: number, source: string, error: unknown): void {
    this.#log.warn('risk: error counted', { source, error: error instanceof Error ? error.message : error === undefined ? null : String(error) });
    const t = this.#breakers.recordError(now);
    if (t) this.#trip(t, now);
  }

  #save(now: number): void {
    this.#store.save(this.#state, now);
    this.#equityDirty = false;
    this.#counterDirty = false;
    this.#writeFailing = false;
    this.#lastPersist = performance.now();
  }

  /** Writes pending counters now (the engine calls this on stop; tests use it). */
  flush(): void { if (this.#counterDirty || this.#equityDirty) this.#trySave(this.#clock.now()); }

  #trySave(now: number): void {
    try { this.#save(now); } catch (err) {
      this.#writeFailing = true;
      if (this.#store.writeBlocked) return; // unreadable stored state: stays HALTED in memory until an operator command
      this.#log.error('risk: ALERT risk state could not be persisted', { error: err });
    }
  }

  #saveForced(now: number, entry: RiskAuditEntry): void {
    this.#store.save(this.#state, now, true);
    this.#store.audit(entry);
    this.#equityDirty = false;
    this.#counterDirty = false;
    this.#writeFailing = false;
    this.#lastPersist = performance.now();
  }

  #bindPolicyStates(): void {
    const ps = this.#state.policyState;
    this.#policyStates = this.#policies.map((p) => ps[p.name] ?? (ps[p.name] = {}));
  }

  #maybeSyncExternal(wall: number): void {
    if (!this.#store.durable) return;
    if (wall - this.#lastSync < this.#externalSyncMs) return;
    this.#lastSync = wall;
    const rev = this.#store.peekRevision();
    if (rev === undefined || rev <= this.#state.revision) return;
    const loaded = this.#store.load(this.#clock.now());
    if (loaded.unreadable) { this.#state = loaded.state; this.#bindPolicyStates(); return; }
    const s = loaded.state;
    const changed = s.tradingState !== this.#state.tradingState || s.killSwitch.engaged !== this.#state.killSwitch.engaged;
    // counters only move up from another writer; the operator's state decision wins
    s.ordersPlaced = Math.max(s.ordersPlaced, this.#state.ordersPlaced);
    if (s.sessionDate === this.#state.sessionDate) s.dailyLoss = Math.max(s.dailyLoss, this.#state.dailyLoss);
    if (s.highWaterMark === null) this.#breakers.peak.reset();
    this.#state = s;
    this.#bindPolicyStates();
    if (changed) this.#log.warn('risk: trading state changed by an operator command', { tradingState: s.tradingState, killSwitch: s.killSwitch });
  }
}

function safeCall<T>(fn: (x: T) => void, x: T, log: Logger): void {
  try { fn(x); } catch (err) { log.error('risk: listener threw', { error: err }); }
}

function resolvePolicies(cfg: LiveRiskConfig, custom: Readonly<Record<string, RiskPolicy>>): StatefulRiskPolicy[] {
  const out: StatefulRiskPolicy[] = [];
  const seen = new Set<string>();
  for (const ref of cfg.policies) {
    const name = typeof ref === 'string' ? ref : ref.use;
    if (seen.has(name)) throw new ConfigError(`risk: policy '${name}' is listed twice in policies`, 'CONFIG_INVALID', { details: { keys: ['policies'] } });
    seen.add(name);
    const builtin = BUILTIN_POLICIES.get(name);
    const user = custom[name];
    if (user) out.push(user);
    else if (builtin) { if (!builtin.disabled?.(cfg)) out.push(builtin.fromRiskConfig(cfg)); }
    else {
      throw new ConfigError(`risk: unknown policy '${name}' in policies; built-in: ${[...BUILTIN_POLICIES.keys()].join(', ')}; register a plugin of kind 'risk' to add one`, 'RISK_POLICY_UNKNOWN', { details: { keys: ['policies'], name } });
    }
  }
  return out;
}

export { BREAKER_CODES };
