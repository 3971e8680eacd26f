import { connect, type Socket } from 'node:net';
import { AuthenticationError, NetworkError, secretScrubber, type Logger, type TradingError } from '@tradewire/core';
import { ErrorCode, SystemCode } from '../dbn/enums.js';
import type { DbnMetadata } from '../dbn/metadata.js';
import { readCStr } from '../dbn/records.js';
import { DbnStream } from '../dbn/stream.js';
import type { RecordView } from '../dbn/view.js';
import { cramResponse } from './cram.js';
import { GATEWAY_PORT, LineReader, authLine, gatewayHost, parseControlLine, subscriptionLines, type Subscription } from './protocol.js';

export interface LiveReconnectOptions {
  /** first backoff delay, ms (default 1000) */
  initialDelayMs?: number | undefined;
  /** backoff cap, ms (default 30 000) */
  maxDelayMs?: number | undefined;
  /** give up after this many consecutive failed attempts (default unlimited) */
  maxAttempts?: number | undefined;
}

export interface LiveClientOptions {
  apiKey: string;
  dataset: string;
  subscriptions: Subscription[];
  /** default `<dataset>.lsg.databento.com` */
  host?: string;
  /** default 13000 */
  port?: number;
  /** default 'none' */
  compression?: 'none' | 'zstd';
  tsOut?: boolean;
  /** sent to the gateway when set; the watchdog assumes 30 s otherwise */
  heartbeatIntervalS?: number;
  /** silence tolerated beyond the heartbeat interval before reconnecting (default 5000 ms) */
  heartbeatMarginMs?: number;
  connectTimeoutMs?: number;
  authTimeoutMs?: number;
  reconnect?: LiveReconnectOptions;
  slowReaderBehavior?: 'warn' | 'skip';
  logger?: Logger;
  client?: string;
}

export interface LiveGap {
  /** ms: last timestamp seen before the connection was lost (or the previous session start) */
  from: number;
  /** ms: start of the new session */
  to: number;
  reason: string;
}

export interface LiveHandlers {
  onRecord(view: RecordView): void;
  onMetadata?(md: DbnMetadata, sessionId: string): void;
  /** called when a new session starts after a reconnect */
  onGap?(gap: LiveGap): void;
  /** a record of an rtype DBN does not define was skipped */
  onSkip?(rtype: number): void;
  /** unrecoverable failure (auth, gave up reconnecting); the client has stopped */
  onFatal?(err: TradingError): void;
}

type Phase = 'greeting' | 'auth' | 'stream';

/**
 * Databento Live (raw TCP) client: CRAM handshake, subscriptions, `start_session`, then the DBN stream
 * (optionally zstd) decoded incrementally. A heartbeat watchdog and socket errors trigger a reconnect with
 * exponential backoff; the missing span is reported through `onGap`. Authentication failures are not retried.
 */
export class LiveClient {
  readonly #o: LiveClientOptions;
  readonly #h: LiveHandlers;
  #socket: Socket | undefined;
  #stopped = false;
  #paused = false;
  #attempt = 0;
  #sessions = 0;
  /** NaN before the first record: a number-only field (it is written on every record; one that may hold `undefined` boxes every new time) */
  #lastTsMs = NaN;
  #lastSessionStartMs: number | undefined;
  #pendingGapReason: string | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #firstStart: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  sessionId: string | undefined;

  constructor(opts: LiveClientOptions, handlers: LiveHandlers) {
    if (!opts.apiKey) throw new AuthenticationError('Databento API key missing (set apiKey or DATABENTO_API_KEY)');
    secretScrubber.add(opts.apiKey);
    this.#o = opts;
    this.#h = handlers;
  }

