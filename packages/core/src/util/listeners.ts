import type { Logger } from '../logger.js';
import type { Unsubscribe } from '../protocols/broker.js';

/**
 * Subscribers of one event kind. Emitting walks a plain array (no iterator, no allocation: this
 * runs for every fill and order update); subscribing and unsubscribing copy it, so a listener may
 * unsubscribe while being called, and adding one twice keeps one. A listener that throws is logged
 * (`threw`: the message) and does not stop the others.
 * @public
 */
export class Listeners<T> {
  #list: readonly ((x: T) => void)[] = [];
  constructor(private readonly log: Logger, private readonly threw = 'listener threw') {}

  add(listener: (x: T) => void): Unsubscribe {
    if (!this.#list.includes(listener)) this.#list = [...this.#list, listener];
    return () => { this.#list = this.#list.filter((l) => l !== listener); };
  }

  emit(x: T): void {
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      const l = list[i]!; // called as a function, not as a method of the array
      try { l(x); } catch (err) { this.log.error(this.threw, { error: err }); }
    }
  }
}
