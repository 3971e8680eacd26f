/** The fake TWS's own books: orders (by client and order id, as TWS keys them), executions (by execId), positions, cash. */
export interface LedgerOrder {
  orderId: number;
  clientId: number;
  permId: number;
  orderRef: string;
  symbol: string;
  action: 'BUY' | 'SELL';
  totalQuantity: number;
  orderType: string;
  lmtPrice: number | undefined;
  auxPrice: number | undefined;
  tif: string;
  goodTillDate: string | undefined;
  account: string;
  status: string;
  filled: number;
  avgFillPrice: number;
  lastFillPrice: number;
  /** a stop order becomes a market/limit order once its trigger traded */
  triggered: boolean;
  /** once finished (Filled, Cancelled, Inactive): when, and TWS's words for it (completedOrder) */
  completedTime?: string;
  completedStatus?: string;
}

export interface LedgerExecution {
  execId: string;
  orderId: number;
  clientId: number;
  permId: number;
  orderRef: string;
  symbol: string;
  side: 'BOT' | 'SLD';
  shares: number;
  price: number;
  cumQty: number;
  avgPrice: number;
  commission: number;
  time: string;
}

export interface LedgerPosition { quantity: number; avgCost: number }

/**
 * TWS keys orders by (clientId, orderId): order ids are per API client, and every order placed by
 * hand in TWS has order id 0 (then the permId tells them apart).
 */
export function ledgerKey(clientId: number, orderId: number, permId: number): string {
  return orderId > 0 ? `${clientId}:${orderId}` : `perm:${permId}`;
}

export class FakeTwsLedger {
  readonly orders = new Map<string, LedgerOrder>();
  readonly executions = new Map<string, LedgerExecution>();
  readonly positions = new Map<string, LedgerPosition>();
  cash: number;
  realizedPnl = 0;
  constructor(startingCash: number) { this.cash = startingCash; }

  order(clientId: number, orderId: number): LedgerOrder | undefined { return this.orders.get(ledgerKey(clientId, orderId, 0)); }

  add(o: LedgerOrder): void { this.orders.set(ledgerKey(o.clientId, o.orderId, o.permId), o); }

  orderByRef(ref: string): LedgerOrder | undefined {
    for (const o of this.orders.values()) if (o.orderRef === ref) return o;
    return undefined;
  }

  /** Books one execution: position with average cost, cash less notional and commission. */
  book(order: LedgerOrder, exec: LedgerExecution): void {
    this.executions.set(exec.execId, exec);
    const signed = order.action === 'BUY' ? exec.shares : -exec.shares;
    const prev = this.positions.get(order.symbol) ?? { quantity: 0, avgCost: 0 };
    const q1 = prev.quantity + signed;
    let avg = prev.avgCost;
    if (prev.quantity === 0 || Math.sign(prev.quantity) === Math.sign(signed)) {
      avg = (Math.abs(prev.quantity) * prev.avgCost + Math.abs(signed) * exec.price) / Math.abs(q1);
    } else {
      const closed = Math.min(Math.abs(prev.quantity), Math.abs(signed));
      this.realizedPnl += closed * (exec.price - prev.avgCost) * Math.sign(prev.quantity);
      if (q1 === 0) avg = 0;
      else if (Math.sign(q1) !== Math.sign(prev.quantity)) avg = exec.price;
    }
    this.positions.set(order.symbol, { quantity: q1, avgCost: q1 === 0 ? 0 : avg });
    this.cash -= signed * exec.price + exec.commission;
    const filled = order.filled + exec.shares;
    order.avgFillPrice = (order.avgFillPrice * order.filled + exec.price * exec.shares) / filled;
    order.filled = filled;
    order.lastFillPrice = exec.price;
  }

  /** Net liquidation: cash plus positions marked at the given prices. */
  netLiquidation(priceOf: (symbol: string) => number | undefined): number {
    let v = this.cash;
    for (const [sym, p] of this.positions) v += p.quantity * (priceOf(sym) ?? p.avgCost);
    return v;
  }
}
