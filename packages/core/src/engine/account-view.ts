import type { Fill } from '../domain/fill.js';
import { isTerminal, type Order } from '../domain/order.js';
import { applyFillToPosition, markPosition, type Position } from '../domain/position.js';
import { isBar, isQuote, isTrade, type MarketDataMap } from '../domain/market-data.js';
import type { AccountSnapshot } from './extension.js';

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
  readonly positions = new Map<string, Position>();
  readonly openOrders = new Map<string, Order>();
  readonly lastPrices = new Map<string, number>();
  readonly lastPriceAt = new Map<string, number>();
  #seenExec = new Set<string>();
  #execRing: string[] = [];
  #execHead = 0;
  #terminal = new Set<string>();
  #terminalRing: string[] = [];
  #terminalHead = 0;
  /**
   * @param maxRememberedExecutions execution ids remembered for in-memory dedupe (the durable
   *   journal dedupes beyond that); also the number of recently finished orders remembered
   *   to ignore late, out-of-order updates
   */
  constructor(private readonly maxRememberedExecutions = 20_000) {}

  reset(cash: number, positions: readonly Position[], openOrders: readonly Order[]): void {
    this.cash = cash;
    this.positions.clear();
    for (const p of positions) if (p.quantity !== 0) this.positions.set(p.asset, { ...p });
    this.openOrders.clear();
    for (const o of openOrders) if (!isTerminal(o.status)) this.openOrders.set(o.clientOrderId, { ...o });
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
      this.lastPrices.set(sym, px);
      this.lastPriceAt.set(sym, timestamp);
      const pos = this.positions.get(sym);
      if (pos) markPosition(pos, px);
    }
  }

  /**
   * Records an order update; terminal orders leave the open set. An update that would move an
   * order backwards (a late SUBMITTED after FILLED, fewer filled shares) is ignored: returns false.
   */
  onOrderUpdate(order: Order): boolean {
    const id = order.clientOrderId;
    const open = this.openOrders;
    if (isTerminal(order.status)) {
      if (!open.delete(id) && this.#terminal.has(id)) return false;
      this.#rememberTerminal(id);
      return true;
    }
    const cur = open.get(id);
    if (cur === undefined) {
      if (this.#terminal.has(id)) return false; // a late update for an order already finished
    } else if (cur.filledQuantity > order.filledQuantity || (cur.status !== 'PENDING_SUBMIT' && order.status === 'PENDING_SUBMIT')) return false;
    open.set(id, order);
    return true;
  }

  #rememberTerminal(id: string): void {
    this.#terminal.add(id);
    if (this.#terminalRing.length < AccountView.TERMINAL_MEMORY) { this.#terminalRing.push(id); return; }
    const old = this.#terminalRing[this.#terminalHead];
    if (old !== undefined) this.#terminal.delete(old);
    this.#terminalRing[this.#terminalHead] = id;
    this.#terminalHead = (this.#terminalHead + 1) % AccountView.TERMINAL_MEMORY;
  }

  /** Applies a fill once. Returns false for a duplicate execution id. */
  onFill(fill: Fill): boolean {
    if (this.#seenExec.has(fill.executionId)) return false;
    this.#remember(fill.executionId);
    const signed = fill.side === 'BUY' ? fill.quantity : -fill.quantity;
    const { position } = applyFillToPosition(this.positions.get(fill.asset), fill.asset, signed, fill.price);
    const last = this.lastPrices.get(fill.asset);
    if (last !== undefined) markPosition(position, last);
    if (position.quantity === 0) this.positions.delete(fill.asset);
    else this.positions.set(fill.asset, position);
    this.cash -= signed * fill.price + fill.commission;
    return true;
  }

  #remember(id: string): void {
    this.#seenExec.add(id);
    if (this.#execRing.length < this.maxRememberedExecutions) { this.#execRing.push(id); return; }
    const old = this.#execRing[this.#execHead];
    if (old !== undefined) this.#seenExec.delete(old);
    this.#execRing[this.#execHead] = id;
    this.#execHead = (this.#execHead + 1) % this.maxRememberedExecutions;
  }

  position(asset: string): number { return this.positions.get(asset)?.quantity ?? 0; }

  /** cash + marked value of positions */
  accountValue(): number {
    let v = this.cash;
    for (const p of this.positions.values()) v += p.quantity * p.currentPrice;
    return v;
  }

  snapshot(timestamp: number): AccountSnapshot {
    return {
      cash: this.cash,
      accountValue: this.accountValue(),
      positions: [...this.positions.values()].map((p) => ({ ...p })),
      openOrders: [...this.openOrders.values()].map((o) => ({ ...o })),
      lastPrices: Object.fromEntries(this.lastPrices),
      timestamp,
    };
  }
}
