/**
 * Request/response reads over the event stream: send a request, collect events until its End
 * message, with a Clock timeout. A timeout is an error, never "the venue has nothing".
 */
import { EventName, type Contract, type Execution, type IBApi, type Order as IBOrder, type OrderState } from '@stoqey/ib';
import { RateLimitError, RequestTimeoutError, isTradingError, type Clock } from '@tradewire/core';
import { ibError } from '../errors.js';
import type { IBOrderRef } from '../order-key.js';
import type { IBCode, IBConnection } from './ib-connection.js';

/** Attempts for a read refused by IB's pacing (error 100) before the RateLimitError escapes. */
const READ_ATTEMPTS = 3;

type Listener = (...args: never[]) => void;
interface Emitter { on(event: string, fn: Listener): unknown; off(event: string, fn: Listener): unknown }

export interface IBPositionRow { account: string; contract: Contract; pos: number; avgCost: number | undefined }
export interface IBSummaryRow { account: string; tag: string; value: string; currency: string }
export interface IBCompletedOrderRow { contract: Contract; order: IBOrder; orderState: OrderState }

export class IBRequests {
  #reqId = 90_000;
  #serial: Promise<unknown> = Promise.resolve();

  constructor(private readonly conn: IBConnection, private readonly clock: Clock, private readonly timeoutMs: number) {}

  nextReqId(): number { return ++this.#reqId; }

  /** Runs requests of one kind one after another (reqPositions has no request id). */
  #serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(fn, fn);
    this.#serial = run.catch(() => undefined);
    return run;
  }

  /** Runs a read; when IB refuses it for pacing (100), waits `retryAfterMs` on the clock and tries again. */
  async #retrying<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await read();
      } catch (e) {
        if (!(isTradingError(e) && e.code === 'RATE_LIMIT') || attempt >= READ_ATTEMPTS) throw e;
        await this.clock.sleep((e as RateLimitError).retryAfterMs ?? 1_000);
      }
    }
  }

  /**
   * Generic: subscribe to `on` events, send, resolve at `end`; reject after the timeout or on a
   * pacing violation (100) reported for this request id or globally.
   */
  collect<T>(what: string, handlers: Record<string, (...args: never[]) => T | undefined | 'end'>, send: (api: IBApi) => void, reqId = -1): Promise<T[]> {
    const api = this.conn.api as unknown as Emitter;
    return new Promise<T[]>((resolve, reject) => {
      const rows: T[] = [];
      const bound: [string, Listener][] = [];
      const onCode = (c: IBCode): void => {
        if (c.code === 100 && (c.id === -1 || c.id === reqId)) { cleanup(); reject(ibError(100, c.message, { id: c.id, cause: c.cause })); }
      };
      this.conn.on('code', onCode);
      const cleanup = (): void => { this.clock.clearTimeout(timer); this.conn.off('code', onCode); for (const [e, f] of bound) api.off(e, f); };
      const timer = this.clock.setTimeout(() => { cleanup(); reject(new RequestTimeoutError(`IB: ${what} got no end message within ${this.timeoutMs} ms`)); }, this.timeoutMs);
      for (const [event, h] of Object.entries(handlers)) {
        const f = ((...args: never[]) => {
          const r = h(...args);
          if (r === 'end') { cleanup(); resolve(rows); } else if (r !== undefined) rows.push(r);
        }) as Listener;
        bound.push([event, f]);
        api.on(event, f);
      }
      this.conn.send(send).catch((e: unknown) => { cleanup(); reject(e); });
    });
  }

  positions(): Promise<IBPositionRow[]> {
    return this.#serialize(() => this.#retrying(async () => {
      const rows = await this.collect<IBPositionRow>('reqPositions', {
        [EventName.position]: ((account: string, contract: Contract, pos: number, avgCost?: number) => ({ account, contract, pos, avgCost })) as never,
        [EventName.positionEnd]: (() => 'end') as never,
      }, (api) => api.reqPositions());
      await this.conn.send((api) => api.cancelPositions()).catch(() => undefined);
      return rows;
    }));
  }

  accountSummary(tags: string[]): Promise<IBSummaryRow[]> {
    return this.#retrying(() => this.#accountSummary(tags));
  }

  #accountSummary(tags: string[]): Promise<IBSummaryRow[]> {
    const reqId = this.nextReqId();
    return this.collect<IBSummaryRow>('reqAccountSummary', {
      [EventName.accountSummary]: ((id: number, account: string, tag: string, value: string, currency: string) => (id === reqId ? { account, tag, value, currency } : undefined)) as never,
      [EventName.accountSummaryEnd]: ((id: number) => (id === reqId ? 'end' : undefined)) as never,
    }, (api) => api.reqAccountSummary(reqId, 'All', tags.join(',')), reqId).finally(() => {
      void this.conn.send((api) => api.cancelAccountSummary(reqId)).catch(() => undefined);
    });
  }

  /** reqAllOpenOrders (every client's); the openOrder/orderStatus events themselves go to the order tracker. */
  openOrders(): Promise<IBOrderRef[]> {
    return this.#serialize(() => this.#retrying(() => this.collect<IBOrderRef>('reqAllOpenOrders', {
      [EventName.openOrder]: ((orderId: number, _c: Contract, o: IBOrder) => ({ orderId, clientId: o.clientId, permId: o.permId })) as never,
      [EventName.openOrderEnd]: (() => 'end') as never,
    }, (api) => api.reqAllOpenOrders())));
  }

  /** reqCompletedOrders (every client's finished orders of the TWS session; no request id, like reqAllOpenOrders). */
  completedOrders(): Promise<IBCompletedOrderRow[]> {
    return this.#serialize(() => this.#retrying(() => this.collect<IBCompletedOrderRow>('reqCompletedOrders', {
      [EventName.completedOrder]: ((contract: Contract, order: IBOrder, orderState: OrderState) => ({ contract, order, orderState })) as never,
      [EventName.completedOrdersEnd]: (() => 'end') as never,
    }, (api) => api.reqCompletedOrders(false))));
  }

  /** reqExecutions (all of today's); the execDetails events also go to the order tracker. */
  executions(): Promise<{ contract: Contract; execution: Execution }[]> {
    return this.#retrying(() => this.#executions());
  }

  #executions(): Promise<{ contract: Contract; execution: Execution }[]> {
    const reqId = this.nextReqId();
    return this.collect<{ contract: Contract; execution: Execution }>('reqExecutions', {
      [EventName.execDetails]: ((id: number, contract: Contract, execution: Execution) => (id === reqId ? { contract, execution } : undefined)) as never,
      [EventName.execDetailsEnd]: ((id: number) => (id === reqId ? 'end' : undefined)) as never,
    }, (api) => api.reqExecutions(reqId, {}), reqId);
  }
}
