/**
 * Tradewire's view of IB orders, keyed by clientOrderId (IB orderRef) and IB order id. Applies
 * openOrder / orderStatus / execDetails / commissionReport in any order and any number of times:
 * statuses never move backwards, executions count once per execution (`executionKey`: a correction
 * is the same execution), and a fill is emitted once, after its commissionReport arrived (or
 * `commissionWaitMs` passed). A correction's new figures are logged, not booked: the first report stays.
 */
import { isTerminal, type Clock, type Fill, type Logger, type Order, type OrderIntent, type OrderStatus, type TimerHandle } from '@tradewire/core';
import type { Contract, Execution, Order as IBOrder, OrderState } from '@stoqey/ib';
import { completedOrderStatus } from './mapping/completed-order.js';
import { fromIBOrderType, fromIBTif, mapIBStatus, orderSeed, type OrderSeed } from './mapping/order.js';
import { executionKey, toFill, validCommission } from './mapping/execution.js';
import { ibOrderKey, type IBOrderRef } from './order-key.js';

export interface TrackedOrder {
  order: Order;
  ibOrderId: number;
  /** `ibOrderKey` of the order: (client id, order id), or the permId of an order entered in TWS */
  key: string;
  /** executions by `executionKey` (emitted or waiting for commission) */
  fills: Map<string, Fill>;
  statusFilled: number;
  statusAvg: number;
  /** adopted from executions alone: an openOrder or completedOrder may still correct it */
  provisional: boolean;
  /** IB's permanent id, once a venue message named it */
  permId?: number;
  acked: boolean;
  /** registration order: a sync only finishes orders registered before it started */
  seq: number;
  /** an update for this order was pushed at least once (adopted orders are announced on discovery) */
  announced: boolean;
  ackWaiters: ((outcome: AckOutcome) => void)[];
}

export type AckOutcome = { kind: 'ack' } | { kind: 'error'; code: number; message: string; cause?: unknown };

const RANK: Record<OrderStatus, number> = { UNKNOWN: -1, PENDING_SUBMIT: 0, SUBMITTED: 1, PARTIALLY_FILLED: 2, FILLED: 3, CANCELLED: 3, REJECTED: 3, EXPIRED: 3 };

export class OrderTracker {
  readonly #byRef = new Map<string, TrackedOrder>();
  /** by `ibOrderKey`: order ids alone collide across API clients and for orders entered in TWS */
  readonly #byKey = new Map<string, TrackedOrder>();
  readonly #emitted = new Set<string>();
  /** every execId seen, corrections included (their commission reports are not early ones) */
  readonly #seenExecIds = new Set<string>();
  #seq = 0;
  /** executions found by the initial sync: recorded, never announced */
  readonly #silent = new Set<string>();
  readonly #waiting = new Map<string, { fill: Fill; t: TrackedOrder; timer: TimerHandle }>();
  /** called whenever a fill stops waiting for its commission (`commissionsSettled`) */
  readonly #settleListeners = new Set<() => void>();
  /** execIds whose fill went out with commission 0 after `commissionWaitMs`: a later report is logged */
  readonly #feeMissing = new Set<string>();
  readonly #earlyCommission = new Map<string, number>();
  readonly #orderListeners = new Set<(o: Order) => void>();
  readonly #fillListeners = new Set<(f: Fill) => void>();

  constructor(
    private readonly clock: Clock, private readonly logger: Logger, private readonly commissionWaitMs: number, private readonly assetOf: (c: Contract) => string,
    /** our API client id: the orders we place, and the ones TWS names without a client id */
    private readonly clientId: number,
  ) {}

  #key(r: IBOrderRef): string { return ibOrderKey(r.clientId ?? this.clientId, r.orderId, r.permId); }
  #own(ibOrderId: number): string { return ibOrderKey(this.clientId, ibOrderId, undefined); }

