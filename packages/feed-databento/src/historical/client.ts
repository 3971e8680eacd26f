import axios, { type AxiosInstance } from 'axios';
import type { Readable } from 'node:stream';
import {
  AuthenticationError, DataError, NetworkError, RateLimitError, RequestTimeoutError, VenueUnavailableError, secretScrubber,
  type Logger, type TradingError,
} from '@tradewire/core';

/** Default Historical API base URL. */
export const HISTORICAL_BASE_URL = 'https://hist.databento.com';

export interface HistoricalClientOptions {
  apiKey: string;
  /** default https://hist.databento.com (tests point it at 127.0.0.1) */
  baseUrl?: string;
  /** request timeout in ms (time to first byte and idle), default 60 s */
  timeoutMs?: number;
  /** how many times a 429 is retried after waiting Retry-After, default 3 */
  maxRetries?: number;
  /** longest Retry-After honoured before giving up, ms (default 120 s) */
  maxRetryAfterMs?: number;
  logger?: Logger;
  userAgent?: string;
}

/** `timeseries.get_range` parameters (DATABENTO.md §5.2). */
export interface GetRangeParams {
  dataset: string;
  schema: string;
  /** ISO-8601 string or ns since epoch (bigint / digit string) */
  start: string | bigint | number;
  end?: string | bigint | number | undefined;
  /** default all symbols */
  symbols?: readonly string[] | string | undefined;
  stypeIn?: string | undefined;
  stypeOut?: string | undefined;
  limit?: number | undefined;
}

const MAX_ERROR_BODY = 64 * 1024;

function tsParam(v: string | bigint | number): string {
  return typeof v === 'string' ? v : typeof v === 'bigint' ? v.toString() : String(Math.trunc(v));
}

/** Parses Retry-After (seconds, possibly fractional, or an HTTP date) into ms. */
export function parseRetryAfter(h: unknown, now = Date.now()): number | undefined {
  if (typeof h !== 'string' || h.trim() === '') return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(h);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

async function readBody(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of stream as AsyncIterable<Buffer>) {
      if (n < MAX_ERROR_BODY) { parts.push(c); n += c.length; }
    }
  } catch { /* a broken error body still yields what we have */ }
  return Buffer.concat(parts).toString('utf8').slice(0, MAX_ERROR_BODY);
}

/** Wraps the body stream so a dropped connection surfaces as a core NetworkError (no axios internals). */
async function* guarded(stream: Readable, requestId: string | undefined): AsyncGenerator<Uint8Array> {
  try {
    for await (const c of stream as AsyncIterable<Uint8Array>) yield c;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const details: Record<string, unknown> = { code };
    if (requestId) details['requestId'] = requestId;
    throw new NetworkError(`Databento historical response interrupted: ${secretScrubber.scrub((e as Error).message ?? String(e))}`, 'NETWORK', { details });
  } finally {
    stream.destroy();
  }
}

/** Extracts the message from a Databento error body (`detail` string or object), falling back to raw text. */
export function errorDetail(body: string): { message: string; case?: string; docs?: string } {
  try {
    const j = JSON.parse(body) as { detail?: unknown };
    const d = j.detail;
    if (typeof d === 'string') return { message: d };
    if (d && typeof d === 'object') {
      const o = d as { message?: unknown; case?: unknown; docs?: unknown };
      const out: { message: string; case?: string; docs?: string } = { message: typeof o.message === 'string' ? o.message : JSON.stringify(d) };
      if (typeof o.case === 'string') out.case = o.case;
      if (typeof o.docs === 'string') out.docs = o.docs;
      return out;
    }
  } catch { /* not JSON */ }
  return { message: body.trim() || '(empty body)' };
}

/** Maps an HTTP error status + body to a core error (never carrying the key or request headers). */
export function httpError(status: number, body: string, requestId: string | undefined, retryAfterMs?: number): TradingError {
  const d = errorDetail(body);
  let message = d.message;
  if (status === 408) message = 'request transmission timed out';
  if (status === 504) message = 'remote gateway timed out';
  const text = secretScrubber.scrub(`Databento historical API ${status}: ${message}`);
  const details: Record<string, unknown> = { status, message: secretScrubber.scrub(message) };
  if (d.case) details['case'] = d.case;
  if (d.docs) details['docs'] = d.docs;
  if (requestId) details['requestId'] = requestId;
  if (status === 401 || status === 403) return new AuthenticationError(text, { details });
  if (status === 429) return new RateLimitError(text, retryAfterMs, { details });
  if (status === 408 || status === 504) return new RequestTimeoutError(text, { details });
  if (status >= 500) return new VenueUnavailableError(text, { details });
  return new DataError(text, `DATABENTO_HTTP_${status}`, { details });
}

