import { PositionRecord, applyFillInPlace, markPosition, type Fill, type Order, type OrderIntent, type Position } from '@tradewire/core';
import type { RiskAccount } from './account-view.js';
import { PositionBook, reducesPosition } from './position-book.js';
import { SessionCalendar } from './session.js';
import type { ShadowAccountData } from './shadow-state.js';
import { VirtualExpiry } from './virtual-expiry.js';

/** The paper cost model: bps slippage against the taker, commission per share / % of notional with a minimum. @public */
export interface PaperCostModel {
  slippageBps: number;
  commissionPerShare: number;
  commissionPct: number;
  minCommission: number;
}

/** What one virtual execution did. @public */
export interface VirtualExecution {
  order: Order;
  fill: Fill;
  realized: number;
  /** the position's quantity just before this fill */
  heldBefore: number;
  /** a copy of the position just after this fill (the live one may already hold later fills of the same price) */
  position: Position;
}

const NO_EXECUTIONS: readonly VirtualExecution[] = Object.freeze([]);
const NO_ORDERS: readonly Order[] = Object.freeze([]);

/** Finished virtual orders and fills kept for `getOrders`/`getFills` (the newest; resting orders always stay). @public */
export const VIRTUAL_HISTORY_LIMIT = 20_000;

/**
 * Shadow mode's account: fills at the current price with the paper cost model, weighted-average
 * cost, partial closes and flips (core's `applyFillToPosition` arithmetic, applied in place), realized and unrealized P&L,
 * marked to market every bar. Limit and stop orders that are not marketable wait and fill when a
 * later price reaches them, until they expire (`expire`: GTD at `expireAt`, DAY at the end of
 * its session, see `VirtualExpiry`). Nothing here talks to a venue.
 * @public
 */
export class VirtualPortfolio implements RiskAccount {
  #cash: number;
  /** positions by asset (live objects; read-only outside this class) */
  readonly book = new PositionBook();
  readonly #prices = new Map<string, number>();
  readonly #orders = new Map<string, Order>();
  readonly #pending = new Map<string, Order>();
  readonly #fills: Fill[] = [];
  #seq = 0;
  #lastOrderCreatedAt: number | undefined;
  #commission = 0;
  readonly #expiry: VirtualExpiry;
  /**
   * @param historyLimit finished orders and fills kept in memory (each): a long shadow run would
   *   otherwise grow without bound; the oldest are dropped in chunks of a tenth of the limit
   * @param sessions the trading sessions DAY orders live in (SafeBroker passes the risk layer's
   *   `session` config); default: UTC days
   */
  constructor(
    readonly initialCash: number,
    readonly costs: PaperCostModel = { slippageBps: 0, commissionPerShare: 0, commissionPct: 0, minCommission: 0 },
    readonly historyLimit = VIRTUAL_HISTORY_LIMIT,
    sessions = new SessionCalendar(),
  ) {
    this.#cash = initialCash;
    this.#expiry = new VirtualExpiry(sessions);
  }

