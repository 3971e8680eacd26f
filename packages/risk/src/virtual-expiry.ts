import type { Order } from '@tradewire/core';
import { isLaterSession, type SessionCalendar } from './session.js';

const NONE: readonly string[] = Object.freeze([]);

/**
 * When resting virtual orders end, as at a venue: a `GTD` order once engine time reaches its
 * `expireAt`; a `DAY` order once the trading session it was placed in is over — the risk layer's
 * session (`session.boundary` in `session.timeZone`, the boundary at which the daily counters
 * reset), the one its `submittedAt` falls in. `GTC` orders never expire; `IOC`/`FOK` never rest.
 *
 * Per event: two comparisons (and the calendar's cached range check while a DAY order rests)
 * unless a deadline may be due; the bounds are lower bounds, made exact again by each sweep.
 */
export class VirtualExpiry {
  /** `expireAt` of each resting GTD order, by client order id */
  readonly #gtd = new Map<string, number>();
  /** the session label of each resting DAY order, by client order id */
  readonly #day = new Map<string, string>();
  #nextGtd = Infinity;
  #oldestDay: string | null = null;

  constructor(private readonly sessions: SessionCalendar) {}

  /** Has a GTD order's time come at `now` (also for an order not yet resting)? */
  static gtdReached(o: Pick<Order, 'timeInForce' | 'expireAt'>, now: number): boolean {
    return o.timeInForce === 'GTD' && o.expireAt !== undefined && now >= o.expireAt;
  }

  /** Starts watching a resting order (taken now, or restored after a restart). */
  track(o: Order): void {
    if (o.timeInForce === 'GTD' && o.expireAt !== undefined) {
      this.#gtd.set(o.clientOrderId, o.expireAt);
      if (o.expireAt < this.#nextGtd) this.#nextGtd = o.expireAt;
    } else if (o.timeInForce === 'DAY') {
      const session = this.sessions.label(o.submittedAt ?? o.createdAt);
      this.#day.set(o.clientOrderId, session);
      if (this.#oldestDay === null || session < this.#oldestDay) this.#oldestDay = session;
    }
  }

  /** Stops watching an order (filled, cancelled or expired). */
  forget(clientOrderId: string): void {
    this.#gtd.delete(clientOrderId);
    this.#day.delete(clientOrderId);
  }

  clear(): void {
    this.#gtd.clear();
    this.#day.clear();
    this.#nextGtd = Infinity;
    this.#oldestDay = null;
  }

  /** Client order ids of the watched orders over at `now` (no longer watched afterwards). */
  due(now: number): readonly string[] {
    const oldest = this.#oldestDay;
    const session = oldest === null ? null : this.sessions.label(now);
    const dayOver = session !== null && isLaterSession(session, oldest);
    if (now < this.#nextGtd && !dayOver) return NONE;
    const out: string[] = [];
    let next = Infinity;
    for (const [id, at] of this.#gtd) {
      if (now >= at) { out.push(id); this.#gtd.delete(id); } else if (at < next) next = at;
    }
    this.#nextGtd = next;
    let min: string | null = null;
    for (const [id, s] of this.#day) {
      if (session !== null && isLaterSession(session, s)) { out.push(id); this.#day.delete(id); } else if (min === null || s < min) min = s;
    }
    this.#oldestDay = min;
    return out;
  }
}
