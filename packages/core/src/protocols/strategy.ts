import type { Fill } from '../domain/fill.js';
import type { FeedContext, MarketDataMap } from '../domain/market-data.js';
import type { Order, OrderRequest } from '../domain/order.js';
import type { Position } from '../domain/position.js';

/**
 * The broker a strategy sees. Reads are synchronous and come from the engine's in-memory
 * account view, kept current from broker events; order calls return promises.
 * @public
 */
export interface StrategyBroker {
  /** signed quantity held (0 when flat) */
  getPosition(asset: string): number;
  getPositionDetail(asset: string): Position | undefined;
  getPositions(): Position[];
  getCash(): number;
  /** cash + marked value of positions */
  getAccountValue(): number;
  getPendingOrders(asset?: string): Order[];
  /** last price seen for the asset (bar close, trade, quote mid) */
  getLastPrice(asset: string): number | undefined;
  /** current engine time (simulated in replay) */
  now(): number;
  submitOrder(request: OrderRequest): Promise<Order>;
  /** market buy (`quantity` > 0); options may make it a limit/stop */
  buy(asset: string, quantity: number, options?: Omit<OrderRequest, 'asset' | 'quantity' | 'side'>): Promise<Order>;
  sell(asset: string, quantity: number, options?: Omit<OrderRequest, 'asset' | 'quantity' | 'side'>): Promise<Order>;
  cancelOrder(clientOrderId: string): Promise<boolean>;
  closePosition(asset: string): Promise<Order | undefined>;
}

/**
 * A trading strategy. The same object runs in replay, paper, shadow and live. Every callback
 * may be sync or async.
 * @public
 */
export interface Strategy {
  onStart?(broker: StrategyBroker): void | Promise<void>;
  onData(timestamp: number, data: MarketDataMap, context: FeedContext, broker: StrategyBroker): void | Promise<void>;
  onOrderUpdate?(order: Order, broker: StrategyBroker): void | Promise<void>;
  onFill?(fill: Fill, broker: StrategyBroker): void | Promise<void>;
  onStop?(broker: StrategyBroker): void | Promise<void>;
  /** JSON-serialisable state of the strategy, written with each checkpoint */
  snapshot?(): unknown;
  /** restores what `snapshot()` returned */
  restore?(state: unknown): void;
}
