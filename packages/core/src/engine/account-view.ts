import type { Fill } from '../domain/fill.js';
import { isTerminal, type Order } from '../domain/order.js';
import { PositionRecord, applyFillInPlace, markPosition, type Position } from '../domain/position.js';
import { isBar, isQuote, isTrade, type MarketDataMap } from '../domain/market-data.js';
import type { AccountSnapshot } from './extension.js';

import { FinishedOrders, addExec, hasExec, type ExecIds } from './finished-orders.js';

const KEEP = Symbol('keep');

/**
 * The engine's in-memory mirror of the account: cash, positions, open orders and last prices,
 * kept current from broker events so the strategy's reads are synchronous. Fills are applied
 * once per execution id.
 * @public
 */
export class AccountView {
  /** recently finished orders remembered to ignore late, out-of-order updates */
  static readonly TERMINAL_MEMORY = 4096;
  cash = 0;
  /**
   * Positions by asset. A position that goes flat stays as a placeholder (quantity 0; readers
   * skip it): emptying a small Map makes V8 reallocate its table, and an order-every-bar
   * strategy that flips between flat and one lot would do so on every other fill.
   */
  readonly #positions = new Map<string, Position>();
  /** open orders by clientOrderId; KEEP stays in it for good (same reason as above) */
  readonly #open = new Map<string | typeof KEEP, Order | undefined>([[KEEP, undefined]]);
  /**
   * Last price and its time per symbol, with the symbol's position (once it has one): one Map
   * read per symbol per event, and the numbers are updated in place (a Map of numbers would
   * allocate a box for every price it stores).
   */
  readonly #marks = new Map<string, Mark>();
  // Dedupe memory is kept per order, because the per-order maps are tiny or touched anyway:
  // the execution ids applied for an open order live next to it (#openExec, as small as the open
  // set) and move with the order into the finished-order memory (#terminalYoung) when it ends. Only
  // fills for orders the view doesn't know go to a global execution-id Set (#orphanExec). A
  // fill thus costs no lookup in a large Set, and a finished order one insert.
  /**
   * execution ids applied for each open order that has fills. KEEP stays in it for good:
   * emptying a small Map makes V8 reallocate its table, and this one empties on every order.
   */
  readonly #openExec = new Map<string | typeof KEEP, ExecIds>([[KEEP, '']]);
  /**
   * Recently finished orders (to ignore late updates) → the execution ids applied for them;
   * one insert per order and no lookup for orders the engine has just created (#freshId).
   */
  readonly #finished: FinishedOrders;
  /** a clientOrderId this engine generated and is submitting now: it can't have finished before */
  #freshId: string | undefined;
  // The fresh order's state while its submit call runs (a broker may report the ack, fills and
  // the final update before the call returns: the paper broker does). It enters the open-order
  // maps only if it is still open when the call returns, so an order filled at once costs no
  // Map insert and delete at all.
  #freshOpen: Order | undefined;
  #freshExec: ExecIds | undefined;
  #freshDone = false;
  /** execution ids of fills for orders neither open nor remembered as finished */
  #orphanExec = new Set<string>();
  #orphanRing: string[] = [];
  #orphanHead = 0;
  /**
   * The terminal update applied last. A broker's submit result often is that very object (the
   * paper broker returns the snapshot it just emitted); seeing it again is a no-op, answered
   * without touching the Sets.
   */
  #lastTerminal: Order | undefined;
  /**
   * @param maxRememberedExecutions execution ids remembered for in-memory dedupe (the durable
   *   journal dedupes beyond that); also the number of recently finished orders remembered
   *   to ignore late, out-of-order updates (at least `TERMINAL_MEMORY`). The engine passes
   *   `TERMINAL_MEMORY` for a broker that deduplicates fills itself (`deduplicatesFills`).
   */
  constructor(readonly maxRememberedExecutions = 20_000) {
    // finished orders carry their fills' ids: remember at least as many orders as executions
    this.#finished = new FinishedOrders(Math.max(AccountView.TERMINAL_MEMORY, maxRememberedExecutions));
  }

