/**
 * `IBBroker`: core's BrokerProtocol on @stoqey/ib. Orders carry our clientOrderId in `orderRef`;
 * ids come from nextValidId and a persisted high-water mark; fills are execDetails joined with
 * commissionReport by execId; 1100 holds new orders, 1101/1102 and socket reconnects reconcile.
 */
import { randomUUID } from 'node:crypto';
import { EventName, type CommissionReport, type Contract, type Execution, type Order as IBOrder, type OrderState } from '@stoqey/ib';
import {
  DuplicateClientOrderIdError, InvalidOrderError, RequestTimeoutError, UnknownOutcomeError, UnsupportedError, VenueUnavailableError,
  isTerminal, silentLogger, SystemClock, type BrokerCapabilities, type BrokerProtocol, type Clock, type ConnectionState, type Fill,
  type KeyValueStore, type Logger, type Order, type OrderIntent, type Position, type Unsubscribe,
} from '@tradewire/core';
import { AccountReader } from './account-reader.js';
import { defaultConnectionPool, type IBConnectionPool } from './client/connection-pool.js';
import type { IBCode, IBConnection } from './client/ib-connection.js';
import { IBRequests } from './client/ib-requests.js';
import type { IBConfig } from './config.js';
import { ibError } from './errors.js';
import { completedOrdersReadable } from './mapping/completed-order.js';
import { assetOf, contractFor } from './mapping/contract.js';
import { toIBOrder } from './mapping/order.js';
import { OrderIdAllocator } from './order-ids.js';
import { OrderTracker } from './order-tracker.js';

/** How far an execution time read from a zoneless TWS time can be off (UTC−12 … UTC+14), with room to spare. */
const ZONE_MARGIN_MS = 24 * 3_600_000;

export interface IBBrokerServices {
  clock?: Clock;
  logger?: Logger;
  /** the engine's key/value store: the order-id high-water mark is persisted there */
  kv?: KeyValueStore;
  pool?: IBConnectionPool;
}

export const IB_CAPABILITIES: BrokerCapabilities = Object.freeze({
  orderTypes: ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT'], timeInForce: ['DAY', 'GTC', 'IOC', 'FOK', 'GTD'],
  shorting: true, partialFills: true, modify: false, fractional: false,
}) as BrokerCapabilities;

export class IBBroker implements BrokerProtocol {
  readonly name = 'ib';
  readonly capabilities = IB_CAPABILITIES;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #pool: IBConnectionPool;
  readonly #ids: OrderIdAllocator;
  readonly #tracker: OrderTracker;
  #conn: IBConnection | undefined;
  #requests: IBRequests | undefined;
  #account: AccountReader | undefined;
  #unwire: (() => void)[] = [];
  #syncing = 0;
  #syncedOnce = false;
  /** the running sync records executions without announcing them (the first sync of an instance) */
  #silentSync = false;
  readonly #stateListeners = new Set<(s: ConnectionState) => void>();

  constructor(readonly config: IBConfig, services: IBBrokerServices = {}) {
    this.#clock = services.clock ?? new SystemClock();
    this.#logger = (services.logger ?? silentLogger).child({ broker: 'ib' });
    this.#pool = services.pool ?? defaultConnectionPool;
    this.#ids = new OrderIdAllocator(services.kv, config);
    this.#tracker = new OrderTracker(this.#clock, this.#logger, config.commissionWaitMs, (c) => assetOf(c, config), config.clientId);
  }

