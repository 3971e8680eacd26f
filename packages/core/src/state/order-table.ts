/** An order's key in memory: its `IssuedIds` index for ids this session generated, else the id itself. */
export type OrderKey = number | string;

/** Slots in the ring: orders of generated ids in memory at once before they spill into the map. */
const RING_BITS = 16;

/**
 * The journal's orders in memory, by key. An order of a generated id (an integer key: ids are
 * issued in sequence) sits in a ring slot, its key modulo the ring's size; any other order (a
 * string key, or an integer key whose slot another order holds) in a `Map`. A `Map` alone, with
 * an order added and one evicted per intent, grows and rehashes its table again and again (an
 * allocation and a copy each time, on the order path); a slot is one store.
 */
export class OrderTable<T extends { key: OrderKey }> {
  readonly #ring: (T | undefined)[] = new Array<T | undefined>(1 << RING_BITS).fill(undefined);
  readonly #mask = (1 << RING_BITS) - 1;
  readonly #other = new Map<OrderKey, T>();

  get(key: OrderKey): T | undefined {
    if (typeof key === 'number') {
      const c = this.#ring[key & this.#mask];
      if (c !== undefined && c.key === key) return c;
    }
    return this.#other.size === 0 ? undefined : this.#other.get(key);
  }

  has(key: OrderKey): boolean { return this.get(key) !== undefined; }

  /** `v.key` must be `key`. */
  set(key: OrderKey, v: T): void {
    if (typeof key === 'number') {
      const slot = key & this.#mask;
      const c = this.#ring[slot];
      if (c === undefined || c.key === key) {
        this.#ring[slot] = v;
        if (this.#other.size > 0) this.#other.delete(key); // spilled earlier, while the slot was taken
        return;
      }
    }
    this.#other.set(key, v);
  }

  delete(key: OrderKey): void {
    if (typeof key === 'number') {
      const slot = key & this.#mask;
      const c = this.#ring[slot];
      if (c !== undefined && c.key === key) { this.#ring[slot] = undefined; return; }
    }
    this.#other.delete(key);
  }
}
