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
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch (err) {
      throw new StateError(`value of '${key}' in ${this.store.file} is unreadable`, 'STATE_CORRUPT', { cause: err, details: { file: this.store.file, key } });
    }
  }

  set(key: string, value: unknown): void {
    if (value === undefined) { this.delete(key); return; }
    const json = JSON.stringify(value);
    if (json === undefined) throw new StateError(`value of '${key}' is not JSON-serialisable`, 'STATE_VALUE_INVALID', { details: { key } });
    this.store.kvSetRaw(key, json);
  }

  delete(key: string): void { this.store.kvDelete(key); }

  keys(prefix = ''): string[] { return this.store.kvKeys(prefix); }

  busy(): boolean { return this.store.writerBusy(); }
}