  /** The account orders go to: configured, else the first managed account. */
  get account(): string | undefined { return this.config.account ?? this.#conn?.accounts[0]; }

  /** the underlying session (shared with an `ib` feed of the same clientId) */
  get connection(): IBConnection | undefined { return this.#conn; }

  async connect(): Promise<void> {
    const conn = this.#conn ?? this.#attach();
    await conn.connect();
    if (conn.nextValidId !== undefined) this.#ids.observe(conn.nextValidId);
    if (this.config.account !== undefined && !conn.accounts.includes(this.config.account)) {
      this.#logger.warn('ib: configured account is not among the managed accounts', { managed: conn.accounts.length });
    }
    // the first sync of an instance records what happened before it existed (IB replays the
    // session's executions) without announcing it; later ones announce fills missed while down
    await this.#sync(this.#syncedOnce);
    this.#syncedOnce = true;
  }

  async disconnect(): Promise<void> {
    const conn = this.#conn;
    if (!conn) return;
    this.#tracker.flush();
    for (const u of this.#unwire.splice(0)) u();
    this.#conn = undefined;
    await this.#pool.release(this, conn);
  }

  isConnected(): boolean { return this.#conn?.ready === true; }

  onConnectionState(listener: (state: ConnectionState) => void): Unsubscribe {
    this.#stateListeners.add(listener);
    return () => { this.#stateListeners.delete(listener); };
  }

  onOrderUpdate(listener: (order: Order) => void): Unsubscribe { return this.#tracker.onOrder(listener); }
  onFill(listener: (fill: Fill) => void): Unsubscribe { return this.#tracker.onFill(listener); }

  async getPositions(): Promise<Position[]> { return this.#reader().positions(); }
  async getPosition(asset: string): Promise<Position | undefined> { return (await this.getPositions()).find((p) => p.asset === asset); }
  async getCash(): Promise<number> { return this.#reader().value('AvailableFunds'); }
  async getAccountValue(): Promise<number> { return this.#reader().value('NetLiquidation'); }

  async getPendingOrders(): Promise<Order[]> {
    if (this.#conn?.state !== 'connected') await this.#sync(true);
    return this.#tracker.all().map((t) => ({ ...t.order })).filter((o) => !isTerminal(o.status) && o.status !== 'UNKNOWN');
  }

  async getOrder(clientOrderId: string): Promise<Order | undefined> {
    const t = this.#tracker.get(clientOrderId);
    if (!t || !t.acked || t.order.status === 'UNKNOWN' || this.#conn?.state !== 'connected') await this.#sync(true);
    const found = this.#tracker.get(clientOrderId);
    return found ? { ...found.order } : undefined;
  }

  async getOrders(since = 0): Promise<Order[]> {
    await this.#sync(true);
    return this.#tracker.all().map((t) => ({ ...t.order })).filter((o) => o.updatedAt >= since || o.createdAt >= since);
  }

  /**
   * Fills from `since`, with a day of margin: TWS prints execution times without a zone in its
   * own local time, read as UTC (`parseIBTime`), so a fill can carry a time up to 14 h early. TWS
   * only reports recent executions anyway, and extra fills are deduplicated by execution id.
   * An execution whose commissionReport has not arrived yet is waited for (at most
   * `commissionWaitMs` after the execution, as on the stream): a fill is reported once, with its
   * fee. One that arrives during that wait is left to `onFill`, which brings it with its fee.
   */
  async getFills(since = 0): Promise<Fill[]> {
    await this.#sync(true);
    const from = since - ZONE_MARGIN_MS;
    await this.#tracker.commissionsSettled((f) => f.timestamp >= from);
    return this.#tracker.settledFills().filter((f) => f.timestamp >= from).map((f) => ({ ...f }));
  }

  async submitOrder(intent: OrderIntent): Promise<Order> {
    this.#validate(intent);
    const conn = this.#conn;
    if (!conn || !conn.api.isConnected) throw new VenueUnavailableError('IB: not connected');
    if (conn.state === 'uncertain') throw new VenueUnavailableError('IB: TWS has lost its connection to IB (1100); new orders are held until 1101/1102');
    if (this.#tracker.get(intent.clientOrderId)) throw new DuplicateClientOrderIdError(`IB: clientOrderId ${intent.clientOrderId} was already submitted`);
    const contract = contractFor(intent.asset, this.config);
    const ibOrder = toIBOrder(intent, this.account);
    let t;
    for (let attempt = 0; ; attempt++) {
      const id = this.#ids.take();
      if (!t) t = this.#tracker.register(intent, id); else this.#tracker.rebind(t, id);
      try {
        await conn.send((api) => api.placeOrder(id, contract, { ...ibOrder }));
      } catch (e) {
        this.#tracker.drop(t);
        throw e;
      }
      const out = await this.#tracker.waitForAck(t, this.config.submitTimeoutMs);
      if (out.kind === 'ack') return { ...t.order };
      if (out.kind === 'timeout') {
        this.#tracker.markUnknown(t);
        throw new UnknownOutcomeError(`IB: no acknowledgement for ${intent.clientOrderId} within ${this.config.submitTimeoutMs} ms; settle with getOrder()`, { details: { clientOrderId: intent.clientOrderId, orderId: id } });
      }
      if (out.code === 103 && attempt === 0) {
        this.#logger.warn('ib: 103 duplicate order id; asking TWS for a fresh id and retrying once', { orderId: id });
        await this.#refreshNextValidId();
        continue;
      }
      // refused before it existed at IB (duplicate id, pacing): forget it so the id can be used again
      if (out.code === 103 || out.code === 100) this.#tracker.drop(t);
      throw ibError(out.code, out.message, { id, cause: out.cause });
    }
  }

  async cancelOrder(clientOrderId: string): Promise<boolean> {
    let t = this.#tracker.get(clientOrderId);
    if (!t) { await this.#sync(true); t = this.#tracker.get(clientOrderId); }
    if (!t || isTerminal(t.order.status)) return false;
    const conn = this.#conn;
    if (!conn) throw new VenueUnavailableError('IB: not connected');
    const tracked = t;
    let stop: (v: boolean | Error) => void = () => undefined;
    const done = new Promise<boolean>((resolve, reject) => {
      const onCode = (c: IBCode): void => { if (c.id === tracked.ibOrderId && [135, 161, 10147, 10148].includes(c.code)) stop(false); };
      const offOrder = this.#tracker.onOrder((o) => { if (o.clientOrderId === clientOrderId && isTerminal(o.status)) stop(o.status === 'CANCELLED'); });
      const timer = this.#clock.setTimeout(() => stop(new RequestTimeoutError(`IB: no answer to the cancel of ${clientOrderId} within ${this.config.requestTimeoutMs} ms`)), this.config.requestTimeoutMs);
      conn.on('code', onCode);
      stop = (v) => { this.#clock.clearTimeout(timer); offOrder(); conn.off('code', onCode); if (v instanceof Error) reject(v); else resolve(v); };
    });
    try {
      await conn.send((api) => api.cancelOrder(tracked.ibOrderId, { manualOrderCancelTime: '' }));
    } catch (e) {
      stop(false);
      await done;
      throw e;
    }
    return done;
  }

  async closePosition(asset: string, clientOrderId?: string): Promise<Order | undefined> {
    const pos = await this.getPosition(asset);
    if (!pos || pos.quantity === 0) return undefined;
    return this.submitOrder({
      clientOrderId: clientOrderId ?? `close-${randomUUID()}`, asset, side: pos.quantity > 0 ? 'SELL' : 'BUY', quantity: Math.abs(pos.quantity),
      orderType: 'MARKET', timeInForce: 'DAY', createdAt: this.#clock.now(),
    });
  }

  #validate(intent: OrderIntent): void {
    if (!this.capabilities.orderTypes.includes(intent.orderType)) throw new UnsupportedError(`IB adapter does not support ${intent.orderType} orders`);
    if (!this.capabilities.timeInForce.includes(intent.timeInForce)) throw new UnsupportedError(`IB adapter does not support time in force ${intent.timeInForce}`);
    if (!(intent.quantity > 0) || !Number.isFinite(intent.quantity)) throw new InvalidOrderError(`IB: quantity must be positive, got ${intent.quantity}`);
    if (!Number.isInteger(intent.quantity)) throw new UnsupportedError('IB adapter does not send fractional quantities');
    if ((intent.orderType === 'LIMIT' || intent.orderType === 'STOP_LIMIT') && !(intent.limitPrice !== undefined && intent.limitPrice > 0)) throw new InvalidOrderError(`IB: ${intent.orderType} needs a positive limitPrice`);
    if ((intent.orderType === 'STOP' || intent.orderType === 'STOP_LIMIT') && !(intent.stopPrice !== undefined && intent.stopPrice > 0)) throw new InvalidOrderError(`IB: ${intent.orderType} needs a positive stopPrice`);
    if (intent.timeInForce === 'GTD' && intent.expireAt === undefined) throw new InvalidOrderError('IB: GTD needs expireAt');
  }

  #reader(): AccountReader {
    if (!this.#account || !this.#conn?.api.isConnected) throw new VenueUnavailableError('IB: not connected');
    return this.#account;
  }

  #attach(): IBConnection {
    const conn = this.#pool.acquire(this, this.config, this.#clock, this.#logger);
    this.#conn = conn;
    this.#requests = new IBRequests(conn, this.#clock, this.config.requestTimeoutMs);
    this.#account = new AccountReader(this.#requests, this.config, () => this.account);
    const api = conn.api;
    const tr = this.#tracker;
    const onOpen = (id: number, c: Contract, o: IBOrder, s: OrderState): void => tr.onOpenOrder(id, c, o, s);
    const onStatus = (orderId: number, status: string, filled: number, _rem: number, avg: number, permId?: number, _parent?: number, _last?: number, clientId?: number): void =>
      tr.onOrderStatus({ orderId, clientId, permId }, status, filled, avg);
    const onExec = (reqId: number, c: Contract, e: Execution): void => {
      if (this.account !== undefined && e.acctNumber && e.acctNumber !== this.account) return;
      // executions replayed by the initial sync (session start) are recorded, not announced
      tr.onExecution(c, e, !(reqId !== -1 && this.#syncing > 0 && this.#silentSync));
    };
    const onComm = (r: CommissionReport): void => tr.onCommission(r.execId, r.commission);
    const onCode = (c: IBCode): void => { if (c.id >= 0) tr.onOrderError(c.id, c.code, c.message, c.cause); else if (c.code === 505) this.#logger.warn('ib: message the client could not decode was dropped', { code: c.code }); };
    const onRestored = (r: { reason: string; dataLost: boolean }): void => {
      this.#logger.info('ib: reconciling after connectivity restored', { reason: r.reason });
      this.#sync(true).catch((e: unknown) => this.#logger.error('ib: reconciliation failed', { error: e }));
    };
    const onState = (s: ConnectionState): void => { for (const l of this.#stateListeners) l(s); };
    const onId = (id: number): void => this.#ids.observe(id);
    api.on(EventName.openOrder, onOpen);
    api.on(EventName.orderStatus, onStatus);
    api.on(EventName.execDetails, onExec);
    api.on(EventName.commissionReport, onComm);
    conn.on('code', onCode);
    conn.on('restored', onRestored);
    conn.on('state', onState);
    conn.on('nextValidId', onId);
    this.#unwire.push(
      () => api.off(EventName.openOrder, onOpen), () => api.off(EventName.orderStatus, onStatus),
      () => api.off(EventName.execDetails, onExec), () => api.off(EventName.commissionReport, onComm),
      () => conn.off('code', onCode), () => conn.off('restored', onRestored), () => conn.off('state', onState), () => conn.off('nextValidId', onId),
    );
    return conn;
  }

  /**
   * Open orders, finished orders (reqCompletedOrders, where @stoqey/ib reads them), then
   * executions from the venue; then finish orders it no longer lists. Finished orders come before
   * executions so an order found again after a restart is adopted with its true quantity and
   * status, not first guessed from its executions.
   */
  async #sync(announce: boolean): Promise<void> {
    const req = this.#requests;
    if (!req || !this.#conn?.api.isConnected) throw new VenueUnavailableError('IB: not connected');
    this.#syncing++;
    this.#silentSync = !announce;
    try {
      const mark = this.#tracker.mark();
      const open = await req.openOrders();
      if (completedOrdersReadable(this.#conn.api.serverVersion)) {
        for (const c of await req.completedOrders()) {
          if (this.account !== undefined && c.order.account && c.order.account !== this.account) continue;
          this.#tracker.onCompletedOrder(c.contract, c.order, c.orderState);
        }
      }
      await req.executions();
      this.#tracker.reconcileOpen(open, mark);
    } finally {
      this.#syncing--;
      if (this.#syncing === 0) this.#silentSync = false;
    }
  }

  async #refreshNextValidId(): Promise<void> {
    const conn = this.#conn;
    if (!conn) return;
    await new Promise<void>((resolve) => {
      const timer = this.#clock.setTimeout(() => { conn.off('nextValidId', on); resolve(); }, this.config.requestTimeoutMs);
      const on = (): void => { this.#clock.clearTimeout(timer); conn.off('nextValidId', on); resolve(); };
      conn.on('nextValidId', on);
      conn.send((api) => api.reqIds(1)).catch(() => { this.#clock.clearTimeout(timer); conn.off('nextValidId', on); resolve(); });
    });
  }
}
