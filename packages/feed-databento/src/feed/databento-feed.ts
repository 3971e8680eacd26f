import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { ConfigError, FeedGuard, paced, secretScrubber, SystemClock, type DataFeedProtocol, type FeedEvent, type Logger, type TradingError } from '@tradewire/core';
import { fileChunks, mapDbn } from '../dbn/decode.js';
import { DbnStream } from '../dbn/stream.js';
import { toNs } from '../dbn/timefmt.js';
import type { RecordView } from '../dbn/view.js';
import { HistoricalClient, type GetRangeParams } from '../historical/client.js';
import { LiveClient, type LiveClientOptions, type LiveGap } from '../live/client.js';
import { EventBuilder, EventMerger } from './events.js';

export interface FromFileOptions {
  /** only these symbols (names resolved from the file's mappings); default all */
  symbols?: readonly string[] | undefined;
  /** 1 = original pace, N = N× faster, 0 = as fast as possible (default 0) */
  replaySpeed?: number | undefined;
  /** the file is a records-only fragment of this DBN version */
  fragmentVersion?: number | undefined;
  /** where dropped records are reported (sampled) */
  logger?: Logger | undefined;
}

export interface FromHistoricalOptions {
  /** default: $DATABENTO_API_KEY */
  apiKey?: string | undefined;
  dataset: string;
  schema: string;
  symbols?: readonly string[] | undefined;
  start: string | bigint | number;
  end?: string | bigint | number | undefined;
  stypeIn?: string | undefined;
  limit?: number | undefined;
  /** default https://hist.databento.com */
  baseUrl?: string | undefined;
  replaySpeed?: number | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  logger?: Logger | undefined;
}

export interface FromLiveOptions {
  apiKey?: string | undefined;
  dataset: string;
  schema: string;
  symbols?: readonly string[] | undefined;
  stypeIn?: string | undefined;
  /** intraday replay start (ns since epoch, ISO string or ms number); first session only */
  start?: string | bigint | number | undefined;
  host?: string | undefined;
  port?: number | undefined;
  compression?: 'none' | 'zstd' | undefined;
  heartbeatIntervalS?: number | undefined;
  heartbeatMarginMs?: number | undefined;
  reconnect?: LiveClientOptions['reconnect'];
  /** events buffered before the socket is paused (default 100 000) */
  highWaterMark?: number | undefined;
  logger?: Logger | undefined;
}

/** Resolves the API key from options or DATABENTO_API_KEY and registers it with the secret scrubber. */
export function resolveApiKey(key: string | undefined): string {
  const k = key ?? process.env['DATABENTO_API_KEY'];
  if (!k) throw new ConfigError("feed 'databento': no API key (set option 'apiKey' or DATABENTO_API_KEY)", 'CONFIG_INVALID', { details: { keys: ['apiKey'] } });
  secretScrubber.add(k);
  return k;
}

function checkSpeed(speed: number | undefined): number {
  const s = speed ?? 0;
  if (!(s >= 0) || !Number.isFinite(s)) throw new RangeError(`replaySpeed must be a finite number >= 0, got ${String(speed)}`);
  return s;
}

function toNsParam(v: string | bigint | number): bigint | string {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.round(v)) * 1_000_000n; // ms
  return v;
}

interface Source {
  kind: 'pull' | 'push';
  /** records dropped in the current (latest) pass */
  dropped(): number;
  events(feed: DataBentoFeed): AsyncGenerator<FeedEvent>;
  sync?(feed: DataBentoFeed): Iterator<FeedEvent> | undefined;
  stop?(): Promise<void>;
}

/**
 * What a feed drops, counted and logged (sampled): records of an rtype DBN does not define (skipped by
 * their length), and through core's `FeedGuard` late records, repeated bars and data without a price.
 */
class Drops {
  readonly guard: FeedGuard;
  skipped = 0;
  constructor(readonly logger: Logger | undefined, source: string) { this.guard = new FeedGuard({ logger, source }); }
  get count(): number { return this.skipped + this.guard.dropped; }
  skip(rtype: number): void {
    this.skipped++;
    if (this.skipped <= 5 || this.skipped % 1000 === 0) this.logger?.warn('databento: record of an unknown rtype skipped', { rtype: `0x${rtype.toString(16)}`, skipped: this.skipped });
  }
}