  onOrder(l: (o: Order) => void): () => void { this.#orderListeners.add(l); return () => this.#orderListeners.delete(l); }
  onFill(l: (f: Fill) => void): () => void { this.#fillListeners.add(l); return () => this.#fillListeners.delete(l); }

  get(clientOrderId: string): TrackedOrder | undefined { return this.#byRef.get(clientOrderId); }
  all(): TrackedOrder[] { return [...this.#byRef.values()]; }
  /** every fill emitted or waiting, newest last */
  fills(): Fill[] { return this.all().flatMap((t) => [...t.fills.values()]).sort((a, b) => a.timestamp - b.timestamp); }
  /** the fills no longer waiting for their commissionReport (a waiting one reaches `onFill` with its fee), newest last */
  settledFills(): Fill[] {
    const waiting = new Set([...this.#waiting.values()].map((w) => w.fill));
    return this.fills().filter((f) => !waiting.has(f));
  }

  /** A new submission under IB id `ibOrderId`. */
  register(intent: OrderIntent, ibOrderId: number): TrackedOrder {
    const now = this.clock.now();
    const order: Order = {
      orderId: String(ibOrderId), clientOrderId: intent.clientOrderId, asset: intent.asset, side: intent.side, quantity: intent.quantity,
      orderType: intent.orderType, timeInForce: intent.timeInForce, status: 'PENDING_SUBMIT', filledQuantity: 0, avgFillPrice: 0,
      createdAt: intent.createdAt, updatedAt: now,
    };
    if (intent.limitPrice !== undefined) order.limitPrice = intent.limitPrice;
    if (intent.stopPrice !== undefined) order.stopPrice = intent.stopPrice;
    if (intent.expireAt !== undefined) order.expireAt = intent.expireAt;
    if (intent.tag !== undefined) order.tag = intent.tag;
    if (intent.reduceOnly !== undefined) order.reduceOnly = intent.reduceOnly;
    const t: TrackedOrder = { order, ibOrderId, key: this.#own(ibOrderId), fills: new Map(), statusFilled: 0, statusAvg: 0, provisional: false, acked: false, announced: false, ackWaiters: [], seq: ++this.#seq };
    this.#byRef.set(order.clientOrderId, t);
    this.#byKey.set(t.key, t);
    return t;
  }

  /** Moves a submission to a new IB id (the first one was refused with 103). */
  rebind(t: TrackedOrder, ibOrderId: number): void {
    this.#byKey.delete(t.key);
    t.ibOrderId = ibOrderId;
    t.key = this.#own(ibOrderId);
    t.seq = ++this.#seq;
    t.order.orderId = String(ibOrderId);
    this.#byKey.set(t.key, t);
  }

  /** Forgets a submission the venue never accepted (duplicate id retried elsewhere, or failed send). */
  drop(t: TrackedOrder): void {
    this.#byKey.delete(t.key);
    this.#byRef.delete(t.order.clientOrderId);
  }

  waitForAck(t: TrackedOrder, timeoutMs: number): Promise<AckOutcome | { kind: 'timeout' }> {
    if (t.acked) return Promise.resolve({ kind: 'ack' });
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => { t.ackWaiters = t.ackWaiters.filter((w) => w !== done); resolve({ kind: 'timeout' }); }, timeoutMs);
      const done = (o: AckOutcome): void => { this.clock.clearTimeout(timer); resolve(o); };
      t.ackWaiters.push(done);
    });
  }

  /** A venue message named this order: it is acknowledged, and keeps the first permId named. */
  #heard(t: TrackedOrder, permId: number | undefined): void {
    if (permId) t.permId ??= permId;
    this.#ack(t, { kind: 'ack' });
  }

  #ack(t: TrackedOrder, outcome: AckOutcome): void {
    if (outcome.kind === 'ack') t.acked = true;
    const ws = t.ackWaiters;
    t.ackWaiters = [];
    for (const w of ws) w(outcome);
  }

  #adopt(id: IBOrderRef, ref: string, seed: OrderSeed, provisional: boolean): TrackedOrder {
    const now = this.clock.now();
    const ibOrderId = id.orderId;
    const key = this.#key(id);
    const clientOrderId = ref !== '' ? ref : `ib:${key}`;
    const order: Order = {
      orderId: String(ibOrderId), clientOrderId, orderType: 'MARKET', timeInForce: 'DAY', status: 'SUBMITTED', filledQuantity: 0, avgFillPrice: 0,
      createdAt: now, updatedAt: now, ...seed,
    };
    if (ref === '') order.external = true;
    const t: TrackedOrder = { order, ibOrderId, key, fills: new Map(), statusFilled: 0, statusAvg: 0, provisional, acked: true, announced: false, ackWaiters: [], seq: ++this.#seq };
    if (id.permId) t.permId = id.permId;
    this.#byRef.set(clientOrderId, t);
    this.#byKey.set(key, t);
    return t;
  }

  onOpenOrder(ibOrderId: number, contract: Contract, o: IBOrder, state: OrderState | undefined): void {
    const id: IBOrderRef = { orderId: ibOrderId, clientId: o.clientId, permId: o.permId };
    let t = this.#byKey.get(this.#key(id)) ?? (o.orderRef ? this.#byRef.get(o.orderRef) : undefined);
    if (!t) {
      t = this.#adopt(id, o.orderRef ?? '', orderSeed(this.assetOf(contract), o), false);
    } else if (t.provisional) {
      this.#correctProvisional(t, o);
    }
    this.#heard(t, o.permId);
    if (state?.status) this.#applyStatus(t, state.status, t.statusFilled, t.statusAvg);
  }

  /** An order adopted from its executions alone gets its real quantity, type and time in force. */
  #correctProvisional(t: TrackedOrder, o: IBOrder): void {
    t.provisional = false;
    if (o.totalQuantity !== undefined) t.order.quantity = o.totalQuantity;
    t.order.orderType = fromIBOrderType(o.orderType);
    t.order.timeInForce = fromIBTif(o.tif);
    if (t.order.status === 'FILLED') t.order.status = 'PARTIALLY_FILLED';
  }

  /**
   * A finished order from reqCompletedOrders. The message carries no order id: the order is found
   * by its orderRef (our clientOrderId), or by permId when it has none; an unknown one with an
   * orderRef is adopted (keyed by permId; its executions give it its order id). Its quantity and
   * final status are the venue's, its filled quantity a status figure; the fills and the average
   * price come from its executions while TWS still reports them.
   */
  onCompletedOrder(contract: Contract, o: IBOrder, state: OrderState): void {
    const status = completedOrderStatus(state);
    if (status === undefined) return;
    const ref = o.orderRef ?? '';
    let t = ref !== '' ? this.#byRef.get(ref) : this.#byPermId(o.permId);
    if (t && o.permId && t.permId !== undefined && t.permId !== o.permId) return; // another order under the same orderRef
    if (!t) {
      if (ref === '' || !o.permId) return; // unnamed and never seen: its executions adopt it
      t = this.#adopt({ orderId: 0, clientId: undefined, permId: o.permId }, ref, orderSeed(this.assetOf(contract), o), false);
      t.order.orderId = ''; // not on the wire: never overwrite a known one with a guess
    } else if (t.provisional) {
      this.#correctProvisional(t, o);
    }
    this.#heard(t, o.permId);
    if (status === 'REJECTED' && t.order.rejectionReason === undefined && state.completedStatus) t.order.rejectionReason = `IB: ${state.completedStatus}`;
    const filled = o.filledQuantity ?? 0;
    if (filled > t.statusFilled) t.statusFilled = filled;
    this.#recompute(t, status);
  }

  #byPermId(permId: number | undefined): TrackedOrder | undefined {
    if (!permId) return undefined;
    for (const t of this.#byRef.values()) if (t.permId === permId) return t;
    return undefined;
  }

  onOrderStatus(id: IBOrderRef, status: string, filled: number | undefined, avgFillPrice: number | undefined): void {
    const t = this.#byKey.get(this.#key(id));
    if (!t) return; // an order of another client we have not seen: reqAllOpenOrders will bring its openOrder
    this.#heard(t, id.permId);
    this.#applyStatus(t, status, filled ?? t.statusFilled, avgFillPrice ?? t.statusAvg);
  }

  #applyStatus(t: TrackedOrder, ibStatus: string, filled: number, avg: number): void {
    if (filled >= t.statusFilled) { t.statusFilled = filled; if (avg > 0) t.statusAvg = avg; }
    const mapped = mapIBStatus(ibStatus, t.statusFilled, t.order.quantity);
    this.#recompute(t, mapped === 'KEEP' ? t.order.status : mapped);
  }

  /** Returns true when the execution was new (not a replay). */
  onExecution(contract: Contract, e: Execution, announce = true): boolean {
    const execId = e.execId ?? '';
    if (execId === '') return false;
    const id: IBOrderRef = { orderId: e.orderId ?? 0, clientId: e.clientId, permId: e.permId };
    const orderKey = this.#key(id);
    let t = this.#byKey.get(orderKey) ?? (e.orderRef ? this.#byRef.get(e.orderRef) : undefined);
    const key = executionKey(execId);
    const known = t?.fills.get(key);
    const first = !this.#seenExecIds.has(execId);
    this.#seenExecIds.add(execId);
    if (known) {
      if (first) this.#corrected(known, e);
      return false;
    }
    if (!t) {
      t = this.#adopt(id, e.orderRef ?? '', { asset: this.assetOf(contract), side: e.side === 'SLD' ? 'SELL' : 'BUY', quantity: e.cumQty ?? e.shares ?? 0, status: 'FILLED' }, true);
    } else if (t.order.orderId === '' && id.orderId > 0) {
      // adopted from a completedOrder (no order id there): its execution names it
      t.ibOrderId = id.orderId;
      t.order.orderId = String(id.orderId);
      this.#byKey.set(orderKey, t);
    }
    this.#heard(t, e.permId);
    if (!announce) this.#silent.add(key);
    const early = this.#earlyCommission.get(execId);
    const fill = toFill(t.order.asset, t.order.clientOrderId, contract, e, early ?? 0, this.clock.now());
    t.fills.set(key, fill);
    if (t.provisional && (e.cumQty ?? 0) > t.order.quantity) t.order.quantity = e.cumQty ?? t.order.quantity;
    this.#recompute(t, t.order.status);
    if (early !== undefined) { this.#earlyCommission.delete(execId); this.#emitFill(fill); }
    else {
      const timer = this.clock.setTimeout(() => {
        if (!this.#waiting.has(execId)) return;
        this.logger.warn('ib: no commissionReport for execution; fill emitted with commission 0', { execId, waitedMs: this.commissionWaitMs });
        this.#feeMissing.add(execId);
        this.#emitFill(fill);
        this.#settle(execId);
      }, this.commissionWaitMs);
      this.#waiting.set(execId, { fill, t, timer });
    }
    return true;
  }

  onCommission(execId: string | undefined, commission: number | undefined): void {
    if (!execId) return;
    const c = validCommission(commission);
    const w = this.#waiting.get(execId);
    if (!w) {
      if (c !== undefined && !this.#seenExecIds.has(execId)) this.#earlyCommission.set(execId, c);
      else if (c !== undefined && this.#feeMissing.delete(execId)) {
        this.logger.warn('ib: commissionReport arrived after its fill was reported with commission 0; this fee is not booked', { execId, commission: c, waitedMs: this.commissionWaitMs });
      }
      return;
    }
    if (c === undefined) return; // a "pending" sentinel: wait for the real one or the timeout
    this.clock.clearTimeout(w.timer);
    w.fill.commission = c;
    this.#emitFill(w.fill);
    this.#settle(execId);
  }

  /**
   * Resolves once none of the fills now waiting for their commissionReport (those `include`
   * selects) is waiting any more: the report arrived, or `commissionWaitMs` passed, or `flush`.
   */
  commissionsSettled(include: (f: Fill) => boolean = () => true): Promise<void> {
    const pending = [...this.#waiting].filter(([, w]) => include(w.fill)).map(([id]) => id);
    if (pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (pending.some((id) => this.#waiting.has(id))) return;
        this.#settleListeners.delete(check);
        resolve();
      };
      this.#settleListeners.add(check);
    });
  }

  #settle(execId: string): void {
    this.#waiting.delete(execId);
    for (const l of [...this.#settleListeners]) l();
  }

  /** IB corrected an execution already counted: it stays counted once, with its first figures. */
  #corrected(fill: Fill, e: Execution): void {
    const changed = (e.shares !== undefined && Math.abs(e.shares) !== fill.quantity) || (e.price !== undefined && e.price !== fill.price);
    const details = { executionId: fill.executionId, execId: e.execId, quantity: fill.quantity, correctedQuantity: e.shares, price: fill.price, correctedPrice: e.price };
    if (changed) this.logger.warn('ib: execution corrected by IB; the fill keeps its first quantity and price (reconciliation compares positions)', details);
    else this.logger.info('ib: execution correction with the same figures', details);
  }

  /** An IB error bound to one of our order ids. Rejections finish the order; 202 cancels it. */
  onOrderError(ibOrderId: number, code: number, message: string, cause?: unknown): void {
    const t = this.#byKey.get(this.#own(ibOrderId));
    if (!t) return;
    if (code === 202) { this.#recompute(t, 'CANCELLED'); return; }
    if (code === 103 || code === 100) { this.#ack(t, { kind: 'error', code, message, cause }); return; }
    if (code === 201 || code === 200 || code === 203 || code === 110 || code === 321) {
      t.order.rejectionReason = `IB ${code}: ${message}`;
      this.#ack(t, { kind: 'error', code, message, cause });
      this.#recompute(t, 'REJECTED');
    }
  }

  /** Marks an order whose outcome was lost (submit timeout). */
  markUnknown(t: TrackedOrder): void { if (!t.acked) { t.order.status = 'UNKNOWN'; this.#emitOrder(t); } }

  /** A mark to pass to `reconcileOpen`: orders registered later were unknown to the venue's answer. */
  mark(): number { return this.#seq; }

  /**
   * After reqAllOpenOrders (sent after `mark`): an acknowledged, live order the venue no longer
   * lists is finished. Requests leave in order, so an order registered before the mark was placed
   * before the open-orders request and would be listed if it were open.
   */
  reconcileOpen(open: readonly IBOrderRef[], mark: number): void {
    const openKeys = new Set(open.map((r) => this.#key(r)));
    for (const t of this.#byRef.values()) {
      if (t.seq > mark) continue;
      if (isTerminal(t.order.status) || openKeys.has(t.key) || t.order.status === 'PENDING_SUBMIT') continue;
      if (!t.acked && t.order.status !== 'UNKNOWN') continue;
      const filled = this.#filledQty(t);
      if (t.order.status === 'UNKNOWN' && filled === 0) continue; // never seen at the venue: stays UNKNOWN
      this.#recompute(t, filled >= t.order.quantity && filled > 0 ? 'FILLED' : 'CANCELLED');
    }
  }

  #filledQty(t: TrackedOrder): number {
    let sum = 0;
    for (const f of t.fills.values()) sum += f.quantity;
    return Math.max(sum, t.statusFilled);
  }

  #recompute(t: TrackedOrder, proposed: OrderStatus): void {
    const o = t.order;
    const before = `${o.status}|${o.filledQuantity}|${o.avgFillPrice}`;
    let sum = 0;
    let notional = 0;
    for (const f of t.fills.values()) { sum += f.quantity; notional += f.quantity * f.price; }
    o.filledQuantity = Math.max(sum, t.statusFilled);
    o.avgFillPrice = sum > 0 && sum >= t.statusFilled ? notional / sum : t.statusAvg;
    let next = proposed;
    if (o.filledQuantity > 0 && o.filledQuantity >= o.quantity) next = 'FILLED';
    else if (o.filledQuantity > 0 && (next === 'SUBMITTED' || next === 'PENDING_SUBMIT' || next === 'UNKNOWN')) next = 'PARTIALLY_FILLED';
    const cur = o.status;
    const forward = cur === 'UNKNOWN' || RANK[next] > RANK[cur] || (next === 'FILLED' && cur !== 'FILLED') || (RANK[next] === RANK[cur] && !isTerminal(cur));
    if (forward) o.status = next;
    if (o.status === 'SUBMITTED' && o.submittedAt === undefined) o.submittedAt = this.clock.now();
    if (o.status === 'FILLED' && o.filledAt === undefined) o.filledAt = this.clock.now();
    if (`${o.status}|${o.filledQuantity}|${o.avgFillPrice}` !== before || !t.announced) {
      o.updatedAt = this.clock.now();
      this.#emitOrder(t);
    }
  }

  #emitOrder(t: TrackedOrder): void {
    t.announced = true;
    const copy = { ...t.order };
    for (const l of this.#orderListeners) { try { l(copy); } catch (e) { this.logger.error('ib: order listener threw', { error: e }); } }
  }

  #emitFill(f: Fill): void {
    if (this.#emitted.has(f.executionId)) return;
    this.#emitted.add(f.executionId);
    if (this.#silent.delete(f.executionId)) return;
    const copy = { ...f };
    for (const l of this.#fillListeners) { try { l(copy); } catch (e) { this.logger.error('ib: fill listener threw', { error: e }); } }
  }

  /** Stops commission timers (disconnect). Waiting fills are emitted now with what is known. */
  flush(): void {
    for (const [id, w] of this.#waiting) { this.clock.clearTimeout(w.timer); this.#emitFill(w.fill); this.#settle(id); }
  }
}
