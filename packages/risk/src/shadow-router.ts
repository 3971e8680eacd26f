import type { Order, OrderIntent } from '@tradewire/core';
import type { PriceGuard } from './price-guard.js';
import type { VirtualExecution, VirtualPortfolio } from './virtual-portfolio.js';

/** Where shadow executions go: SafeBroker's listeners and equity mark. */
export interface ShadowHost {
  emitOrder(o: Order): void;
  emitExecution(ex: VirtualExecution): void;
  markEquity(ts: number): void;
  /** the virtual account changed (an order taken, filled, cancelled or expired): write it now */
  persist(ts: number): void;
}

/**
 * Shadow mode's order routing: accepted orders go to the `VirtualPortfolio` (never to the inner
 * broker), fill at the last good price (the portfolio's own last price when the guard has none),
 * and their executions reach the strategy through SafeBroker's listeners. Every change of the
 * virtual account is written at once (`persist`), before the strategy hears of it.
 */
export class ShadowRouter {
  constructor(readonly virtual: VirtualPortfolio, private readonly guard: PriceGuard, private readonly host: ShadowHost) {}

  submit(intent: OrderIntent, now: number): Order {
    const v = this.virtual;
    const rec = this.guard.get(intent.asset);
    const price = rec ? rec.price : v.lastPrice(intent.asset);
    const { order, execution } = v.submit(intent, price, now);
    this.host.persist(now); // before the strategy hears of it: a kill after the event must not lose the execution
    if (execution) this.host.emitExecution(execution);
    else this.host.emitOrder(order);
    this.host.markEquity(now);
    return order;
  }

  cancel(clientOrderId: string, now: number): boolean {
    const o = this.virtual.cancel(clientOrderId, now);
    if (!o) return false;
    this.host.persist(now);
    this.host.emitOrder(o);
    return true;
  }

  /**
   * Closing orders always pass (no policy, no trading-state check). Without a given id the order
   * is `close-<asset>-<now>-<n>`, `n` the number of its virtual order id (`virtual-<n>`): unique
   * for closes in the same millisecond and across restarts (the sequence is stored).
   */
  close(asset: string, clientOrderId: string | undefined, now: number): Order | undefined {
    const p = this.virtual.positionRef(asset);
    if (!p || p.quantity === 0) return undefined;
    const intent: OrderIntent = {
      clientOrderId: clientOrderId ?? `close-${asset}-${now}-${this.virtual.seq + 1}`, asset, side: p.quantity > 0 ? 'SELL' : 'BUY', quantity: Math.abs(p.quantity),
      orderType: 'MARKET', timeInForce: 'DAY', createdAt: now, reduceOnly: true,
    };
    return this.submit(intent, now);
  }

  /**
   * Engine time reached `ts` (every market event, before its prices): resting orders that are
   * over (GTD, DAY) end EXPIRED, written at once like a cancel, then reported.
   */
  expire(ts: number): void {
    const gone = this.virtual.expire(ts);
    if (gone.length === 0) return;
    this.host.persist(ts);
    for (let i = 0; i < gone.length; i++) this.host.emitOrder(gone[i] as Order);
  }

  /** A good price: marks the portfolio and fills the resting orders it reaches. */
  onPrice(asset: string, price: number, ts: number): void {
    const exs = this.virtual.onPrice(asset, price, ts);
    if (exs.length === 0) return;
    this.host.persist(ts);
    for (let i = 0; i < exs.length; i++) this.host.emitExecution(exs[i] as VirtualExecution);
  }
}
