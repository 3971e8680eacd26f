// Public surface of @tradewire/feed-databento.
export * from './dbn/index.js';
export { SymbolMap } from './feed/mapping.js';
export { EventBuilder, EventMerger } from './feed/events.js';
export type { EventBuilderOptions } from './feed/events.js';
export { DataBentoFeed, resolveApiKey } from './feed/databento-feed.js';
export type { FromFileOptions, FromHistoricalOptions, FromLiveOptions } from './feed/databento-feed.js';
export { HistoricalClient, HISTORICAL_BASE_URL, httpError, errorDetail, parseRetryAfter } from './historical/client.js';
export type { HistoricalClientOptions, GetRangeParams } from './historical/client.js';
export { LiveClient } from './live/client.js';
export type { LiveClientOptions, LiveHandlers, LiveGap, LiveReconnectOptions } from './live/client.js';
export { cramResponse, bucketId } from './live/cram.js';
export { parseControlLine, formatControlLine, authLine, subscriptionLines, gatewayHost, GATEWAY_PORT, LineReader } from './live/protocol.js';
export type { Subscription, AuthRequest } from './live/protocol.js';
export { DatabentoFeedConfig, DatabentoFileConfig, DatabentoHistoricalConfig, DatabentoLiveConfig } from './config.js';
export { databentoFeed, createDatabentoFeed, definitions } from './plugin.js';
import { databentoFeed } from './plugin.js';

/** Plugin entry: the adapter definitions this package provides. */
export default [databentoFeed];
