import type { Fill } from '../domain/fill.js';
import type { FeedContext, MarketDataMap } from '../domain/market-data.js';
import type { Order, OrderIntent, OrderType, TimeInForce } from '../domain/order.js';
import type { Position } from '../domain/position.js';

/** Removes a listener. @public */
export type Unsubscribe = () => void;

/**
 * What an adapter can do. The conformance suite skips a case only through these flags, and
 * checks that an unsupported call fails with `UnsupportedError` before anything is sent.
 * @public
 */
export interface BrokerCapabilities {
  orderTypes: readonly OrderType[];
  timeInForce: readonly TimeInForce[];
  shorting: boolean;
  partialFills: boolean;
  modify: boolean;
  fractional: boolean;
}

/**
 * The contract every broker adapter implements. All calls are asynchronous; order updates and
 * fills are pushed through `onOrderUpdate` / `onFill`. The framework identifies orders by the
 * `clientOrderId` it generated, which the venue carries, so an order can be found again after a
 * crash (`getOrder`).
 * @public
 */
export interface BrokerProtocol {
  readonly name: string;
  readonly capabilities: BrokerCapabilities;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  getPositions(): Promise<Position[]>;
  getPosition(asset: string): Promise<Position | undefined>;
  getPendingOrders(): Promise<Order[]>;
  getCash(): Promise<number>;
  getAccountValue(): Promise<number>;
  /**
   * Sends an order. Resolves with the order as the venue acknowledged it (status SUBMITTED, or
   * already FILLED/REJECTED). A rejection the venue states resolves with status REJECTED and a
   * `rejectionReason`, or throws a typed `BrokerError`; a lost response throws a `NetworkError`
   * (`UnknownOutcomeError`) and the order must then be settled by `getOrder`.
   */
  submitOrder(intent: OrderIntent): Promise<Order>;
  /** Cancels by clientOrderId. Resolves false when the order is unknown or already final. */
  cancelOrder(clientOrderId: string): Promise<boolean>;
  /** Sends the market order that flattens `asset`; undefined when already flat. */
  closePosition(asset: string, clientOrderId?: string): Promise<Order | undefined>;
  /** The venue's view of one order, by the id Tradewire generated. */
  getOrder(clientOrderId: string): Promise<Order | undefined>;
  /** Orders the venue knows that were created or updated at or after `since` (ms). */
  getOrders(since?: number): Promise<Order[]>;
  /** Executions at or after `since` (ms). */
  getFills(since?: number): Promise<Fill[]>;
  onOrderUpdate(listener: (order: Order) => void): Unsubscribe;
  onFill(listener: (fill: Fill) => void): Unsubscribe;
  /**
   * Optional: true when every fill this broker hands to `onFill` listeners was checked against
   * every execution id it ever reported (the durable journal, `JournalBroker`, and middleware that
   * forwards its fills). The engine then keeps a short execution-id memory of its own (the last
   * few thousand finished orders, for late updates) instead of tens of thousands of ids: at an
   * order every bar, a long memory keeps every id string alive across young-generation garbage
   * collections, which copy them and promote them to the old generation. Adapters leave it unset.
   */
  readonly deduplicatesFills?: boolean;
  /**
   * Optional: the engine hands every market event to a broker that simulates fills against it
   * (paper broker, virtual portfolio) or screens prices (the risk layer). Live venues leave it
   * undefined. A screening middleware may return the event without the symbols whose prices it
   * refused (quarantined): the engine then gives that to its account view and the strategy, and
   * does not call the strategy when nothing is left. Nothing returned: the event stands as it is.
   */
  onMarketData?(timestamp: number, data: MarketDataMap, context: FeedContext): MarketDataMap | void;
  /**
   * Optional: a middleware that refuses risk-increasing orders (the risk layer's kill switch)
   * says why; the engine starts HALTED with that reason instead of finding out order by order.
   */
  haltReason?(): string | undefined;
  /**
   * Optional, with `haltReason`: reports each change of it as it happens (a breaker trip, an
   * operator's halt or resume), so the engine halts, and resumes a halt it took from here, without
   * waiting for an order to be refused. `undefined`: trading may resume.
   */
  onHaltChange?(listener: (reason: string | undefined) => void): Unsubscribe;
  /** Optional: a connection-state stream (connected, disconnected, uncertain). */
  onConnectionState?(listener: (state: ConnectionState) => void): Unsubscribe;
  /**
   * Optional, for a broker that keeps its own durable order book outside the journal (shadow
   * mode's virtual account): when (engine time, the intent's `createdAt`) the last order it took
   * was created, as restored after a restart. The engine's recovery then refuses orders for market
   * events up to then (`quietUntil`), as it does from the journal for a venue.
   */
  lastOrderCreatedAt?(): number | undefined;
}

/** @public */
export type ConnectionState = 'connected' | 'disconnected' | 'reconnecting' | 'uncertain';

/** Full capabilities: convenient default for simulated brokers. @public */
export const ALL_CAPABILITIES: BrokerCapabilities = Object.freeze({
  orderTypes: ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT'],
  timeInForce: ['DAY', 'GTC', 'IOC', 'FOK', 'GTD'],
  shorting: true,
  partialFills: true,
  modify: false,
  fractional: true,
}) as BrokerCapabilities;
