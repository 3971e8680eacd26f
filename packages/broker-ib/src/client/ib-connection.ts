/**
 * One TWS API session on @stoqey/ib: connect with a Clock timeout, managed accounts and
 * nextValidId, paced sends, IB code routing (1100/1101/1102, warnings), and automatic reconnect.
 */
import { EventEmitter } from 'node:events';
import { EventName, IBApi } from '@stoqey/ib';
import { VenueUnavailableError, type Clock, type ConnectionState, type Logger, type TimerHandle, type TradingError } from '@tradewire/core';
import { ibError, isIBWarning } from '../errors.js';
import { Pacer } from './pacer.js';

export interface IBConnectionOptions {
  host: string;
  port: number;
  clientId: number;
  maxMessagesPerSecond: number;
  connectTimeoutMs: number;
  reconnect: { enabled: boolean; initialDelayMs: number; maxDelayMs: number };
}

/** An IB code as it arrived: `id` is the order/request id, -1 for notices. */
export interface IBCode { id: number; code: number; message: string; cause?: unknown }

interface ConnectionEvents {
  state: [ConnectionState];
  /** an error or notice with a code (already classified: see `isIBWarning`) */
  code: [IBCode];
  /** after a socket reconnect, or 1101/1102: the broker reconciles; `dataLost` → resubscribe market data */
  restored: [{ reason: 'reconnect' | '1101' | '1102'; dataLost: boolean }];
  nextValidId: [number];
}

export class IBConnection extends EventEmitter<ConnectionEvents> {
  readonly api: IBApi;
  #state: ConnectionState = 'disconnected';
  #accounts: string[] = [];
  #nextValidId: number | undefined;
  #wantConnected = false;
  #everConnected = false;
  #reconnectTimer: TimerHandle | undefined;
  #attempt = 0;
  #connecting: Promise<void> | undefined;
  #pending: { resolve: () => void; reject: (e: TradingError) => void; timer: TimerHandle } | undefined;
  readonly #pacer: Pacer;