/** Decodes a byte source into merged events. */
async function* decodeEvents(chunks: AsyncIterable<Uint8Array>, builder: EventBuilder, fragmentVersion: number | undefined, drops: Drops): AsyncGenerator<FeedEvent> {
  const merger = new EventMerger();
  const gen = mapDbn(chunks, (v: RecordView) => builder.build(v), {
    ...(fragmentVersion !== undefined ? { fragmentVersion } : {}),
    unknownRtype: 'skip', onSkip: (rt) => drops.skip(rt),
    onMetadata: (md) => builder.setMetadata(md),
  });
  for await (const ev of gen) {
    const done = merger.push(ev);
    const ok = done && drops.guard.admit(done);
    if (ok) yield ok;
  }
  const last = merger.flush();
  const ok = last && drops.guard.admit(last);
  if (ok) yield ok;
}

/** Paces replays in wall time (core's `paced`: speed 1 = original pace, N = N× faster, 0 = no waiting; a stop ends a wait at once). */
const WALL_CLOCK = new SystemClock();

/** A synchronous, constant-memory event iterator over a file (speed 0 fast path). */
function* syncFileEvents(path: string, builder: EventBuilder, fragmentVersion: number | undefined, stopped: () => boolean, drops: Drops): Generator<FeedEvent> {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(256 * 1024);
    const merger = new EventMerger();
    const out: FeedEvent[] = [];
    const s = new DbnStream({ ...(fragmentVersion !== undefined ? { fragmentVersion } : {}), unknownRtype: 'skip', onSkip: (rt) => drops.skip(rt), onMetadata: (md) => builder.setMetadata(md) });
    const cb = (v: RecordView): void => {
      const ev = builder.build(v);
      if (!ev) return;
      const done = merger.push(ev);
      const ok = done && drops.guard.admit(done);
      if (ok) out.push(ok);
    };
    for (;;) {
      if (stopped()) return;
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      s.write(buf.subarray(0, n), cb);
      for (const ev of out) yield ev;
      out.length = 0;
    }
    s.end(cb);
    for (const ev of out) yield ev;
    const last = merger.flush();
    const ok = last && drops.guard.admit(last);
    if (ok) yield ok;
  } finally {
    closeSync(fd);
  }
}

/**
 * Databento market data as a core `DataFeedProtocol` (registered as feed `databento`):
 * `fromFile` (DBN / DBN.zst replay, pull), `fromHistorical` (Historical HTTP API, pull) or `fromLive`
 * (Live gateway, push). Events: `[timestampMs, { [symbol]: bar | quote | trade }, context]` with
 * `context.tsNs` (bigint ns) and `context.source`; after a live reconnect `context.gap = { from, to, reason }`.
 */
export class DataBentoFeed implements DataFeedProtocol {
  readonly name: string;
  readonly kind: 'pull' | 'push';
  #stopped = false;
  /** aborted by `stop()`: ends a paced wait at once */
  #stop = new AbortController();
  #started = false;
  readonly #source: Source;

  private constructor(name: string, source: Source) {
    this.name = name;
    this.kind = source.kind;
    this.#source = source;
  }

