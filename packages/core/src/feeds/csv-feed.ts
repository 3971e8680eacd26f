import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { DataError, ConfigError } from '../errors.js';
import type { Bar, FeedContext, FeedEvent } from '../domain/market-data.js';
import type { DataFeedProtocol } from '../protocols/feed.js';
import { SystemClock, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { paced } from './replay-feed.js';
import { parseTimestamp } from './timestamp.js';

const ALIASES = {
  timestamp: ['timestamp', 'timestamp_utc', 'time', 'datetime', 'date', 'ts_event', 'ts', 'open_time'],
  open: ['open', 'o'], high: ['high', 'h'], low: ['low', 'l'], close: ['close', 'c', 'price'], volume: ['volume', 'vol', 'v', 'size'],
  symbol: ['symbol', 'ticker', 'asset', 'instrument'],
} as const;

/** Options of the `csv` feed. @public */
export const CsvFeedConfig = z.object({
  /** a .csv or .csv.gz file */
  path: z.string().min(1),
  /** symbol for every row when the file has no symbol column (default: the file name up to the first '.' or '_') */
  symbol: z.string().min(1).optional(),
  /** only rows of these symbols are emitted (default all) */
  symbols: z.array(z.string().min(1)).optional(),
  /** column names in the header; unspecified ones are detected from common names */
  columns: z.object({
    timestamp: z.string().optional(), open: z.string().optional(), high: z.string().optional(), low: z.string().optional(),
    close: z.string().optional(), volume: z.string().optional(), symbol: z.string().optional(),
  }).strict().default({}),
  timestampFormat: z.enum(['auto', 'iso', 'unix-s', 'unix-ms', 'unix-us', 'unix-ns']).default('auto'),
  delimiter: z.string().length(1).default(','),
  /** 1 = real time, N = N× faster, 0 = as fast as possible */
  speed: z.number().finite().nonnegative().default(0),
  /** what to do with a row that does not parse: stop with an error naming the line, or skip and count it */
  onBadRow: z.enum(['error', 'skip']).default('error'),
  /** bar period in ms, put into each event's context (default: detected from the first two rows) */
  periodMs: z.number().int().positive().optional(),
}).strict();
/** @public */
export type CsvFeedConfig = z.output<typeof CsvFeedConfig>;

type ColumnIndex = { timestamp: number; open: number; high: number; low: number; close: number; volume: number; symbol: number };

/**
 * Streams OHLCV bars from a CSV file (plain or gzip, by the `.gz` suffix), one event per row,
 * with constant memory. Rows must be in time order; an out-of-order row, or a second row for the
 * same symbol and time, is a bad row. `symbols` keeps only the rows of those symbols.
 * @public
 */
export class CsvFeed implements DataFeedProtocol {
  readonly kind = 'pull' as const;
  readonly name: string;
  readonly #cfg: CsvFeedConfig;
  #stopped = false;
  badRows = 0;
  rows = 0;
  constructor(config: z.input<typeof CsvFeedConfig>, private readonly logger: Logger = silentLogger, private readonly clock: Clock = new SystemClock()) {
    this.#cfg = CsvFeedConfig.parse(config);
    this.name = `csv:${basename(this.#cfg.path)}`;
  }

  /** aborted by `stop()`: ends a paced wait at once */
  #stop = new AbortController();

  async start(): Promise<void> {
    this.#stopped = false;
    this.#stop = new AbortController();
    try { await access(this.#cfg.path); } catch (e) { throw new ConfigError(`csv feed: cannot read file '${this.#cfg.path}'`, 'FILE_NOT_FOUND', { cause: e }); }
  }
  async stop(): Promise<void> { this.#stopped = true; this.#stop.abort(); }

  [Symbol.asyncIterator](): AsyncIterator<FeedEvent> {
    return paced(this.#rows(), this.#cfg.speed, this.clock, this.#stop.signal)[Symbol.asyncIterator]();
  }

  async *#rows(): AsyncGenerator<FeedEvent> {
    const cfg = this.#cfg;
    let input: NodeJS.ReadableStream = createReadStream(cfg.path);
    if (cfg.path.endsWith('.gz')) input = input.pipe(createGunzip());
    const rl = createInterface({ input, crlfDelay: Infinity });
    const defaultSymbol = cfg.symbol ?? basename(cfg.path).split(/[._]/)[0] ?? 'UNKNOWN';
    let idx: ColumnIndex | undefined;
    let lineNo = 0;
    let lastTs = Number.NEGATIVE_INFINITY;
    let periodMs = cfg.periodMs;
    const only = cfg.symbols && cfg.symbols.length > 0 ? new Set(cfg.symbols) : undefined;
    const lastBySymbol = new Map<string, number>();
    const ctx: FeedContext = { source: this.name };
    try {
      for await (const line of rl) {
        lineNo++;
        if (this.#stopped) return;
        if (line.trim() === '') continue;
        const cells = line.split(cfg.delimiter).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
        if (!idx) { idx = this.#header(cells); continue; }
        let ts: number;
        let bar: Bar;
        const sym = idx.symbol >= 0 ? (cells[idx.symbol] || defaultSymbol) : defaultSymbol;
        if (only && !only.has(sym)) continue;
        try {
          ts = parseTimestamp(cells[idx.timestamp] ?? '', cfg.timestampFormat);
          bar = { open: num(cells, idx.open, 'open'), high: num(cells, idx.high, 'high'), low: num(cells, idx.low, 'low'), close: num(cells, idx.close, 'close'), volume: idx.volume >= 0 ? num(cells, idx.volume, 'volume') : 0 };
          if (bar.high < bar.low || bar.open <= 0 || bar.close <= 0 || bar.low <= 0 || bar.volume < 0) throw new DataError('inconsistent OHLCV (high < low, non-positive price or negative volume)', 'BAD_ROW');
          if (ts < lastTs) throw new DataError(`timestamp goes backwards (${new Date(ts).toISOString()} after ${new Date(lastTs).toISOString()})`, 'OUT_OF_ORDER');
          if (lastBySymbol.get(sym) === ts) throw new DataError(`a second ${sym} bar for ${new Date(ts).toISOString()}`, 'DUPLICATE');
        } catch (err) {
          this.badRows++;
          const msg = `${cfg.path}:${lineNo}: ${err instanceof Error ? err.message : String(err)}`;
          if (cfg.onBadRow === 'error') throw new DataError(msg, 'BAD_ROW', { details: { line: lineNo, file: cfg.path }, cause: err });
          if (this.badRows <= 5 || this.badRows % 1000 === 0) this.logger.warn('csv: bad row skipped', { line: lineNo, error: msg, badRows: this.badRows });
          continue;
        }
        if (periodMs === undefined && lastTs > Number.NEGATIVE_INFINITY && ts > lastTs) { periodMs = ts - lastTs; ctx.periodMs = periodMs; }
        else if (periodMs !== undefined) ctx.periodMs = periodMs;
        lastTs = ts;
        this.rows++;
        lastBySymbol.set(sym, ts);
        yield [ts, { [sym]: bar }, ctx];
      }
    } finally {
      rl.close();
    }
  }

  #header(cells: string[]): ColumnIndex {
    const lower = cells.map((c) => c.toLowerCase());
    const find = (key: keyof typeof ALIASES, required: boolean): number => {
      const explicit = this.#cfg.columns[key];
      if (explicit !== undefined) {
        const i = cells.indexOf(explicit);
        if (i < 0) throw new ConfigError(`csv feed: column '${explicit}' (columns.${key}) not in header [${cells.join(', ')}] of ${this.#cfg.path}`, 'CONFIG_INVALID', { details: { keys: [`columns.${key}`] } });
        return i;
      }
      const i = lower.findIndex((c) => (ALIASES[key] as readonly string[]).includes(c));
      if (i < 0 && required) throw new ConfigError(`csv feed: no ${key} column in header [${cells.join(', ')}] of ${this.#cfg.path}; set columns.${key}`, 'CONFIG_INVALID', { details: { keys: [`columns.${key}`] } });
      return i;
    };
    return { timestamp: find('timestamp', true), open: find('open', true), high: find('high', true), low: find('low', true), close: find('close', true), volume: find('volume', false), symbol: find('symbol', false) };
  }
}

function num(cells: string[], i: number, name: string): number {
  const raw = cells[i];
  const v = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(v)) throw new DataError(`${name} is not a number: ${JSON.stringify(raw ?? '')}`, 'BAD_ROW');
  return v;
}
