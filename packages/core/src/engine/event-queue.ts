import type { FeedContext, MarketDataMap } from '../domain/market-data.js';

/** Priorities, highest first: system > order/fill > timer > market data. @public */
export type EventPriority = 'system' | 'order' | 'timer' | 'market';

/** A queued market event; `data` loses symbols that a newer event superseded (conflation). */
export interface MarketEvent { timestamp: number; data: MarketDataMap; context: FeedContext; enqueuedAt: number }
export type Task = () => void | Promise<void>;

/** A FIFO with O(1) push/shift that never shrinks its backing array mid-run. */
class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;
  get size(): number { return this.#items.length - this.#head; }
  push(v: T): void { this.#items.push(v); }
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const v = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) { this.#items = this.#items.slice(this.#head); this.#head = 0; }
    return v;
  }
  peek(): T | undefined { return this.#items[this.#head]; }
}

/**
 * The engine's bounded priority queue. System, order and timer tasks are never dropped; market
 * data is conflated per symbol (a symbol's newer value replaces its older, not-yet-consumed value)
 * and, past `capacity`, the oldest market event is dropped and counted.
 * @public
 */
export class EventQueue {
  readonly #system = new Fifo<Task>();
  readonly #order = new Fifo<Task>();
  readonly #timer = new Fifo<Task>();
  readonly #market = new Fifo<MarketEvent>();
  /** symbol → the pending market event holding its latest value */
  readonly #pendingBySymbol = new Map<string, MarketEvent>();
  conflated = 0;
  dropped = 0;
  highWater = 0;
  constructor(readonly capacity = 10_000, readonly conflate = true) {}

  get size(): number { return this.#system.size + this.#order.size + this.#timer.size + this.#market.size; }
  get marketDepth(): number { return this.#market.size; }

  pushTask(priority: Exclude<EventPriority, 'market'>, task: Task): void {
    (priority === 'system' ? this.#system : priority === 'order' ? this.#order : this.#timer).push(task);
    this.#track();
  }

  pushMarket(ev: MarketEvent): void {
    if (this.conflate) {
      for (const sym in ev.data) {
        const older = this.#pendingBySymbol.get(sym);
        if (older && older !== ev) {
          // copy-on-write: the older event may be shared with the feed
          const rest: MarketDataMap = {};
          for (const k in older.data) if (k !== sym) rest[k] = older.data[k]!;
          older.data = rest;
          this.conflated++;
        }
        this.#pendingBySymbol.set(sym, ev);
      }
    }
    this.#market.push(ev);
    while (this.#market.size > this.capacity) {
      const old = this.#market.shift();
      if (old) { this.dropped++; this.#forget(old); }
    }
    this.#track();
  }

  /** Next task or market event by priority; market events emptied by conflation are skipped. */
  next(): { task: Task } | { market: MarketEvent } | undefined {
    const t = this.#system.shift() ?? this.#order.shift() ?? this.#timer.shift();
    if (t) return { task: t };
    for (;;) {
      const m = this.#market.shift();
      if (!m) return undefined;
      this.#forget(m);
      for (const _ in m.data) return { market: m };
    }
  }

  #forget(m: MarketEvent): void {
    if (!this.conflate) return;
    for (const sym in m.data) if (this.#pendingBySymbol.get(sym) === m) this.#pendingBySymbol.delete(sym);
  }

  #track(): void {
    const s = this.size;
    if (s > this.highWater) this.highWater = s;
  }
}
