import type { FeedEvent } from '@tradewire/core';

/** A push queue exposed as an async iterator; bounded (drops the oldest event past `max`). */
export class FeedQueue {
  readonly #items: FeedEvent[] = [];
  #waiter: ((r: IteratorResult<FeedEvent>) => void) | undefined;
  #closed = false;
  dropped = 0;

  constructor(private readonly max = 10_000) {}

  push(ev: FeedEvent): void {
    if (this.#closed) return;
    if (this.#waiter) { const w = this.#waiter; this.#waiter = undefined; w({ value: ev, done: false }); return; }
    this.#items.push(ev);
    if (this.#items.length > this.max) { this.#items.shift(); this.dropped++; }
  }

  close(): void {
    this.#closed = true;
    if (this.#waiter) { const w = this.#waiter; this.#waiter = undefined; w({ value: undefined, done: true }); }
  }

  reopen(): void { this.#closed = false; }

  next(): Promise<IteratorResult<FeedEvent>> {
    const item = this.#items.shift();
    if (item) return Promise.resolve({ value: item, done: false });
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => { this.#waiter = resolve; });
  }
}
