import { inject, injectable } from '../di.js';
import { TOKENS } from '../tokens.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import {
  DuplicateClientOrderIdError, InsufficientFundsError, InvalidOrderError, UnsupportedError, VenueUnavailableError,
} from '../errors.js';
import type { Fill } from '../domain/fill.js';
import type { FeedContext, MarketDataMap } from '../domain/market-data.js';
import { isTerminal, type Order, type OrderIntent } from '../domain/order.js';
import { PositionRecord, applyFillInPlace, markPosition, type Position } from '../domain/position.js';
import type { BrokerCapabilities, BrokerProtocol, Unsubscribe } from '../protocols/broker.js';
import { FillHistory } from './fill-history.js';
import { OrderHistory } from './order-history.js';
import { PaperBrokerConfig } from './config.js';
import { barRangeInto, commissionFor, executionPrice, rangeOf, slip, type PriceRange } from './fill-model.js';

interface Working { order: Order; eligibleAt: number; triggered: boolean; lastBarTs: number }

const DAY_MS = 86_400_000;

/**
 * A simulated broker that fills against the prices the engine hands it (`onMarketData`):
 * configurable latency, slippage, commission, partial fills capped by bar volume, limit/stop/
 * stop-limit triggering on bar high/low, cash and position accounting with shorts and flips,
 * and rejection on insufficient buying power. It is also the reference adapter for authors.
 * @public
 */
@injectable()
export class PaperBroker implements BrokerProtocol {
  readonly name: string = 'paper';
  readonly capabilities: BrokerCapabilities;
  readonly #cfg: PaperBrokerConfig;
  #connected = false;
  /** initialised with a number: a field declared without one starts as `undefined` and then boxes every new value (it changes on every fill) */
  #cash = 0;
  /**
   * Open positions by asset. A position that goes flat stays as a placeholder (quantity 0, never
   * handed out): deleting the only entry of a small Map makes V8 reallocate its table, and the
   * next fill would allocate a new entry again. Readers skip flat entries.
   */
  readonly #positions = new Map<string, Position>();
  /** every order still in history, by clientOrderId and in insertion order (finished ones as compact rows) */
  readonly #orders: OrderHistory;
  readonly #fills: FillHistory;
  readonly #working = new Map<string, Map<string, Working>>();
  readonly #ranges = new Map<string, PriceRange>();
  readonly #orderListeners: ((o: Order) => void)[] = [];
  readonly #fillListeners: ((f: Fill) => void)[] = [];
  /** the last snapshot handed to order listeners, and the order it was taken of */
  #lastSnap: Order | undefined;
  #lastSnapOf: Order | undefined;
  #seq = 0;
  #execSeq = 0;
  #lastTs = 0;

  constructor(
    @inject(TOKENS.AdapterConfig) config: unknown,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly log: Logger,
  ) {
    this.#cfg = PaperBrokerConfig.parse(config ?? {});
    this.#cash = this.#cfg.initialCash;
    this.#orders = new OrderHistory(this.#cfg.historyLimit);
    this.#fills = new FillHistory(this.#cfg.historyLimit);
    this.capabilities = Object.freeze({
      orderTypes: ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT'],
      timeInForce: ['DAY', 'GTC', 'IOC', 'FOK', 'GTD'],
      shorting: this.#cfg.allowShort,
      partialFills: true,
      modify: false,
      fractional: this.#cfg.fractional,
    }) as BrokerCapabilities;
  }