  get cash(): number { return this.#cash; }
  get totalCommission(): number { return this.#commission; }
  /** cash + Σ quantity × marked price */
  get accountValue(): number { return this.book.marketValue(this.#cash); }
  get grossExposure(): number {
    this.book.measure();
    return this.book.gross;
  }
  /** Σ realized P&L (before commission) over all assets, open or closed */
  get realizedPnl(): number {
    let v = 0;
    for (const p of this.book.list) v += p.realizedPnl;
    return v;
  }
  get unrealizedPnl(): number {
    let v = 0;
    for (const p of this.book.list) v += p.unrealizedPnl;
    return v;
  }
  lastPrice(asset: string): number | undefined { return this.#prices.get(asset); }

  /** Non-flat positions (copies). */
  positions(): Position[] {
    const out: Position[] = [];
    for (const p of this.book.list) if (p.quantity !== 0) out.push({ ...p });
    return out;
  }
  position(asset: string): Position | undefined {
    const p = this.book.get(asset);
    return p && p.quantity !== 0 ? { ...p } : undefined;
  }
  /** live view for hot paths (do not mutate) */
  positionRef(asset: string): Position | undefined { return this.book.get(asset); }
  positionsRef(): IterableIterator<Position> { return this.book.list.values(); }
  pendingOrders(): Order[] { return [...this.#pending.values()].map((o) => ({ ...o })); }
  order(clientOrderId: string): Order | undefined { const o = this.#orders.get(clientOrderId); return o ? { ...o } : undefined; }
  orders(since = 0): Order[] { return [...this.#orders.values()].filter((o) => o.updatedAt >= since).map((o) => ({ ...o })); }
  fills(since = 0): Fill[] { return this.#fills.filter((f) => f.timestamp >= since).map((f) => ({ ...f })); }

  /**
   * What a restart needs (`ShadowAccountData`): cash, commission, the id sequence, every position
   * ever held (closed ones keep their realized P&L) and the resting orders. Copies.
   */
  toState(): ShadowAccountData {
    const pending: ShadowAccountData['pending'] = [];
    for (const o of this.#pending.values()) pending.push({ ...o, status: 'SUBMITTED' });
    const state: ShadowAccountData = { cash: this.#cash, totalCommission: this.#commission, seq: this.#seq, positions: this.book.list.map((p) => ({ ...p })), pending };
    if (this.#lastOrderCreatedAt !== undefined) state.lastOrderCreatedAt = this.#lastOrderCreatedAt;
    return state;
  }

  /** The last number of the virtual id sequence (`virtual-<n>` orders, `virtual-exec-<n>` fills); stored, so never reused after a restart. */
  get seq(): number { return this.#seq; }

  /** `createdAt` of the last order taken (this run, or restored), undefined before any. */
  get lastOrderCreatedAt(): number | undefined { return this.#lastOrderCreatedAt; }

  /**
   * Takes over a stored account (after a restart). Positions keep their last marks for valuation;
   * fills wait for a price seen after the restart (`mark`/`onPrice`), never the stored marks.
   * Resting orders expire by the usual rules at the first `expire` (a DAY order of an earlier
   * session, a GTD past its `expireAt`).
   */
  restore(state: ShadowAccountData): void {
    this.#cash = state.cash;
    this.#commission = state.totalCommission;
    this.#seq = state.seq;
    this.#lastOrderCreatedAt = state.lastOrderCreatedAt;
    this.book.clear();
    for (const p of state.positions) this.book.set(p.asset, PositionRecord.copyOf(p));
    this.#pending.clear();
    this.#expiry.clear();
    for (const o of state.pending) {
      const order: Order = { ...o };
      this.#pending.set(order.clientOrderId, order);
      this.#orders.set(order.clientOrderId, order);
      this.#expiry.track(order);
    }
  }

  #slack(): number { return Math.max(1, Math.floor(this.historyLimit / 10)); }

  /** Drops the oldest finished orders down to `historyLimit` (resting ones stay, whatever their age). */
  #trimOrders(): void {
    let excess = this.#orders.size - this.historyLimit;
    for (const [id] of this.#orders) {
      if (excess <= 0) break;
      if (this.#pending.has(id)) continue;
      this.#orders.delete(id);
      excess--;
    }
  }

  /** Price after slippage for a taker on `side`. */
  fillPrice(side: 'BUY' | 'SELL', price: number): number {
    const s = this.costs.slippageBps / 10_000;
    return side === 'BUY' ? price * (1 + s) : price * (1 - s);
  }
  commissionFor(quantity: number, price: number): number {
    const c = this.costs;
    const raw = c.commissionPerShare * quantity + (c.commissionPct / 100) * quantity * price;
    return quantity > 0 ? Math.max(c.minCommission, raw) : 0;
  }

  /** Re-marks an asset (every bar). */
  mark(asset: string, price: number): void {
    this.#prices.set(asset, price);
    this.book.mark(asset, price);
  }

  /**
   * Applies one execution of `quantity` (> 0) on `side` at market price `price` (slippage and
   * commission applied here). Returns the realized P&L of the fill and the fill price.
   */
  execute(asset: string, side: 'BUY' | 'SELL', quantity: number, price: number): { price: number; commission: number; realized: number } {
    const px = this.fillPrice(side, price);
    const commission = this.commissionFor(quantity, px);
    const signed = side === 'BUY' ? quantity : -quantity;
    let position = this.book.get(asset);
    if (position === undefined) this.book.set(asset, position = new PositionRecord(asset, px));
    const realized = applyFillInPlace(position, signed, px);
    markPosition(position, this.#prices.get(asset) ?? price);
    this.#cash -= signed * px + commission;
    this.#commission += commission;
    return { price: px, commission, realized };
  }

  /**
   * Takes an order. A market order (or a marketable limit/stop) fills now at `price`; others
   * wait for `onPrice`. A reduce-only order that would open, add to or flip the position is
   * rejected, as a venue would; a GTD order whose `expireAt` is not after `now` is EXPIRED
   * unfilled. Returns the order and, when it filled, the execution.
   */
  submit(intent: OrderIntent, price: number | undefined, now: number): { order: Order; execution?: VirtualExecution } {
    const order: Order = {
      orderId: `virtual-${++this.#seq}`, clientOrderId: intent.clientOrderId, asset: intent.asset, side: intent.side,
      quantity: intent.quantity, orderType: intent.orderType, timeInForce: intent.timeInForce, status: 'SUBMITTED',
      filledQuantity: 0, avgFillPrice: 0, createdAt: intent.createdAt, updatedAt: now, submittedAt: now,
    };
    if (intent.limitPrice !== undefined) order.limitPrice = intent.limitPrice;
    if (intent.stopPrice !== undefined) order.stopPrice = intent.stopPrice;
    if (intent.tag !== undefined) order.tag = intent.tag;
    if (intent.reduceOnly !== undefined) order.reduceOnly = intent.reduceOnly;
    if (intent.expireAt !== undefined) order.expireAt = intent.expireAt;
    if (this.#orders.size >= this.historyLimit + this.#slack()) this.#trimOrders(); // before the new one joins: it is never dropped
    this.#orders.set(order.clientOrderId, order);
    if (this.#lastOrderCreatedAt === undefined || intent.createdAt > this.#lastOrderCreatedAt) this.#lastOrderCreatedAt = intent.createdAt;
    if (price === undefined || !(price > 0)) {
      order.status = 'REJECTED';
      order.rejectionReason = 'shadow: no market price to fill against';
      return { order: { ...order } };
    }
    if (intent.reduceOnly === true && !reducesPosition(this.book.get(intent.asset)?.quantity ?? 0, intent.side, intent.quantity, 1e-9)) {
      order.status = 'REJECTED';
      order.rejectionReason = 'shadow: reduce-only order would open, add to or flip the position';
      return { order: { ...order } };
    }
    if (VirtualExpiry.gtdReached(order, now)) {
      order.status = 'EXPIRED';
      return { order: { ...order } };
    }
    const execution = this.#tryFill(order, price, now);
    if (execution) return { order: { ...order }, execution };
    if (intent.timeInForce === 'IOC' || intent.timeInForce === 'FOK') {
      order.status = 'CANCELLED';
      return { order: { ...order } };
    }
    this.#pending.set(order.clientOrderId, order);
    this.#expiry.track(order);
    return { order: { ...order } };
  }

  /**
   * Ends the resting orders that are over at engine time `now` (GTD at `expireAt`, DAY once its
   * session is over): EXPIRED, no longer pending. Call before the prices of an event at `now`.
   */
  expire(now: number): readonly Order[] {
    if (this.#pending.size === 0) return NO_ORDERS;
    const ids = this.#expiry.due(now);
    if (ids.length === 0) return NO_ORDERS;
    const out: Order[] = [];
    for (let i = 0; i < ids.length; i++) {
      const o = this.#pending.get(ids[i] as string);
      if (o === undefined) continue;
      this.#pending.delete(o.clientOrderId);
      o.status = 'EXPIRED';
      o.updatedAt = now;
      out.push({ ...o });
    }
    return out;
  }

  /** Marks the asset and fills waiting orders the price reaches. */
  onPrice(asset: string, price: number, now: number): readonly VirtualExecution[] {
    this.mark(asset, price);
    if (this.#pending.size === 0) return NO_EXECUTIONS;
    const out: VirtualExecution[] = [];
    for (const o of this.#pending.values()) {
      if (o.asset !== asset) continue;
      const ex = this.#tryFill(o, price, now);
      if (ex) { this.#pending.delete(o.clientOrderId); this.#expiry.forget(o.clientOrderId); out.push(ex); }
    }
    return out;
  }

  cancel(clientOrderId: string, now: number): Order | undefined {
    const o = this.#pending.get(clientOrderId);
    if (!o) return undefined;
    this.#pending.delete(clientOrderId);
    this.#expiry.forget(clientOrderId);
    o.status = 'CANCELLED';
    o.updatedAt = now;
    return { ...o };
  }

  #tryFill(o: Order, price: number, now: number): VirtualExecution | undefined {
    const buy = o.side === 'BUY';
    if (o.orderType === 'STOP' || o.orderType === 'STOP_LIMIT') {
      const stop = o.stopPrice ?? price;
      const triggered = buy ? price >= stop : price <= stop;
      if (!triggered) return undefined;
    }
    if (o.orderType === 'LIMIT' || o.orderType === 'STOP_LIMIT') {
      const lim = o.limitPrice ?? price;
      if (buy ? price > lim : price < lim) return undefined;
    }
    const heldBefore = this.book.get(o.asset)?.quantity ?? 0;
    const ex = this.execute(o.asset, o.side, o.quantity, price);
    o.status = 'FILLED';
    o.filledQuantity = o.quantity;
    o.avgFillPrice = ex.price;
    o.updatedAt = now;
    o.filledAt = now;
    const fill: Fill = {
      executionId: `virtual-exec-${++this.#seq}`, orderId: o.orderId, clientOrderId: o.clientOrderId, asset: o.asset,
      side: o.side, quantity: o.quantity, price: ex.price, commission: ex.commission, timestamp: now, cumulativeQuantity: o.quantity,
    };
    this.#fills.push(fill);
    if (this.#fills.length > this.historyLimit + this.#slack()) this.#fills.splice(0, this.#fills.length - this.historyLimit);
    return { order: { ...o }, fill: { ...fill }, realized: ex.realized, heldBefore, position: { ...(this.book.get(o.asset) as Position) } };
  }
}