  constructor(readonly options: IBConnectionOptions, private readonly clock: Clock, private readonly logger: Logger) {
    super();
    this.api = new IBApi({ host: options.host, port: options.port, maxReqPerSec: 50 });
    this.#pacer = new Pacer(clock, options.maxMessagesPerSecond);
    this.api.on(EventName.managedAccounts, (list: string) => { this.#accounts = list.split(',').map((s) => s.trim()).filter(Boolean); });
    this.api.on(EventName.nextValidId, (id: number) => this.#onNextValidId(id));
    this.api.on(EventName.disconnected, () => this.#onDisconnected());
    this.api.on(EventName.info, (message: string, code: number) => this.#onCode({ id: -1, code, message }));
    this.api.on(EventName.error, (err: Error, code: number, id: number) => this.#onCode({ id: id ?? -1, code, message: err?.message ?? String(err), cause: err }));
  }

  get state(): ConnectionState { return this.#state; }
  get accounts(): readonly string[] { return this.#accounts; }
  get nextValidId(): number | undefined { return this.#nextValidId; }
  /** true when orders may be sent: socket up and TWS connected to IB */
  get ready(): boolean { return this.#state === 'connected' && this.api.isConnected; }

  /** Connects (idempotent); resolves when managedAccounts and nextValidId have arrived. */
  async connect(): Promise<void> {
    this.#wantConnected = true;
    if (this.api.isConnected && (this.#state === 'connected' || this.#state === 'uncertain')) return;
    this.#clearReconnect();
    try {
      await this.#openOnce();
    } catch (e) {
      if (!this.#everConnected) this.#wantConnected = false;
      throw e;
    }
  }

  async disconnect(): Promise<void> {
    this.#wantConnected = false;
    this.#clearReconnect();
    this.#pacer.clear();
    if (this.#pending) this.#failPending(new VenueUnavailableError('IB: disconnect() called while connecting'));
    if (this.api.isConnected) this.api.disconnect();
    this.#setState('disconnected');
  }

  /**
   * Closes a socket that looks half-open (no answer to a liveness probe); with `reconnect.enabled`
   * the usual reconnect follows, then `restored` (every user of the session resubscribes/reconciles).
   */
  reset(reason: string): void {
    if (!this.api.isConnected) return;
    this.logger.warn('ib: connection looks half-open; reconnecting', { reason });
    this.api.disconnect();
  }

  /** Sends through the pacer; throws VenueUnavailableError when the socket is down. */
  async send(job: (api: IBApi) => void): Promise<void> {
    if (!this.api.isConnected) throw new VenueUnavailableError('IB: not connected to TWS');
    await this.#pacer.run(() => {
      if (!this.api.isConnected) throw new VenueUnavailableError('IB: connection lost before the message was sent');
      job(this.api);
    });
  }

  #openOnce(): Promise<void> {
    if (!this.#connecting) this.#connecting = this.#open().finally(() => { this.#connecting = undefined; });
    return this.#connecting;
  }

  #open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.#failPending(new VenueUnavailableError(`IB: no handshake from ${this.options.host}:${this.options.port} within ${this.options.connectTimeoutMs} ms`));
        if (this.api.isConnected) this.api.disconnect();
      }, this.options.connectTimeoutMs);
      this.#pending = { resolve, reject, timer };
      this.#nextValidId = undefined;
      this.logger.debug('ib: connecting', { host: this.options.host, port: this.options.port, clientId: this.options.clientId });
      this.api.connect(this.options.clientId);
    });
  }

  #failPending(err: TradingError): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = undefined;
    this.clock.clearTimeout(p.timer);
    p.reject(err);
  }

  #onNextValidId(id: number): void {
    this.#nextValidId = id;
    this.emit('nextValidId', id);
    const p = this.#pending;
    if (!p) return;
    this.#pending = undefined;
    this.clock.clearTimeout(p.timer);
    const reconnected = this.#everConnected;
    this.#everConnected = true;
    this.#attempt = 0;
    this.#setState('connected');
    this.logger.info('ib: connected', { serverVersion: this.api.serverVersion, clientId: this.options.clientId });
    p.resolve();
    if (reconnected) this.emit('restored', { reason: 'reconnect', dataLost: true });
  }

  #onDisconnected(): void {
    this.#pacer.clear();
    if (this.#pending) this.#failPending(new VenueUnavailableError(`IB: connection to ${this.options.host}:${this.options.port} closed during the handshake`));
    if (!this.#wantConnected) { this.#setState('disconnected'); return; }
    this.logger.warn('ib: connection lost');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (!this.options.reconnect.enabled || !this.#wantConnected) { this.#setState('disconnected'); return; }
    this.#setState('reconnecting');
    if (this.#reconnectTimer) return;
    const delay = Math.min(this.options.reconnect.maxDelayMs, this.options.reconnect.initialDelayMs * 2 ** this.#attempt);
    this.#attempt++;
    this.#reconnectTimer = this.clock.setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (!this.#wantConnected || this.api.isConnected) return;
      this.#openOnce().catch((e: unknown) => {
        this.logger.warn('ib: reconnect attempt failed', { attempt: this.#attempt, error: e });
        if (this.#wantConnected && !this.api.isConnected) this.#scheduleReconnect();
      });
    }, delay);
  }

  #clearReconnect(): void {
    if (this.#reconnectTimer) { this.clock.clearTimeout(this.#reconnectTimer); this.#reconnectTimer = undefined; }
  }

  #onCode(c: IBCode): void {
    switch (c.code) {
      case 1100: this.logger.warn('ib: 1100 TWS lost its connection to IB; new orders are held'); this.#setState('uncertain'); break;
      case 1101: this.logger.warn('ib: 1101 connectivity restored, data lost'); this.#setState('connected'); this.emit('restored', { reason: '1101', dataLost: true }); break;
      case 1102: this.logger.info('ib: 1102 connectivity restored, data maintained'); this.#setState('connected'); this.emit('restored', { reason: '1102', dataLost: false }); break;
      case 326: case 502:
        this.#failPending(ibError(c.code, c.message, { cause: c.cause }) );
        break;
      default:
        if (isIBWarning(c.code)) this.logger.debug('ib: notice', { code: c.code, message: c.message });
    }
    this.emit('code', c);
  }

  #setState(s: ConnectionState): void {
    if (this.#state === s) return;
    this.#state = s;
    this.emit('state', s);
  }
}