  async connect(): Promise<void> { this.#connected = true; }
  async disconnect(): Promise<void> { this.#connected = false; }
  isConnected(): boolean { return this.#connected; }

  async getPositions(): Promise<Position[]> {
    const out: Position[] = [];
    for (const p of this.#positions.values()) if (p.quantity !== 0) out.push({ ...p });
    return out;
  }
  async getPosition(asset: string): Promise<Position | undefined> {
    const p = this.#positions.get(asset);
    return p && p.quantity !== 0 ? { ...p } : undefined;
  }
  async getPendingOrders(): Promise<Order[]> {
    const out: Order[] = [];
    for (const m of this.#working.values()) for (const w of m.values()) out.push({ ...w.order });
    return out;
  }
  async getCash(): Promise<number> { return this.#cash; }
  async getAccountValue(): Promise<number> { return this.#equity(); }
  async getOrder(clientOrderId: string): Promise<Order | undefined> {
    const o = this.#orders.get(clientOrderId);
    return o ? { ...o } : undefined;
  }
  async getOrders(since = 0): Promise<Order[]> { return this.#orders.updatedSince(since); }
  async getFills(since = 0): Promise<Fill[]> { return this.#fills.since(since); }

  onOrderUpdate(listener: (order: Order) => void): Unsubscribe { return this.#listen(this.#orderListeners, listener); }
  onFill(listener: (fill: Fill) => void): Unsubscribe { return this.#listen(this.#fillListeners, listener); }

  submitOrder(intent: OrderIntent): Promise<Order> {
    try {
      return Promise.resolve(this.#submit(intent));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #submit(intent: OrderIntent): Order {
    if (!this.#connected) throw new VenueUnavailableError('paper broker is not connected');
    this.#validate(intent);
    const now = this.clock.now();
    const order: Order = {
      orderId: '', clientOrderId: intent.clientOrderId, asset: intent.asset, side: intent.side,
      quantity: intent.quantity, orderType: intent.orderType, timeInForce: intent.timeInForce, status: 'SUBMITTED',
      filledQuantity: 0, avgFillPrice: 0, createdAt: now, updatedAt: now, submittedAt: now,
    };
    if (intent.limitPrice !== undefined) order.limitPrice = intent.limitPrice;
    if (intent.stopPrice !== undefined) order.stopPrice = intent.stopPrice;
    if (intent.expireAt !== undefined) order.expireAt = intent.expireAt;
    if (intent.tag !== undefined) order.tag = intent.tag;
    if (intent.reduceOnly !== undefined) order.reduceOnly = intent.reduceOnly;
    this.#claimId(order);
    const short = this.#shortSaleError(intent);
    if (short !== undefined) { this.#orders.dropNewest(order.clientOrderId); throw short; }
    order.orderId = `P${++this.#seq}`; // only now: a refused order uses no venue id
    const shortfall = this.#buyingPowerShortfall(order);
    if (shortfall !== undefined) {
      this.#finish(order, 'REJECTED', now, shortfall);
      throw new InsufficientFundsError(`order ${order.clientOrderId} rejected: ${shortfall}`, { details: { clientOrderId: order.clientOrderId, venueCode: 'INSUFFICIENT_BUYING_POWER' } });
    }
    this.#emitOrder(order);
    const w: Working = { order, eligibleAt: now + this.#cfg.latencyMs, triggered: false, lastBarTs: this.#lastTs };
    const range = this.#ranges.get(order.asset);
    if (this.#cfg.latencyMs === 0 && range) this.#tryFill(w, range, false, now);
    if (!isTerminal(order.status)) {
      if (order.timeInForce === 'IOC' || order.timeInForce === 'FOK') this.#finish(order, order.timeInForce === 'FOK' ? 'EXPIRED' : 'CANCELLED', now);
      else this.#workingFor(order.asset).set(order.clientOrderId, w);
    }
    // Every change to `order` above was followed by an emit, so the last snapshot listeners got
    // is the order's current state: hand that out instead of copying once more.
    const snap = this.#lastSnap;
    if (snap !== undefined && this.#lastSnapOf === order && snap.status === order.status && snap.filledQuantity === order.filledQuantity) return snap;
    return { ...order };
  }

  async cancelOrder(clientOrderId: string): Promise<boolean> {
    const o = this.#orders.live(clientOrderId);
    if (!o || isTerminal(o.status)) return false;
    this.#working.get(o.asset)?.delete(clientOrderId);
    this.#finish(o, 'CANCELLED', this.clock.now());
    return true;
  }

  async closePosition(asset: string, clientOrderId?: string): Promise<Order | undefined> {
    const p = this.#positions.get(asset);
    if (!p || p.quantity === 0) return undefined;
    return this.submitOrder({
      clientOrderId: clientOrderId ?? `close${asset.replace(/[^A-Za-z0-9]/g, '')}${++this.#seq}`.slice(0, 32),
      asset, side: p.quantity > 0 ? 'SELL' : 'BUY', quantity: Math.abs(p.quantity), orderType: 'MARKET',
      timeInForce: 'DAY', createdAt: this.clock.now(), reduceOnly: true,
    });
  }

  /** Fills working orders against new prices; marks positions. */
  onMarketData(timestamp: number, data: MarketDataMap, _context?: FeedContext): void {
    this.#lastTs = timestamp;
    for (const asset in data) {
      const d = data[asset];
      let r = this.#ranges.get(asset);
      if (r === undefined || !barRangeInto(r, d)) {
        r = rangeOf(d);
        if (!r) continue;
        this.#ranges.set(asset, r);
      }
      r.consumed = 0;
      const pos = this.#positions.get(asset);
      if (pos) markPosition(pos, r.last);
      const working = this.#working.get(asset);
      if (!working || working.size === 0) continue;
      for (const w of [...working.values()]) {
        const o = w.order;
        if (this.#expired(o, timestamp)) { working.delete(o.clientOrderId); this.#finish(o, 'EXPIRED', timestamp); continue; }
        if (timestamp < w.eligibleAt) continue;
        this.#tryFill(w, r, timestamp > w.lastBarTs || w.eligibleAt > w.order.createdAt, timestamp);
        if (isTerminal(o.status)) working.delete(o.clientOrderId);
      }
    }
  }

  /**
   * Rebuilds the venue from a persisted history (see `PaperLedgerFile`): cash and positions are
   * recomputed from the fills, each order takes its last known state with its filled quantity
   * taken from the fills (a crash between a fill and its order update loses nothing), and
   * orders still working are working again. Call before `connect()`.
   */
  restoreHistory(orders: readonly Order[], fills: readonly Fill[]): void {
    this.#orders.clear();
    this.#lastSnap = undefined;
    this.#lastSnapOf = undefined;
    this.#fills.clear();
    this.#positions.clear();
    this.#working.clear();
    this.#cash = this.#cfg.initialCash;
    const filledByOrder = new Map<string, { qty: number; notional: number; last: number }>();
    const seenExec = new Set<string>();
    for (const f of fills) {
      if (seenExec.has(f.executionId)) continue;
      seenExec.add(f.executionId);
      this.#fills.push(f);
      const signed = f.side === 'BUY' ? f.quantity : -f.quantity;
      let position = this.#positions.get(f.asset);
      if (position === undefined) this.#positions.set(f.asset, position = new PositionRecord(f.asset, f.price));
      applyFillInPlace(position, signed, f.price);
      if (position.quantity === 0) this.#positions.delete(f.asset);
      this.#cash -= signed * f.price + f.commission;
      const agg = filledByOrder.get(f.clientOrderId) ?? { qty: 0, notional: 0, last: 0 };
      agg.qty += f.quantity;
      agg.notional += f.quantity * f.price;
      agg.last = Math.max(agg.last, f.timestamp);
      filledByOrder.set(f.clientOrderId, agg);
      const n = Number(f.executionId.replace(/^PX/, ''));
      if (Number.isInteger(n) && n > this.#execSeq) this.#execSeq = n;
    }
    for (const o0 of orders) {
      const o: Order = { ...o0 };
      const agg = filledByOrder.get(o.clientOrderId);
      if (agg && agg.qty > o.filledQuantity) {
        o.filledQuantity = agg.qty;
        o.avgFillPrice = agg.notional / agg.qty;
        o.status = agg.qty >= o.quantity - 1e-9 ? 'FILLED' : o.status === 'CANCELLED' || o.status === 'EXPIRED' ? o.status : 'PARTIALLY_FILLED';
        o.updatedAt = Math.max(o.updatedAt, agg.last);
      }
      // a repeated id keeps its first place and takes the last state (as a Map.set would)
      if (this.#orders.has(o.clientOrderId)) this.#orders.replace(o);
      else { this.#orders.claim(o); if (isTerminal(o.status)) this.#orders.settle(o); }
      const n = Number(o.orderId.replace(/^P/, ''));
      if (Number.isInteger(n) && n > this.#seq) this.#seq = n;
      if (!isTerminal(o.status)) this.#workingFor(o.asset).set(o.clientOrderId, { order: o, eligibleAt: o.createdAt + this.#cfg.latencyMs, triggered: false, lastBarTs: o.createdAt });
    }
  }

  // ── internals ─────────────────────────────────────────────────────────
  #validate(i: OrderIntent): void {
    if (!this.capabilities.orderTypes.includes(i.orderType)) throw new UnsupportedError(`order type ${i.orderType} not supported`);
    if (!this.capabilities.timeInForce.includes(i.timeInForce)) throw new UnsupportedError(`time in force ${i.timeInForce} not supported`);
    if (!(i.quantity > 0) || !Number.isFinite(i.quantity)) throw new InvalidOrderError(`quantity must be > 0, got ${i.quantity}`);
    if (!this.#cfg.fractional && !Number.isInteger(i.quantity)) throw new InvalidOrderError(`fractional quantity ${i.quantity} not allowed`);
    // then, in this order: a duplicate clientOrderId (`#claimId`), short selling (`#shortSaleError`)
  }

  /** Inserts the order under its clientOrderId, or throws if the id is taken. */
  #claimId(order: Order): void {
    if (this.#orders.claim(order)) return;
    const id = order.clientOrderId;
    throw new DuplicateClientOrderIdError(`clientOrderId ${id} already used`, { details: { clientOrderId: id } });
  }

  #shortSaleError(i: OrderIntent): UnsupportedError | undefined {
    if (this.#cfg.allowShort || i.side !== 'SELL') return undefined;
    const held = this.#positions.get(i.asset)?.quantity ?? 0;
    if (i.quantity > held + 1e-9) return new UnsupportedError(`short selling disabled: sell ${i.quantity} ${i.asset} with ${held} held`);
    return undefined;
  }

  /** Returns a reason when the order would take gross exposure past what equity allows. */
  #buyingPowerShortfall(o: Order): string | undefined {
    const px = o.limitPrice ?? this.#ranges.get(o.asset)?.last ?? o.stopPrice;
    if (px === undefined) return undefined; // no price yet: checked again on fill
    const held = this.#positions.get(o.asset)?.quantity ?? 0;
    const signed = o.side === 'BUY' ? o.quantity : -o.quantity;
    const after = held + signed;
    if (Math.abs(after) <= Math.abs(held) && Math.sign(after) !== -Math.sign(held)) return undefined; // reduces
    const equity = this.#equity();
    let gross = 0;
    for (const p of this.#positions.values()) if (p.asset !== o.asset) gross += Math.abs(p.quantity * p.currentPrice);
    gross += Math.abs(after * px);
    const fee = commissionFor(o.quantity, px, this.#cfg.commission);
    const needed = gross * this.#cfg.marginRequirement + fee;
    if (needed <= equity + 1e-9) return undefined;
    return `insufficient buying power: needs ${needed.toFixed(2)}, equity ${equity.toFixed(2)}`;
  }

  #tryFill(w: Working, r: PriceRange, fresh: boolean, now: number): void {
    const o = w.order;
    const raw = executionPrice(o, r, fresh, w);
    if (raw === undefined) return;
    let qty = o.quantity - o.filledQuantity;
    if (Number.isFinite(r.volume) && r.volume > 0) {
      const cap = this.#cfg.maxVolumeFraction * r.volume - r.consumed;
      if (o.timeInForce === 'FOK' && cap + 1e-9 < qty) return;
      qty = Math.min(qty, Math.max(0, cap));
    }
    if (!this.#cfg.fractional) qty = Math.floor(qty + 1e-9);
    if (!(qty > 0)) return;
    r.consumed += qty;
    const price = slip(raw, o.side, this.#cfg.slippageBps);
    this.#execute(o, qty, price, r.last, now);
  }

  /** `last`: the latest price of the order's asset (its position is marked to it). */
  #execute(o: Order, qty: number, price: number, last: number, now: number): void {
    const commission = commissionFor(qty, price, this.#cfg.commission);
    const signed = o.side === 'BUY' ? qty : -qty;
    // in place: positions are only handed out as copies, so no one else holds this object
    let position = this.#positions.get(o.asset);
    if (position === undefined) {
      position = new PositionRecord(o.asset, price);
      this.#positions.set(o.asset, position);
    } else if (position.quantity === 0) {
      // a flat placeholder: start afresh, exactly as a new position would
      position.avgEntryPrice = 0;
      position.currentPrice = price;
      position.unrealizedPnl = 0;
      position.realizedPnl = 0;
    }
    applyFillInPlace(position, signed, price);
    markPosition(position, last);
    this.#cash -= signed * price + commission;
    const filled = o.filledQuantity + qty;
    o.avgFillPrice = (o.avgFillPrice * o.filledQuantity + price * qty) / filled;
    o.filledQuantity = filled;
    o.updatedAt = now;
    const done = filled >= o.quantity - 1e-9;
    o.status = done ? 'FILLED' : 'PARTIALLY_FILLED';
    if (done) o.filledAt = now;
    const execSeq = ++this.#execSeq;
    const fill: Fill = {
      executionId: `PX${execSeq}`, orderId: o.orderId, clientOrderId: o.clientOrderId, asset: o.asset,
      side: o.side, quantity: qty, price, commission, timestamp: now, cumulativeQuantity: filled,
    };
    this.#fills.push(fill, execSeq);
    const fl = this.#fillListeners;
    for (const l of fl) l(fill); // the history keeps its own copy (columns), not this object
    this.#emitOrder(o);
  }

  #expired(o: Order, ts: number): boolean {
    if (o.timeInForce === 'GTD') return o.expireAt !== undefined && ts >= o.expireAt;
    if (o.timeInForce === 'DAY') return Math.floor(ts / DAY_MS) > Math.floor(o.createdAt / DAY_MS);
    return false;
  }

  #finish(o: Order, status: 'CANCELLED' | 'REJECTED' | 'EXPIRED', now: number, reason?: string): void {
    o.status = status;
    o.updatedAt = now;
    if (reason !== undefined) o.rejectionReason = reason;
    this.#emitOrder(o);
  }

  #equity(): number {
    let v = this.#cash;
    for (const p of this.#positions.values()) v += p.quantity * p.currentPrice;
    return v;
  }

  #workingFor(asset: string): Map<string, Working> {
    let m = this.#working.get(asset);
    if (!m) { m = new Map(); this.#working.set(asset, m); }
    return m;
  }

  /**
   * One snapshot per update, shared by the listeners (and reused by `#submit` as its result). A
   * finished order is kept as a history row, not as this object, so its final update hands out
   * the object itself: nothing here touches it again.
   */
  #emitOrder(o: Order): void {
    const done = isTerminal(o.status);
    if (done) this.#orders.settle(o);
    const ls = this.#orderListeners;
    if (ls.length === 0) return;
    const snap = done ? o : { ...o };
    this.#lastSnap = snap;
    this.#lastSnapOf = o;
    for (const l of ls) l(snap);
  }

  #listen<T>(arr: ((v: T) => void)[], l: (v: T) => void): Unsubscribe {
    arr.push(l);
    return () => { const i = arr.indexOf(l); if (i >= 0) arr.splice(i, 1); };
  }
}