/**
 * Minimal Databento Historical API client over axios: HTTP Basic auth (key as user, empty password),
 * form-encoded POST, streamed zstd DBN body, errors mapped to core errors, 429 retried after Retry-After.
 */
export class HistoricalClient {
  readonly baseUrl: string;
  readonly #http: AxiosInstance;
  readonly #key: string;
  readonly #maxRetries: number;
  readonly #maxRetryAfterMs: number;
  readonly #logger: Logger | undefined;

  constructor(opts: HistoricalClientOptions) {
    if (!opts.apiKey) throw new AuthenticationError('Databento API key missing (set apiKey or DATABENTO_API_KEY)');
    secretScrubber.add(opts.apiKey);
    this.#key = opts.apiKey;
    this.baseUrl = (opts.baseUrl ?? HISTORICAL_BASE_URL).replace(/\/+$/, '');
    this.#maxRetries = opts.maxRetries ?? 3;
    this.#maxRetryAfterMs = opts.maxRetryAfterMs ?? 120_000;
    this.#logger = opts.logger;
    this.#http = axios.create({
      baseURL: this.baseUrl,
      timeout: opts.timeoutMs ?? 60_000,
      decompress: false,
      maxRedirects: 0,
      headers: { 'User-Agent': opts.userAgent ?? 'Tradewire/0.1 feed-databento', Accept: 'application/octet-stream' },
      validateStatus: () => true,
    });
  }

  /**
   * Requests `timeseries.get_range` and returns the response body as a byte stream (zstd-compressed DBN;
   * feed it to `DbnStream`, which sniffs compression). Resolves once the status line was checked.
   */
  async getRange(p: GetRangeParams): Promise<AsyncIterable<Uint8Array>> {
    const form = new URLSearchParams();
    form.set('dataset', p.dataset);
    form.set('schema', p.schema);
    form.set('start', tsParam(p.start));
    if (p.end !== undefined) form.set('end', tsParam(p.end));
    const symbols = typeof p.symbols === 'string' ? p.symbols : p.symbols?.join(',');
    if (symbols) form.set('symbols', symbols);
    form.set('stype_in', p.stypeIn ?? 'raw_symbol');
    form.set('stype_out', p.stypeOut ?? 'instrument_id');
    form.set('encoding', 'dbn');
    form.set('compression', 'zstd');
    if (p.limit !== undefined) form.set('limit', String(p.limit));
    return this.#post('/v0/timeseries.get_range', form);
  }

  async #post(path: string, form: URLSearchParams): Promise<AsyncIterable<Uint8Array>> {
    for (let attempt = 0; ; attempt++) {
      let res;
      try {
        res = await this.#http.post<Readable>(path, form.toString(), {
          responseType: 'stream',
          auth: { username: this.#key, password: '' },
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        });
      } catch (e) {
        // never attach the axios error (its config holds the auth header)
        const code = (e as { code?: string }).code;
        const msg = secretScrubber.scrub((e as Error).message ?? String(e));
        if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') throw new RequestTimeoutError(`Databento historical request timed out: ${msg}`, { details: { code } });
        throw new NetworkError(`Databento historical request failed: ${msg}`, 'NETWORK', { details: { code } });
      }
      const requestId = typeof res.headers['request-id'] === 'string' ? res.headers['request-id'] : undefined;
      const warn = res.headers['x-warning'];
      if (typeof warn === 'string' && this.#logger) {
        try { for (const w of JSON.parse(warn) as string[]) this.#logger.warn(`Databento: ${w}`); } catch { this.#logger.warn(`Databento: ${warn}`); }
      }
      if (res.status >= 200 && res.status < 300) return guarded(res.data, requestId);
      const body = await readBody(res.data);
      if (res.status === 429) {
        const wait = parseRetryAfter(res.headers['retry-after']) ?? Math.min(1000 * 2 ** attempt, 30_000);
        if (attempt < this.#maxRetries && wait <= this.#maxRetryAfterMs) {
          this.#logger?.warn('Databento rate limit (429): retrying', { retryAfterMs: wait, attempt: attempt + 1 });
          await new Promise((r) => setTimeout(r, wait));
          continue;
        }
        throw httpError(429, body, requestId, wait);
      }
      throw httpError(res.status, body, requestId);
    }
  }
}