  reset(cash: number, positions: readonly Position[], openOrders: readonly Order[]): void {
    this.cash = cash;
    this.#positions.clear();
    for (const m of this.#marks.values()) m.position = undefined;
    for (const p of positions) {
      if (p.quantity === 0) continue;
      const pos = PositionRecord.copyOf(p);
      // the broker's report may carry a stale mark (IB reports average cost): use our last price
      const last = this.lastPrice(p.asset);
      this.#setPosition(p.asset, last === undefined ? pos : markPosition(pos, last));
    }
    for (const id of this.#open.keys()) if (id !== KEEP) this.#open.delete(id);
    for (const o of openOrders) if (!isTerminal(o.status)) this.#open.set(o.clientOrderId, { ...o });
    // fills of orders no longer open stay remembered, as fills of unknown orders
    for (const [id, ex] of this.#openExec) {
      if (id === KEEP || this.#open.has(id)) continue;
      this.#openExec.delete(id);
      if (typeof ex === 'string') this.#rememberOrphan(ex);
      else for (const e of ex) this.#rememberOrphan(e);
    }
  }

  /** Updates last prices (bar close, trade price, quote mid) and marks held positions. */
  onMarketData(timestamp: number, data: MarketDataMap): void {
    for (const sym in data) {
      const d = data[sym];
      let px: number | undefined;
      if (isBar(d)) px = d.close;
      else if (isTrade(d)) px = d.price;
      else if (isQuote(d)) px = d.bid > 0 && d.ask > 0 ? (d.bid + d.ask) / 2 : undefined;
      if (px === undefined || !Number.isFinite(px)) continue;
      let m = this.#marks.get(sym);
      if (m === undefined) { m = new Mark(this.#positions.get(sym)); this.#marks.set(sym, m); }
      m.price = px;
      m.at = timestamp;
      const pos = m.position;
      if (pos !== undefined && pos.quantity !== 0) markPosition(pos, px);
    }
  }

  /**
   * Last prices from before a restart (a checkpoint's `lastPrices`), taken only for symbols with
   * no price yet: a position restored before the first bar is then marked at its last known price,
   * not at cost. Non-finite or non-positive prices are ignored.
   */
  seedPrices(prices: Readonly<Record<string, unknown>>, timestamp: number): number {
    let n = 0;
    for (const sym of Object.keys(prices)) {
      const px = prices[sym];
      if (typeof px !== 'number' || !Number.isFinite(px) || px <= 0 || this.#marks.has(sym)) continue;
      const m = new Mark(this.#positions.get(sym));
      m.price = px;
      m.at = timestamp;
      this.#marks.set(sym, m);
      if (m.position !== undefined && m.position.quantity !== 0) markPosition(m.position, px);
      n++;
    }
    return n;
  }

  /**
   * Records an order update; terminal orders leave the open set. An update that would move an
   * order backwards (a late SUBMITTED after FILLED, fewer filled shares) is ignored: returns false.
   */
  onOrderUpdate(order: Order): boolean {
    const id = order.clientOrderId;
    if (id === this.#freshId) return this.#onFreshUpdate(id, order);
    const open = this.#open;
    if (isTerminal(order.status)) {
      if (order === this.#lastTerminal) return false;
      let ex: ExecIds | undefined;
      if (open.delete(id)) {
        ex = this.#openExec.get(id);
        if (ex !== undefined) this.#openExec.delete(id);
      } else if (this.#finished.has(id)) return false;
      this.#finished.add(id, ex);
      this.#lastTerminal = order;
      return true;
    }
    const cur = open.get(id);
    if (cur === undefined) {
      if (this.#finished.has(id)) return false; // a late update for an order already finished
    } else if (cur.filledQuantity > order.filledQuantity || (cur.status !== 'PENDING_SUBMIT' && order.status === 'PENDING_SUBMIT')) return false;
    open.set(id, order);
    return true;
  }

  /** `onOrderUpdate` for the order being submitted (same rules, kept in the #fresh fields). */
  #onFreshUpdate(id: string, order: Order): boolean {
    if (this.#freshDone) return false; // it has finished already
    if (isTerminal(order.status)) {
      this.#finished.add(id, this.#freshExec);
      this.#freshDone = true;
      this.#freshOpen = undefined;
      this.#freshExec = undefined;
      this.#lastTerminal = order;
      return true;
    }
    const cur = this.#freshOpen;
    if (cur !== undefined && (cur.filledQuantity > order.filledQuantity || (cur.status !== 'PENDING_SUBMIT' && order.status === 'PENDING_SUBMIT'))) return false;
    this.#freshOpen = order;
    return true;
  }

  /**
   * The engine is submitting an order under an id it has just generated (until `undefined`):
   * updates for it skip the finished-order lookup (generated ids are unique, so it would miss)
   * and stay out of the open-order maps until the call returns.
   */
  expectNewOrder(clientOrderId: string | undefined): void {
    const id = this.#freshId;
    if (id !== undefined && !this.#freshDone) {
      // still open when its submit returned: from now on it is an open order like any other
      if (this.#freshOpen !== undefined) {
        this.#open.set(id, this.#freshOpen);
        if (this.#freshExec !== undefined) this.#openExec.set(id, this.#freshExec);
      } else if (this.#freshExec !== undefined) {
        // fills without any order update: remembered as fills of an unknown order
        const ex = this.#freshExec;
        if (typeof ex === 'string') this.#rememberOrphan(ex);
        else for (const e of ex) this.#rememberOrphan(e);
      }
    }
    this.#freshId = clientOrderId;
    this.#freshOpen = undefined;
    this.#freshExec = undefined;
    this.#freshDone = false;
  }

  /** Applies a fill once. Returns false for a duplicate execution id. */
  onFill(fill: Fill): boolean {
    if (!this.#isNewExecution(fill)) return false;
    const signed = fill.side === 'BUY' ? fill.quantity : -fill.quantity;
    // in place: readers get copies (strategy broker, snapshot), and bars re-mark it in place anyway
    let position = this.#positions.get(fill.asset);
    if (position === undefined) {
      position = new PositionRecord(fill.asset, fill.price);
      this.#setPosition(fill.asset, position);
    } else if (position.quantity === 0) {
      // a flat placeholder: start afresh, exactly as a new position would
      position.avgEntryPrice = 0;
      position.currentPrice = fill.price;
      position.unrealizedPnl = 0;
      position.realizedPnl = 0;
    }
    applyFillInPlace(position, signed, fill.price);
    const last = this.lastPrice(fill.asset);
    if (last !== undefined) markPosition(position, last);
    this.cash -= signed * fill.price + fill.commission;
    return true;
  }

  /** Checks the execution id against the memory of its order (or of unknown orders) and records it. */
  #isNewExecution(fill: Fill): boolean {
    const e = fill.executionId;
    // seen while its order was unknown (a fill can overtake the order's first update)
    if (this.#orphanExec.size !== 0 && this.#orphanExec.has(e)) return false;
    const id = fill.clientOrderId;
    if (id === this.#freshId && !this.#freshDone) {
      const prev = this.#freshExec;
      if (prev !== undefined && hasExec(prev, e)) return false;
      this.#freshExec = addExec(prev, e);
      return true;
    }
    if (this.#open.has(id)) {
      const prev = this.#openExec.get(id);
      if (prev !== undefined && hasExec(prev, e)) return false;
      this.#openExec.set(id, addExec(prev, e));
      return true;
    }
    const late = this.#finished.recordExec(id, e); // a fill reported after its order finished
    if (late !== undefined) return late;
    // An order we don't know: rare (external orders, fills after a resync), so it may be slow.
    // Look through the per-order memories too: a venue may report one execution under two
    // order ids (say, replayed after a reconnect before the order ref is mapped).
    if (this.#inOrderMemory(e)) return false;
    this.#rememberOrphan(e);
    return true;
  }

  #inOrderMemory(e: string): boolean {
    if (this.#freshExec !== undefined && hasExec(this.#freshExec, e)) return true;
    for (const [id, x] of this.#openExec) if (id !== KEEP && hasExec(x, e)) return true;
    return this.#finished.anyHasExec(e);
  }

  #rememberOrphan(e: string): void {
    this.#orphanExec.add(e);
    if (this.#orphanRing.length < this.maxRememberedExecutions) { this.#orphanRing.push(e); return; }
    const old = this.#orphanRing[this.#orphanHead];
    if (old !== undefined) this.#orphanExec.delete(old);
    this.#orphanRing[this.#orphanHead] = e;
    this.#orphanHead = (this.#orphanHead + 1) % this.maxRememberedExecutions;
  }

  position(asset: string): number { return this.#positions.get(asset)?.quantity ?? 0; }

  /** The last price seen for `asset` (bar close, trade, quote mid), undefined before any. */
  lastPrice(asset: string): number | undefined {
    const m = this.#marks.get(asset);
    return m === undefined ? undefined : m.price;
  }

  /** When that price was seen (engine time, ms; a checkpoint's time for a price restored from it), undefined before any. */
  lastPriceTime(asset: string): number | undefined {
    const m = this.#marks.get(asset);
    return m === undefined ? undefined : m.at;
  }

  /** Every last price, by symbol. */
  lastPriceRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [sym, m] of this.#marks) out[sym] = m.price;
    return out;
  }

  #setPosition(asset: string, p: Position): void {
    this.#positions.set(asset, p);
    const m = this.#marks.get(asset);
    if (m !== undefined) m.position = p;
  }

  /** The position in `asset` (the view's own object: copy before handing it out), undefined when flat. */
  positionDetail(asset: string): Position | undefined {
    const p = this.#positions.get(asset);
    return p !== undefined && p.quantity !== 0 ? p : undefined;
  }

  /** Copies of the non-flat positions. */
  positionList(): Position[] {
    const out: Position[] = [];
    for (const p of this.#positions.values()) if (p.quantity !== 0) out.push({ ...p });
    return out;
  }

  /** Copies of the open orders (of one asset when given), oldest first. */
  openOrderList(asset?: string): Order[] {
    const out: Order[] = [];
    for (const o of this.#open.values()) if (o !== undefined && (asset === undefined || o.asset === asset)) out.push({ ...o });
    return out;
  }

  /** Is this order open in the view? */
  isOpen(clientOrderId: string): boolean { return this.#open.has(clientOrderId); }

  get openOrderCount(): number { return this.#open.size - 1; }

  /** cash + marked value of positions */
  accountValue(): number {
    let v = this.cash;
    for (const p of this.#positions.values()) v += p.quantity * p.currentPrice;
    return v;
  }

  snapshot(timestamp: number): AccountSnapshot {
    return {
      cash: this.cash,
      accountValue: this.accountValue(),
      positions: this.positionList(),
      openOrders: this.openOrderList(),
      lastPrices: this.lastPriceRecord(),
      timestamp,
    };
  }
}

/** A symbol's last price, its time and the view's position object for it. */
class Mark {
  price = 0;
  at = 0;
  constructor(public position: Position | undefined) {}
}
