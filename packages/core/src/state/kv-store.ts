import type { KeyValueStore } from '../protocols/kv.js';
import { StateError } from '../errors.js';
import type { StateStore } from './store.js';

/**
 * The durable `KeyValueStore` of core, on the state store's `kv` table. Each value is JSON with
 * a checksum; a value that fails either check throws `StateError` (`STATE_CORRUPT`), which the
 * risk layer must read as HALTED, never as "fresh". Writes commit immediately.
 * @public
 */
export class SqliteKeyValueStore implements KeyValueStore {
  constructor(private readonly store: StateStore) {}

  get<T = unknown>(key: string): T | undefined {
    const raw = this.store.kvGetRaw(key);
    return raw === undefined ? undefined : this.#parse<T>(key, raw);
  }

  #parse<T>(key: string, raw: string): T {
    try {
      return JSON.parse(raw) as T;
    } catch (err) {
      throw new StateError(`value of '${key}' in ${this.store.file} is unreadable`, 'STATE_CORRUPT', { cause: err, details: { file: this.store.file, key } });
    }
  }

  set(key: string, value: unknown): void {
    if (value === undefined) { this.delete(key); return; }
    this.store.kvSetRaw(key, this.#stringify(key, value));
  }

  #stringify(key: string, value: unknown): string {
    const json = JSON.stringify(value);
    if (json === undefined) throw new StateError(`value of '${key}' is not JSON-serialisable`, 'STATE_VALUE_INVALID', { details: { key } });
    return json;
  }

  delete(key: string): void { this.store.kvDelete(key); }

  /** Read, `fn`, write in one `BEGIN IMMEDIATE` transaction: no other connection writes in between. */
  update<T>(key: string, fn: (current: T | undefined) => T): T {
    let out: T | undefined;
    this.store.kvUpdateRaw(key, (raw) => {
      const cur = raw === undefined ? undefined : this.#parse<T>(key, raw);
      out = fn(cur);
      return this.#stringify(key, out);
    });
    return out as T;
  }

  keys(prefix = ''): string[] { return this.store.kvKeys(prefix); }

  busy(): boolean { return this.store.writerBusy(); }
}
