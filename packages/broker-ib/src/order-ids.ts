import type { KeyValueStore } from '@tradewire/core';

/**
 * IB order ids: always max(local high-water mark + 1, the venue's nextValidId), never reused, even
 * when a Gateway restart rolls nextValidId back. The high-water mark is persisted in the engine's
 * key/value store when there is one (key per host/port/clientId).
 */
export class OrderIdAllocator {
  #next = 0;
  readonly #key: string;

  constructor(private readonly kv: KeyValueStore | undefined, scope: { host: string; port: number; clientId: number }) {
    this.#key = `broker-ib:order-id-hwm:${scope.host}:${scope.port}:${scope.clientId}`;
    const stored = kv?.get<number>(this.#key);
    if (typeof stored === 'number' && Number.isFinite(stored)) this.#next = stored + 1;
  }

  /** The venue announced `id` as the next valid one. */
  observe(id: number): void { if (id > this.#next) this.#next = id; }

  /** The next id to use; persisted before it is returned (so a crash right after cannot reuse it). */
  take(): number {
    const id = this.#next;
    this.#next = id + 1;
    this.kv?.set(this.#key, id);
    return id;
  }

  peek(): number { return this.#next; }
}