  get host(): string { return this.#o.host ?? gatewayHost(this.#o.dataset); }
  get port(): number { return this.#o.port ?? GATEWAY_PORT; }
  /** sessions started so far (1 + reconnects) */
  get sessions(): number { return this.#sessions; }

  /** Connects and resolves once the first session has started (binary stream requested). */
  start(): Promise<void> {
    this.#stopped = false;
    return new Promise<void>((resolve, reject) => {
      this.#firstStart = { resolve, reject };
      this.#connect();
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clearWatchdog();
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const s = this.#socket;
    this.#socket = undefined;
    if (s) s.destroy();
  }

  /** Backpressure: stop reading the socket (the watchdog is suspended meanwhile). */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#clearWatchdog();
    this.#socket?.pause();
  }
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#socket?.resume();
    this.#armWatchdog();
  }

  #watchdogMs(): number {
    return (this.#o.heartbeatIntervalS ?? 30) * 1000 + (this.#o.heartbeatMarginMs ?? 5000);
  }
  #clearWatchdog(): void {
    if (this.#watchdog) { clearTimeout(this.#watchdog); this.#watchdog = undefined; }
  }
  #armWatchdog(): void {
    this.#clearWatchdog();
    if (this.#stopped || this.#paused) return;
    this.#watchdog = setTimeout(() => this.#lost('heartbeat_timeout'), this.#watchdogMs());
    this.#watchdog.unref?.();
  }

  #fatal(err: TradingError): void {
    const first = this.#firstStart;
    this.#firstStart = undefined;
    void this.stop();
    if (first) first.reject(err);
    else this.#h.onFatal?.(err);
  }

  /** Connection lost (socket closed/error, silence, bad data): reconnect with backoff. */
  #lost(reason: string): void {
    if (this.#stopped) return;
    this.#clearWatchdog();
    const s = this.#socket;
    this.#socket = undefined;
    if (s) s.destroy();
    if (this.#sessions > 0) this.#pendingGapReason ??= reason;
    const r = this.#o.reconnect ?? {};
    const max = r.maxAttempts ?? Infinity;
    if (this.#attempt >= max) {
      this.#fatal(new NetworkError(`Databento live gateway ${this.host}:${this.port}: gave up after ${this.#attempt} reconnect attempts (${reason})`, 'NETWORK', { retryable: false, details: { reason } }));
      return;
    }
    const delay = Math.min((r.initialDelayMs ?? 1000) * 2 ** this.#attempt, r.maxDelayMs ?? 30_000);
    this.#attempt++;
    this.#o.logger?.warn('Databento live connection lost; reconnecting', { reason, delayMs: delay, attempt: this.#attempt });
    this.#retryTimer = setTimeout(() => { this.#retryTimer = undefined; this.#connect(); }, delay);
  }

  #connect(): void {
    if (this.#stopped) return;
    const o = this.#o;
    const socket = connect({ host: this.host, port: this.port });
    this.#socket = socket;
    socket.setNoDelay(true);
    const lines = new LineReader();
    let phase: Phase = 'greeting';
    let stream: DbnStream | undefined;
    let sessionId = '';
    let authTimer: NodeJS.Timeout | undefined = setTimeout(() => {
      authTimer = undefined;
      if (current()) this.#lost('handshake_timeout');
    }, (o.connectTimeoutMs ?? 10_000) + (o.authTimeoutMs ?? 30_000));
    const clearAuth = (): void => { if (authTimer) { clearTimeout(authTimer); authTimer = undefined; } };
    const current = (): boolean => this.#socket === socket;

    const onRecord = (v: RecordView): void => {
      if (this.#stopped || !current()) return;
      const rt = v.rtype;
      if (rt === 0x17) { this.#system(v); return; }
      if (rt === 0x15) { this.#errorRecord(v); return; }
      const ts = v.tsIndex;
      if (ts !== undefined) this.#lastTsMs = Number(ts / 1_000_000n);
      this.#h.onRecord(v);
    };

    const startStream = (rest: Buffer): void => {
      stream = new DbnStream({
        unknownRtype: 'skip',
        onSkip: (rtype) => { if (current()) this.#h.onSkip?.(rtype); },
        compression: o.compression === 'zstd' ? 'zstd' : 'auto',
        onMetadata: (md) => {
          this.#sessions++;
          this.#attempt = 0;
          const startMs = md.start > 0n ? Number(md.start / 1_000_000n) : Date.now();
          if (this.#pendingGapReason !== undefined) {
            const from = Number.isNaN(this.#lastTsMs) ? (this.#lastSessionStartMs ?? startMs) : this.#lastTsMs;
            this.#h.onGap?.({ from, to: Math.max(from, startMs), reason: this.#pendingGapReason });
            this.#pendingGapReason = undefined;
          }
          this.#lastSessionStartMs = startMs;
          this.#h.onMetadata?.(md, sessionId);
        },
      });
      if (rest.length > 0) stream.write(rest, onRecord);
    };

    socket.on('data', (chunk: Buffer) => {
      if (!current()) return;
      this.#armWatchdog();
      try {
        if (phase === 'stream') { stream!.write(chunk, onRecord); return; }
        lines.push(chunk);
        for (;;) {
          if (phase === 'stream') break;
          const line = lines.next();
          if (line === undefined) break;
          const f = parseControlLine(line);
          if (phase === 'greeting') {
            if (f['cram'] !== undefined) {
              phase = 'auth';
              socket.write(authLine({
                auth: cramResponse(f['cram'], o.apiKey), dataset: o.dataset, compression: o.compression ?? 'none', tsOut: o.tsOut ?? false,
                client: o.client ?? 'Tradewire/0.1 feed-databento', heartbeatIntervalS: o.heartbeatIntervalS, slowReaderBehavior: o.slowReaderBehavior,
              }));
            }
            continue; // lsg_version and other greetings are informational
          }
          // auth response
          if (f['success'] !== '1') {
            clearAuth();
            const msg = secretScrubber.scrub(f['error'] ?? 'authentication failed');
            this.#fatal(new AuthenticationError(`Databento live authentication failed: ${msg}`, { details: { dataset: o.dataset, message: msg } }));
            return;
          }
          clearAuth();
          sessionId = f['session_id'] ?? '';
          this.sessionId = sessionId;
          let id = 0;
          for (const sub of o.subscriptions) {
            // on reconnect the original replay start is dropped (no replay), as the official clients do
            const s: Subscription = this.#sessions > 0 || this.#pendingGapReason !== undefined ? { ...sub, start: undefined } : sub;
            for (const l of subscriptionLines({ ...s, id: s.id ?? ++id })) socket.write(l);
          }
          socket.write('start_session\n');
          phase = 'stream';
          const first = this.#firstStart;
          this.#firstStart = undefined;
          first?.resolve();
          startStream(lines.rest());
        }
      } catch (e) {
        if (!current()) return;
        const te = e as TradingError;
        if (te.code === 'AUTHENTICATION') { this.#fatal(te); return; }
        o.logger?.warn('Databento live stream error; reconnecting', { error: secretScrubber.scrub((e as Error).message) });
        this.#lost('decode_error');
      }
    });
    socket.on('error', (e) => {
      if (!current()) return;
      clearAuth();
      o.logger?.warn('Databento live socket error', { error: secretScrubber.scrub(e.message) });
      this.#lost('socket_error');
    });
    socket.on('close', () => {
      clearAuth();
      if (!current()) return;
      this.#lost('disconnect');
    });
    socket.on('connect', () => { this.#armWatchdog(); });
  }

  #system(v: RecordView): void {
    const rec = v.toRecord() as { msg?: string; code?: number };
    const code = rec.code;
    if (code === SystemCode.HEARTBEAT || rec.msg === 'Heartbeat') return;
    if (code === SystemCode.SLOW_READER_WARNING) this.#o.logger?.warn('Databento live: slow reader warning', { msg: rec.msg });
    else this.#o.logger?.info('Databento live system message', { msg: rec.msg, code });
  }

  #errorRecord(v: RecordView): void {
    const size = v.size - (v.tsOut ? 8 : 0);
    const err = readCStr(v.u8, v.off + 16, size === 80 ? 64 : 302);
    const code = size === 320 ? v.u8[v.off + 318]! : undefined;
    const msg = secretScrubber.scrub(err);
    if (code === ErrorCode.AUTH_FAILED || code === ErrorCode.API_KEY_DEACTIVATED) {
      this.#fatal(new AuthenticationError(`Databento live gateway error: ${msg}`, { details: { code } }));
      return;
    }
    this.#o.logger?.error('Databento live gateway error', { msg, code });
  }
}