  /** Replays a `.dbn` / `.dbn.zst` file (or fragment). */
  static fromFile(path: string, opts: FromFileOptions = {}): DataBentoFeed {
    const speed = checkSpeed(opts.replaySpeed);
    if (!existsSync(path)) throw new ConfigError(`feed 'databento': DBN file not found: ${path}`, 'CONFIG_INVALID', { details: { keys: ['path'], path } });
    const mk = (): EventBuilder => new EventBuilder({ symbols: opts.symbols, source: path });
    let drops = new Drops(opts.logger, `databento file ${path}`);
    const fresh = (): Drops => (drops = new Drops(opts.logger, `databento file ${path}`));
    return new DataBentoFeed('databento', {
      kind: 'pull',
      dropped: () => drops.count,
      events: (feed) => paced(decodeEvents(fileChunks(path), mk(), opts.fragmentVersion, fresh()), speed, WALL_CLOCK, feed.#stop.signal),
      sync: (feed) => (speed === 0 ? syncFileEvents(path, mk(), opts.fragmentVersion, () => feed.#stopped, fresh()) : undefined),
    });
  }

  /** Streams `timeseries.get_range` from the Historical API. */
  static fromHistorical(opts: FromHistoricalOptions): DataBentoFeed {
    const apiKey = resolveApiKey(opts.apiKey);
    const speed = checkSpeed(opts.replaySpeed);
    const client = new HistoricalClient({
      apiKey,
      ...(opts.baseUrl !== undefined ? { baseUrl: opts.baseUrl } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
      ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    });
    const params: GetRangeParams = {
      dataset: opts.dataset, schema: opts.schema, start: toNsParam(opts.start), end: opts.end === undefined ? undefined : toNsParam(opts.end),
      symbols: opts.symbols, stypeIn: opts.stypeIn, limit: opts.limit,
    };
    const source = `databento:historical:${opts.dataset}:${opts.schema}`;
    let drops = new Drops(opts.logger, source);
    return new DataBentoFeed('databento', {
      kind: 'pull',
      dropped: () => drops.count,
      async *events(feed) {
        const body = await client.getRange(params);
        drops = new Drops(opts.logger, source);
        yield* paced(decodeEvents(body, new EventBuilder({ symbols: opts.symbols, source }), undefined, drops), speed, WALL_CLOCK, feed.#stop.signal);
      },
    });
  }

  /** Subscribes on the Live gateway. */
  static fromLive(opts: FromLiveOptions): DataBentoFeed {
    const apiKey = resolveApiKey(opts.apiKey);
    const source = `databento:live:${opts.dataset}:${opts.schema}`;
    const highWater = opts.highWaterMark ?? 100_000;
    let client: LiveClient | undefined;
    let wakeConsumer: (() => void) | undefined;
    let drops = new Drops(opts.logger, source);
    return new DataBentoFeed('databento', {
      kind: 'push',
      dropped: () => drops.count,
      async *events(feed) {
        const builder = new EventBuilder({ symbols: opts.symbols, source });
        const d = (drops = new Drops(opts.logger, source));
        const queue: FeedEvent[] = [];
        let head = 0;
        let wake: (() => void) | undefined;
        let failure: TradingError | undefined;
        let gap: LiveGap | undefined;
        const notify = (): void => { const w = wake; wake = undefined; w?.(); };
        wakeConsumer = notify;
        const startNs = opts.start === undefined ? undefined : toNs(opts.start);
        const liveOpts: LiveClientOptions = {
          apiKey, dataset: opts.dataset,
          subscriptions: [{ schema: opts.schema, stypeIn: opts.stypeIn, symbols: opts.symbols, start: startNs }],
          ...(opts.host !== undefined ? { host: opts.host } : {}),
          ...(opts.port !== undefined ? { port: opts.port } : {}),
          ...(opts.compression !== undefined ? { compression: opts.compression } : {}),
          ...(opts.heartbeatIntervalS !== undefined ? { heartbeatIntervalS: opts.heartbeatIntervalS } : {}),
          ...(opts.heartbeatMarginMs !== undefined ? { heartbeatMarginMs: opts.heartbeatMarginMs } : {}),
          ...(opts.reconnect !== undefined ? { reconnect: opts.reconnect } : {}),
          ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
        };
        const c = new LiveClient(liveOpts, {
          onRecord: (v) => {
            const built = builder.build(v);
            const ev = built && d.guard.admit(built);
            if (!ev) return;
            if (gap) { ev[2].gap = gap; gap = undefined; }
            queue.push(ev);
            if (queue.length - head >= highWater) c.pause();
            notify();
          },
          onMetadata: (md) => builder.setMetadata(md),
          onGap: (g) => { gap = g; },
          onSkip: (rt) => d.skip(rt),
          onFatal: (e) => { failure = e; notify(); },
        });
        client = c;
        try {
          await c.start();
          for (;;) {
            if (feed.#stopped) return;
            if (head < queue.length) {
              const ev = queue[head]!;
              queue[head++] = undefined as unknown as FeedEvent;
              if (head > 4096 && head * 2 > queue.length) { queue.splice(0, head); head = 0; }
              if (queue.length - head < highWater / 2) c.resume();
              yield ev;
              continue;
            }
            if (failure) throw failure;
            await new Promise<void>((r) => { wake = r; });
          }
        } finally {
          await c.stop();
        }
      },
      async stop() { await client?.stop(); wakeConsumer?.(); },
    });
  }

  async start(): Promise<void> {
    this.#stopped = false;
    this.#stop = new AbortController();
    this.#started = true;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stop.abort();
    await this.#source.stop?.();
  }

  syncIterator(): Iterator<FeedEvent> | undefined {
    return this.#source.sync?.(this);
  }

  expectedCount(): number | undefined { return undefined; }

  [Symbol.asyncIterator](): AsyncIterator<FeedEvent> {
    return this.#source.events(this);
  }

  /** records dropped in the current or last pass: unknown rtypes skipped, late records, repeated bars, data without a price */
  get dropped(): number { return this.#source.dropped(); }

  /** whether start() was called */
  get started(): boolean { return this.#started; }
}
