import { z } from 'zod';

const Symbols = z.array(z.string().min(1)).optional();
const Time = z.union([z.string().min(1), z.number().finite(), z.bigint()]);

/** `source: 'file'` — replay a .dbn / .dbn.zst file. */
export const DatabentoFileConfig = z.object({
  source: z.literal('file'),
  path: z.string().min(1),
  symbols: Symbols,
  /** 1 = original pace, N = N× faster, 0 = as fast as possible */
  replaySpeed: z.number().finite().nonnegative().default(0),
  fragmentVersion: z.number().int().min(1).max(3).optional(),
}).strict();

/** `source: 'historical'` — Historical HTTP API `timeseries.get_range`. */
export const DatabentoHistoricalConfig = z.object({
  source: z.literal('historical'),
  /** default: $DATABENTO_API_KEY */
  apiKey: z.string().min(1).optional(),
  dataset: z.string().min(1),
  schema: z.string().min(1),
  symbols: Symbols,
  start: Time,
  end: Time.optional(),
  stypeIn: z.string().min(1).default('raw_symbol'),
  limit: z.number().int().positive().optional(),
  baseUrl: z.string().url().optional(),
  replaySpeed: z.number().finite().nonnegative().default(0),
  timeoutMs: z.number().int().positive().optional(),
  maxRetries: z.number().int().nonnegative().optional(),
}).strict();

/** `source: 'live'` — Live gateway (raw TCP). */
export const DatabentoLiveConfig = z.object({
  source: z.literal('live'),
  apiKey: z.string().min(1).optional(),
  dataset: z.string().min(1),
  schema: z.string().min(1),
  symbols: Symbols,
  stypeIn: z.string().min(1).default('raw_symbol'),
  start: Time.optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  compression: z.enum(['none', 'zstd']).optional(),
  heartbeatIntervalS: z.number().int().min(5).max(1800).optional(),
  heartbeatMarginMs: z.number().int().nonnegative().optional(),
  reconnect: z.object({
    initialDelayMs: z.number().int().nonnegative().optional(),
    maxDelayMs: z.number().int().nonnegative().optional(),
    maxAttempts: z.number().int().nonnegative().optional(),
  }).strict().optional(),
}).strict();

const Union = z.discriminatedUnion('source', [DatabentoFileConfig, DatabentoHistoricalConfig, DatabentoLiveConfig]);

/**
 * Options of the `databento` feed: `source` selects `'file' | 'historical' | 'live'`. For convenience
 * `mode` is accepted as an alias of `source`, and a config with `path` but no `source` means `'file'`.
 */
export const DatabentoFeedConfig = z.preprocess((raw) => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const o = { ...(raw as Record<string, unknown>) };
  if (o['source'] === undefined && typeof o['mode'] === 'string') { o['source'] = o['mode']; delete o['mode']; }
  if (o['source'] === undefined && typeof o['path'] === 'string') o['source'] = 'file';
  return o;
}, Union);
export type DatabentoFeedConfig = z.output<typeof DatabentoFeedConfig>;
