import { z } from 'zod';
import { defineFeed } from '../registry/adapter-definition.js';
import { ConfigError } from '../errors.js';
import type { FeedEvent } from '../domain/market-data.js';
import { CsvFeed, CsvFeedConfig } from './csv-feed.js';
import { ReplayFeed } from './replay-feed.js';
import { parseTimestamp } from './timestamp.js';

const ReplayRow = z.object({
  timestamp: z.union([z.number().finite(), z.string().min(1)]),
  symbol: z.string().min(1),
  open: z.number().finite().positive(), high: z.number().finite().positive(), low: z.number().finite().positive(),
  close: z.number().finite().positive(), volume: z.number().finite().nonnegative().default(0),
}).strict();

/** Options of the `replay` feed: bars written inline in the config. @public */
export const ReplayFeedConfig = z.object({
  bars: z.array(ReplayRow).min(1),
  speed: z.number().finite().nonnegative().default(0),
}).strict();

/** `replay`: bars from the config file (or from code: `new ReplayFeed(events)`). @public */
export const replayFeed = defineFeed({
  name: 'replay',
  description: 'Replays bars given inline, in time order.',
  configSchema: ReplayFeedConfig,
  create(config) {
    const events: FeedEvent[] = [];
    let last = Number.NEGATIVE_INFINITY;
    config.bars.forEach((b, i) => {
      const ts = typeof b.timestamp === 'number' ? b.timestamp : parseTimestamp(b.timestamp);
      if (ts < last) throw new ConfigError(`feed 'replay': option 'bars[${i}].timestamp' goes back in time`, 'CONFIG_INVALID', { details: { keys: [`bars[${i}].timestamp`] } });
      last = ts;
      if (b.high < b.low) throw new ConfigError(`feed 'replay': option 'bars[${i}]': high < low`, 'CONFIG_INVALID', { details: { keys: [`bars[${i}].high`] } });
      events.push([ts, { [b.symbol]: { open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume } }, { source: 'replay' }]);
    });
    return new ReplayFeed(events, 'replay', { speed: config.speed });
  },
});

/** `csv`: OHLCV bars from a .csv or .csv.gz file. @public */
export const csvFeed = defineFeed({
  name: 'csv',
  description: 'Streams OHLCV bars from a CSV file (plain or gzip).',
  configSchema: CsvFeedConfig,
  create(config, ctx) {
    return new CsvFeed(config, ctx.logger);
  },
});
