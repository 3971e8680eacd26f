import { defineFeed, type DataFeedProtocol, type Logger } from '@tradewire/core';
import { DatabentoFeedConfig } from './config.js';
import { DataBentoFeed } from './feed/databento-feed.js';

function strip<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Builds the feed from parsed config (exported for the CLI and tests). */
export function createDatabentoFeed(config: DatabentoFeedConfig, logger?: Logger): DataFeedProtocol {
  switch (config.source) {
    case 'file':
      return DataBentoFeed.fromFile(config.path, strip({ symbols: config.symbols, replaySpeed: config.replaySpeed, fragmentVersion: config.fragmentVersion, logger }));
    case 'historical': {
      const { source: _s, ...rest } = config;
      return DataBentoFeed.fromHistorical(strip({ ...rest, logger }));
    }
    case 'live': {
      const { source: _s, ...rest } = config;
      return DataBentoFeed.fromLive(strip({ ...rest, logger }));
    }
  }
}

/** Feed `databento`: DBN file replay, Historical API or Live gateway. */
export const databentoFeed = defineFeed({
  name: 'databento',
  description: 'Databento market data: DBN/DBN.zst file replay, Historical HTTP API or Live gateway.',
  configSchema: DatabentoFeedConfig,
  create(config, ctx) {
    return createDatabentoFeed(config, ctx.logger);
  },
});

/** Everything this plugin provides. */
export const definitions = [databentoFeed] as const;
