/** A venue's own books in a shape every fake venue can produce; the suite compares adapters against it. */
import type { OrderSide } from '@tradewire/core';

export type LedgerOrderState = 'open' | 'filled' | 'cancelled' | 'rejected' | 'expired';

export interface LedgerOrderRow {
  clientOrderId: string;
  venueOrderId: string;
  asset: string;
  side: OrderSide;
  quantity: number;
  filledQuantity: number;
  state: LedgerOrderState;
}

export interface LedgerExecutionRow {
  executionId: string;
  clientOrderId: string;
  asset: string;
  side: OrderSide;
  quantity: number;
  price: number;
  commission: number;
}

export interface VenueLedgerSnapshot {
  orders: LedgerOrderRow[];
  executions: LedgerExecutionRow[];
  /** signed quantity per asset (flat assets may be absent) */
  positions: Record<string, number>;
  cash: number;
  /** net liquidation at the venue's current prices, when the venue computes one */
  accountValue?: number;
}

/**
 * A small mutable ledger a fake venue can keep (or build a snapshot from), with the lookups the
 * suite needs. Executions are unique by id: booking the same id twice throws.
 */
export class VenueLedger {
  readonly orders = new Map<string, LedgerOrderRow>();
  readonly executions = new Map<string, LedgerExecutionRow>();
  readonly positions = new Map<string, number>();
  cash: number;
  accountValue: number | undefined;

  constructor(startingCash: number) { this.cash = startingCash; }

  static from(s: VenueLedgerSnapshot): VenueLedger {
    const l = new VenueLedger(s.cash);
    for (const o of s.orders) l.orders.set(o.clientOrderId, { ...o });
    for (const e of s.executions) l.executions.set(e.executionId, { ...e });
    for (const [a, q] of Object.entries(s.positions)) if (q !== 0) l.positions.set(a, q);
    l.accountValue = s.accountValue;
    return l;
  }

  order(clientOrderId: string): LedgerOrderRow | undefined { return this.orders.get(clientOrderId); }
  executionsFor(clientOrderId: string): LedgerExecutionRow[] { return [...this.executions.values()].filter((e) => e.clientOrderId === clientOrderId); }
  position(asset: string): number { return this.positions.get(asset) ?? 0; }
  openOrders(): LedgerOrderRow[] { return [...this.orders.values()].filter((o) => o.state === 'open'); }

  /** Books an execution: position, cash (notional and commission) and the order's filled quantity. */
  book(e: LedgerExecutionRow): void {
    if (this.executions.has(e.executionId)) throw new Error(`execution ${e.executionId} booked twice`);
    this.executions.set(e.executionId, { ...e });
    const signed = e.side === 'BUY' ? e.quantity : -e.quantity;
    const q = this.position(e.asset) + signed;
    if (Math.abs(q) < 1e-9) this.positions.delete(e.asset); else this.positions.set(e.asset, q);
    this.cash -= signed * e.price + e.commission;
    const o = this.orders.get(e.clientOrderId);
    if (o) {
      o.filledQuantity += e.quantity;
      if (o.filledQuantity >= o.quantity - 1e-9) o.state = 'filled';
    }
  }

  snapshot(): VenueLedgerSnapshot {
    const s: VenueLedgerSnapshot = {
      orders: [...this.orders.values()].map((o) => ({ ...o })),
      executions: [...this.executions.values()].map((e) => ({ ...e })),
      positions: Object.fromEntries(this.positions),
      cash: this.cash,
    };
    if (this.accountValue !== undefined) s.accountValue = this.accountValue;
    return s;
  }
}
