import type { Order, OrderRequest } from '../domain/order.js';
import type { Position } from '../domain/position.js';
import type { StrategyBroker } from '../protocols/strategy.js';
import type { AccountView } from './account-view.js';

/** What the strategy broker needs from the engine. */
export interface OrderGateway {
  now(): number;
  submit(request: OrderRequest): Promise<Order>;
  cancel(clientOrderId: string): Promise<boolean>;
  close(asset: string): Promise<Order | undefined>;
}

/**
 * The `StrategyBroker` handed to strategies: synchronous reads from the account view, order
 * calls through the engine (validation, halt gate, id generation, middleware).
 * @public
 */
export class EngineStrategyBroker implements StrategyBroker {
  constructor(private readonly account: AccountView, private readonly gateway: OrderGateway) {}
  getPosition(asset: string): number { return this.account.position(asset); }
  getPositionDetail(asset: string): Position | undefined {
    const p = this.account.positionDetail(asset);
    return p ? { ...p } : undefined;
  }
  getPositions(): Position[] { return this.account.positionList(); }
  getCash(): number { return this.account.cash; }
  getAccountValue(): number { return this.account.accountValue(); }
  getPendingOrders(asset?: string): Order[] { return this.account.openOrderList(asset || undefined); }
  getLastPrice(asset: string): number | undefined { return this.account.lastPrice(asset); }
  now(): number { return this.gateway.now(); }
  submitOrder(request: OrderRequest): Promise<Order> { return this.gateway.submit(request); }
  buy(asset: string, quantity: number, options: Omit<OrderRequest, 'asset' | 'quantity' | 'side'> = {}): Promise<Order> {
    return this.gateway.submit({ ...options, asset, quantity: Math.abs(quantity), side: 'BUY' });
  }
  sell(asset: string, quantity: number, options: Omit<OrderRequest, 'asset' | 'quantity' | 'side'> = {}): Promise<Order> {
    return this.gateway.submit({ ...options, asset, quantity: Math.abs(quantity), side: 'SELL' });
  }
  cancelOrder(clientOrderId: string): Promise<boolean> { return this.gateway.cancel(clientOrderId); }
  closePosition(asset: string): Promise<Order | undefined> { return this.gateway.close(asset); }
}
