// Public surface of @tradewire/core. Explicit export list: nothing internal leaks.
export { container, inject, injectable, injectAll, delay, Lifecycle, createToken, provideValue, resolveToken } from './di.js';
export type { Token, DependencyContainer, InjectionToken } from './di.js';
export { TOKENS } from './tokens.js';
export {
  TradingError, isTradingError, BrokerError, AuthenticationError, InsufficientFundsError, InvalidOrderError,
  OrderNotFoundError, DuplicateClientOrderIdError, OrderRejectedError, UnsupportedError, NotSupportedError,
  NetworkError, RateLimitError, RequestTimeoutError, VenueUnavailableError, UnknownOutcomeError,
  ConfigError, PluginError, DataError, StateError, RiskLimitError, EngineError,
} from './errors.js';
export type { TradingErrorOptions } from './errors.js';
export { SystemClock, SimulatedClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export { createLogger, silentLogger, MemoryLogger, SecretScrubber, secretScrubber } from './logger.js';
export type { Logger } from './logger.js';

export { ORDER_TYPES, TIME_IN_FORCES, TERMINAL_STATUSES, isTerminal, signedQuantity, remainingQuantity } from './domain/order.js';
export type { Order, OrderIntent, OrderRequest, OrderSide, OrderStatus, OrderType, TimeInForce } from './domain/order.js';
export type { Fill } from './domain/fill.js';
export { applyFillToPosition, markPosition } from './domain/position.js';
export type { Position, PositionChange } from './domain/position.js';
export { isBar, isQuote, isTrade, priceOf } from './domain/market-data.js';
export type { Bar, Quote, Trade, MarketData, MarketDataMap, FeedContext, FeedEvent } from './domain/market-data.js';

export { ALL_CAPABILITIES } from './protocols/broker.js';
export type { BrokerProtocol, BrokerCapabilities, ConnectionState, Unsubscribe } from './protocols/broker.js';
export type { DataFeedProtocol } from './protocols/feed.js';
export type { Strategy, StrategyBroker } from './protocols/strategy.js';
export type { RiskPolicy, RiskContext, RiskRejection } from './protocols/risk.js';
export { MemoryKeyValueStore } from './protocols/kv.js';
export type { KeyValueStore } from './protocols/kv.js';

export {
  ADAPTER_API_VERSION, isAdapterDefinition, defineAdapter, defineBroker, defineFeed, defineRiskPolicy, defineStrategy, defineMiddleware,
} from './registry/adapter-definition.js';
export type { AdapterKind, AdapterContext, AdapterDefinition, AnyAdapterDefinition, AdapterInstanceMap, BrokerMiddleware } from './registry/adapter-definition.js';
export { broker, feed, riskPolicy, strategy, middleware, uses, usesOf, adapterMetaOf, definitionFromClass } from './registry/decorators.js';
export type { AdapterDecoratorOptions, AdapterRef, UsesSpec } from './registry/decorators.js';
export { AdapterRegistry, defaultRegistry, configErrorFromZod } from './registry/registry.js';
export type { CreateOptions } from './registry/registry.js';
