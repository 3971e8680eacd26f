import type { Logger, Unsubscribe } from '@tradewire/core';

/**
 * Subscribers of one event kind. Emitting walks a plain array (no iterator, no allocation);
 * subscribing and unsubscribing copy it, so a listener may unsubscribe while being called. A
 * listener that throws is logged and does not stop the others.
 */
export class Listeners<T> {
  #list: readonly ((x: T) => void)[] = [];
  constructor(private readonly log: Logger) {}

  add(listener: (x: T) => void): Unsubscribe {
    if (!this.#list.includes(listener)) this.#list = [...this.#list, listener]; // a set: adding twice is one
    return () => { this.#list = this.#list.filter((l) => l !== listener); };
  }

  emit(x: T): void {
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      try { (list[i] as (x: T) => void)(x); } catch (err) { this.log.error('risk: listener threw', { error: err }); }
    }
  }
}
