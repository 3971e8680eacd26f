import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Fill } from '../domain/fill.js';
import type { FeedContext, MarketDataMap } from '../domain/market-data.js';
import type { Order, OrderIntent } from '../domain/order.js';
import type { Position } from '../domain/position.js';
import type { BrokerCapabilities, BrokerProtocol, ConnectionState, Unsubscribe } from '../protocols/broker.js';
import type { ClientOrderIdGenerator } from '../engine/client-order-id.js';
import { InvalidOrderError, isTradingError } from '../errors.js';
import { Listeners } from '../util/listeners.js';
import { crashPoint } from './crash-point.js';
import { isVenueSafeClientOrderId } from './id-generator.js';
import type { FillOutcome, OrderJournal } from './journal.js';
import { reusableStatusOptions } from './log-codec.js';
import { submitErrorOutcome } from './submit-outcome.js';

/** Something the journal saw that must stop trading (overfill, a failed journal write). @public */
export interface JournalAnomaly {
  code: 'OVERFILL' | 'CUMULATIVE_MISMATCH' | 'JOURNAL_WRITE_FAILED';
  message: string;
  clientOrderId?: string;
  executionId?: string;
}

/** Counters for reports and the reliability summary. @public */
export interface JournalStats {
  intents: number;
  acks: number;
  unknownOutcomes: number;
  rejected: number;
  fillsNew: number;
  fillsDuplicate: number;
  overfills: number;
}

/** @public */
export interface JournalBrokerOptions {
  journal: OrderJournal;
  clock: Clock;
  logger: Logger;
  /** ids for orders the journal creates itself (closePosition without an id) */
  idGenerator?: ClientOrderIdGenerator;
  /** refuse ids that are not [A-Za-z0-9]{1,32} before anything is written or sent (default true) */
  validateClientOrderIds?: boolean;
}

/**
 * Write-ahead journal middleware around any `BrokerProtocol`. `submitOrder` commits the intent
 * (PENDING_SUBMIT) before the adapter is called, then records the ack. A transport error or
 * timeout leaves the intent UNKNOWN (settled later by lookup, never resent). Fill listeners only
 * see fills that were new to the journal; order updates are recorded and forwarded.
 * @public
 */
export class JournalBroker implements BrokerProtocol {
  readonly name: string;
  readonly capabilities: BrokerCapabilities;
  readonly inner: BrokerProtocol;
  readonly journal: OrderJournal;
  /**
   * Fills reach listeners only when their execution id is new to the journal (exact: a filter,
   * then the ids not yet committed, then SQLite). The one exception, a fill forwarded after a
   * failed journal write, comes with an anomaly that halts the engine.
   */
  readonly deduplicatesFills = true;
  readonly stats: JournalStats = { intents: 0, acks: 0, unknownOutcomes: 0, rejected: 0, fillsNew: 0, fillsDuplicate: 0, overfills: 0 };
  onMarketData?: (timestamp: number, data: MarketDataMap, context: FeedContext) => MarketDataMap | void;
  haltReason?: () => string | undefined;
  onHaltChange?: (listener: (reason: string | undefined) => void) => Unsubscribe;
  onConnectionState?: (listener: (state: ConnectionState) => void) => Unsubscribe;

  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #ids: ClientOrderIdGenerator | undefined;
  readonly #validate: boolean;
  readonly #fillListeners: Listeners<Fill>;
  readonly #orderListeners: Listeners<Order>;
  readonly #anomalyListeners = new Set<(a: JournalAnomaly) => void>();
  readonly #unsubs: Unsubscribe[] = [];
  /** the options of every ack (`#acked`), reused */
  readonly #ackOptions = reusableStatusOptions('ACK');

  constructor(inner: BrokerProtocol, options: JournalBrokerOptions) {
    this.inner = inner;
    this.name = inner.name;
    this.capabilities = inner.capabilities;
    this.journal = options.journal;
    this.#log = options.logger.child({ component: 'journal' });
    this.#fillListeners = new Listeners<Fill>(this.#log, 'fill listener threw');
    this.#orderListeners = new Listeners<Order>(this.#log, 'order listener threw');
    this.#clock = options.clock;
    this.#ids = options.idGenerator;
    this.#validate = options.validateClientOrderIds ?? true;
    const md = inner.onMarketData;
    if (md) this.onMarketData = (t, d, c) => md.call(inner, t, d, c);
    // a risk layer below the journal still reports its halts to the engine
    const hr = inner.haltReason;
    if (hr) this.haltReason = () => hr.call(inner);
    const hc = inner.onHaltChange;
    if (hc) this.onHaltChange = (l) => hc.call(inner, l);
    const cs = inner.onConnectionState;
    if (cs) this.onConnectionState = (l) => cs.call(inner, l);
    this.#unsubs.push(inner.onFill((f) => this.#handleFill(f)));
    this.#unsubs.push(inner.onOrderUpdate((o) => this.#handleOrderUpdate(o)));
  }

