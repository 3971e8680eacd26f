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
export { PositionRecord, applyFillInPlace, applyFillToPosition, markPosition } from './domain/position.js';
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

export { AccountView } from './engine/account-view.js';
export { EventQueue } from './engine/event-queue.js';
export type { EventPriority } from './engine/event-queue.js';
export { LatencyHistogram } from './engine/latency.js';
export { normalizeOrder } from './engine/order-normalizer.js';
export { SessionClientOrderIdGenerator } from './engine/client-order-id.js';
export type { ClientOrderIdGenerator } from './engine/client-order-id.js';
export { EngineStrategyBroker } from './engine/strategy-broker.js';
export { LiveEngine } from './engine/live-engine.js';
export type { LiveEngineOptions, EngineStats, EngineMode, EngineLifecycle } from './engine/live-engine.js';
export type { EngineExtension, EngineHandle, EngineTradingState, AccountSnapshot } from './engine/extension.js';

export { PaperBroker } from './paper/paper-broker.js';
export { PaperBrokerConfig } from './paper/config.js';
export { paperBroker } from './paper/plugin.js';
export { PaperLedgerFile } from './paper/ledger-file.js';
export { commissionFor, slip } from './paper/fill-model.js';

export { ReplayFeed, paced } from './feeds/replay-feed.js';
export type { PacingOptions, ReplayFeedOptions } from './feeds/replay-feed.js';
export { FeedGuard } from './feeds/feed-guard.js';
export type { FeedGuardOptions } from './feeds/feed-guard.js';
export { CsvFeed, CsvFeedConfig } from './feeds/csv-feed.js';
export { parseTimestamp } from './feeds/timestamp.js';
export type { TimestampFormat } from './feeds/timestamp.js';
export { BarAggregator } from './feeds/bar-aggregator.js';
export type { BarAggregatorOptions } from './feeds/bar-aggregator.js';
export { AggregatedFeed } from './feeds/aggregated-feed.js';
export { replayFeed, csvFeed, ReplayFeedConfig } from './feeds/plugin.js';

export { builtinDefinitions, createRegistry } from './builtins.js';
export { loadPlugin, discoverPlugins, resolvePlugin, pluginRoots, loadConfiguredPlugins } from './registry/plugin-loader.js';
export { substituteEnv } from './config/env.js';
export { TradewireConfigSchema } from './config/schema.js';
export type { TradewireConfig, TradewireConfigInput } from './config/schema.js';
export { loadConfigFile, parseConfig } from './config/load.js';
export type { LoadedConfig } from './config/load.js';
export { buildEngine, loadStrategy } from './config/build-engine.js';
export type { BuildOptions, BuiltEngine, StateLayerHooks } from './config/build-engine.js';
export { summarize, recordEquity } from './metrics/performance.js';
export { seededRandom } from './util/seeded-random.js';
export { IdIndex, idHash } from './util/id-index.js';
export { CountingId } from './util/counting-id.js';
export { Listeners } from './util/listeners.js';
export type { EquityPoint, PerformanceSummary } from './metrics/performance.js';

// ── state (durable state layer) ──
export {
  crashPoint, CRASH_POINTS, StateDirLock, readLock, LOCK_FILE, MIGRATIONS, SCHEMA_VERSION, migrate, StateStore, STATE_DB_FILE, STATE_DIR_MARKER,
  SqliteKeyValueStore, OrderJournal, JournalBroker, PersistentClientOrderIdGenerator, isVenueSafeClientOrderId, CLIENT_ORDER_ID_PATTERN,
  submitErrorOutcome, recover, RecoveryExtension, LOST_BEFORE_SEND, reconcile, RECONCILE_POLICIES, ReconcilerExtension,
  CheckpointExtension, HaltCauses, createStateLayer, StateLayerOptionsSchema, listSegments, accountKindOf, ACCOUNT_KIND_KEY,
} from './state/index.js';
export type {
  CrashPointName, LockInfo, Migration, Durability, StateStoreOptions, Checkpoint, StateEvent, Approval, HaltMarker, FillOutcome,
  FillSource, JournalOrder, JournalPosition, JournalAnomaly, JournalStats, JournalBrokerOptions, RecoveryReport, SettledIntent,
  ReconcilePolicy, ReconcileOptions, ReconciliationReport, Discrepancy, DiscrepancyKind, Severity, ReconcilerExtensionOptions,
  StateLayer, StateLayerOptions, AccountKind,
} from './state/index.js';