  /** Stops listening to the inner broker. */
  detach(): void { for (const u of this.#unsubs.splice(0)) u(); }

  connect(): Promise<void> { return this.inner.connect(); }
  disconnect(): Promise<void> { return this.inner.disconnect(); }
  isConnected(): boolean { return this.inner.isConnected(); }
  getPositions(): Promise<Position[]> { return this.inner.getPositions(); }
  getPosition(asset: string): Promise<Position | undefined> { return this.inner.getPosition(asset); }
  getPendingOrders(): Promise<Order[]> { return this.inner.getPendingOrders(); }
  getCash(): Promise<number> { return this.inner.getCash(); }
  getAccountValue(): Promise<number> { return this.inner.getAccountValue(); }
  getOrder(clientOrderId: string): Promise<Order | undefined> { return this.inner.getOrder(clientOrderId); }
  getOrders(since?: number): Promise<Order[]> { return this.inner.getOrders(since); }
  getFills(since?: number): Promise<Fill[]> { return this.inner.getFills(since); }

  /**
   * Intent (durable) → adapter → ack. Not `async`: this runs once per order, and an async
   * function's frame, promise and resumption cost more than one reaction on the adapter's promise.
   * Every failure is still a rejected promise, never a synchronous throw.
   */
  submitOrder(intent: OrderIntent): Promise<Order> {
    const cid = intent.clientOrderId;
    let sent: Promise<Order>;
    try {
      if (this.#validate && !isVenueSafeClientOrderId(cid)) {
        throw new InvalidOrderError(`clientOrderId '${cid.slice(0, 40)}' is not venue-safe ([A-Za-z0-9], 1-32 chars)`, 'INVALID_CLIENT_ORDER_ID', { details: { clientOrderId: cid.slice(0, 40) } });
      }
      try {
        this.journal.recordIntent(intent); // throws before anything is sent (duplicate id, disk full)
      } catch (err) {
        // the log cannot take writes any more (disk full, I/O error): trading must stop, not just this order
        if (isTradingError(err) && err.code === 'STATE_WRITE_FAILED') this.#anomaly({ code: 'JOURNAL_WRITE_FAILED', message: err.message, clientOrderId: cid });
        throw err;
      }
    } catch (err) {
      return Promise.reject(err);
    }
    this.stats.intents++;
    crashPoint('after-intent-before-send');
    try {
      sent = this.inner.submitOrder(intent);
    } catch (err) { // an adapter that throws instead of rejecting: the same outcome rules
      this.#submitFailed(cid, err);
      return Promise.reject(err);
    }
    return sent.then((order) => this.#acked(cid, order), (err: unknown) => { this.#submitFailed(cid, err); throw err; });
  }

  /** The adapter accepted the order: its ack is journaled. */
  #acked(cid: string, order: Order): Order {
    crashPoint('after-send-before-ack');
    try {
      const options = this.#ackOptions; // reused: once per order, and recordStatus keeps nothing of it
      options.orderId = order.orderId;
      options.reason = order.rejectionReason;
      options.submittedAt = order.submittedAt;
      this.journal.recordStatus(cid, order.status, options);
      this.stats.acks++;
    } catch (err) {
      this.#anomaly({ code: 'JOURNAL_WRITE_FAILED', message: (err as Error).message, clientOrderId: cid });
    }
    crashPoint('after-ack');
    return order;
  }

  /** The adapter refused, or its outcome is unknown (timeout, transport): journaled, never resent. */
  #submitFailed(cid: string, err: unknown): void {
    const reason = (err as Error)?.message ?? String(err);
    this.#safe(() => {
      if (submitErrorOutcome(err) === 'unknown') {
        this.stats.unknownOutcomes++;
        this.journal.recordStatus(cid, 'UNKNOWN', { reason: `submit outcome unknown: ${reason}`, kind: 'SUBMIT_UNKNOWN' });
        this.#log.warn('submit outcome unknown; will settle by lookup, never resend', { clientOrderId: cid, error: reason });
      } else {
        this.stats.rejected++;
        this.journal.recordStatus(cid, 'REJECTED', { reason, kind: 'SUBMIT_REJECTED' });
      }
    }, cid);
  }

  async cancelOrder(clientOrderId: string): Promise<boolean> {
    this.#safe(() => this.journal.note(clientOrderId, 'CANCEL_REQUEST'), clientOrderId);
    return this.inner.cancelOrder(clientOrderId);
  }

  /** Flattens through `submitOrder`, so the closing order is journaled like any other. */
  async closePosition(asset: string, clientOrderId?: string): Promise<Order | undefined> {
    const cid = clientOrderId ?? this.#ids?.next();
    if (cid === undefined) {
      this.#log.warn('closePosition without an id generator: sent unjournaled', { asset });
      return this.inner.closePosition(asset);
    }
    const pos = await this.inner.getPosition(asset);
    if (!pos || pos.quantity === 0) return undefined;
    const tifs = this.capabilities.timeInForce;
    return this.submitOrder({
      clientOrderId: cid, asset, side: pos.quantity > 0 ? 'SELL' : 'BUY', quantity: Math.abs(pos.quantity), orderType: 'MARKET',
      timeInForce: tifs.includes('DAY') ? 'DAY' : (tifs[0] ?? 'GTC'), reduceOnly: true, tag: 'close-position', createdAt: this.#clock.now(),
    });
  }

  onOrderUpdate(listener: (order: Order) => void): Unsubscribe {
    return this.#orderListeners.add(listener);
  }

  /** Only fills that were new to the journal reach these listeners. */
  onFill(listener: (fill: Fill) => void): Unsubscribe {
    return this.#fillListeners.add(listener);
  }

  onAnomaly(listener: (a: JournalAnomaly) => void): Unsubscribe {
    this.#anomalyListeners.add(listener);
    return () => { this.#anomalyListeners.delete(listener); };
  }

  #handleFill(fill: Fill): void {
    crashPoint('before-fill-record');
    let outcome: FillOutcome;
    try {
      outcome = this.journal.applyFill(fill, 'stream');
    } catch (err) {
      // the fill happened at the venue: forward it, but trading must stop until state is sound
      this.#anomaly({ code: 'JOURNAL_WRITE_FAILED', message: (err as Error).message, clientOrderId: fill.clientOrderId, executionId: fill.executionId });
      this.#emitFill(fill);
      return;
    }
    crashPoint('after-fill-record');
    if (outcome.kind === 'duplicate') {
      this.stats.fillsDuplicate++;
      this.#log.debug('duplicate fill ignored', { executionId: fill.executionId, clientOrderId: fill.clientOrderId });
      return;
    }
    this.stats.fillsNew++;
    if (outcome.overfill) {
      this.stats.overfills++;
      this.#anomaly({ code: 'OVERFILL', message: `order ${fill.clientOrderId} filled beyond its quantity (execution ${fill.executionId})`, clientOrderId: fill.clientOrderId, executionId: fill.executionId });
    } else if (outcome.cumulativeMismatch) {
      this.#log.warn('venue cumulative quantity differs from journaled fills; reconciliation will check', { clientOrderId: fill.clientOrderId, executionId: fill.executionId });
    }
    this.#emitFill(fill);
  }

  #emitFill(fill: Fill): void { this.#fillListeners.emit(fill); }

  #handleOrderUpdate(order: Order): void {
    try { this.journal.applyOrderReport(order); } catch (err) { // no closure: this runs for every venue update
      this.#anomaly({ code: 'JOURNAL_WRITE_FAILED', message: (err as Error).message, clientOrderId: order.clientOrderId });
    }
    this.#orderListeners.emit(order);
  }

  #safe(fn: () => void, clientOrderId: string): void {
    try { fn(); } catch (err) {
      this.#anomaly({ code: 'JOURNAL_WRITE_FAILED', message: (err as Error).message, clientOrderId });
    }
  }

  #anomaly(a: JournalAnomaly): void {
    this.#log.error('journal anomaly', { ...a });
    for (const l of this.#anomalyListeners) {
      try { l(a); } catch { /* listeners must not break the journal */ }
    }
  }
}
