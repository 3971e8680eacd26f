/**
 * A small durable key/value area (the state store's `kv` table, or memory in tests). The risk
 * layer keeps its kill switch and counters here. Implementations throw `StateError` when the
 * stored value cannot be read: callers must treat that as HALTED, never as "fresh".
 * @public
 */
export interface KeyValueStore {
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  keys(prefix?: string): string[];
  /**
   * Optional: true while a write would have to wait for another writer of the same store (the
   * journal's SQLite writer committing a batch). Callers with nothing urgent to write (counters
   * written behind) may try again a little later instead of stalling the order path.
   */
  busy?(): boolean;
  /**
   * Optional: reads `key`, hands its value to `fn` and writes what `fn` returns, as one atomic
   * step against every other writer of the same store (another process included: the operator
   * CLI and a running engine share the state store). Returns the value written. Callers that
   * read-modify-write a value someone else may also write (the risk state) use it when present;
   * a value that cannot be read throws as in `get`, before `fn` runs.
   */
  update?<T>(key: string, fn: (current: T | undefined) => T): T;
}

/** In-memory KeyValueStore (values are deep-copied through JSON, like the durable one). @public */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly #m = new Map<string, string>();
  get<T = unknown>(key: string): T | undefined {
    const v = this.#m.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }
  set(key: string, value: unknown): void { this.#m.set(key, JSON.stringify(value)); }
  delete(key: string): void { this.#m.delete(key); }
  keys(prefix = ''): string[] { return [...this.#m.keys()].filter((k) => k.startsWith(prefix)).sort(); }
  update<T>(key: string, fn: (current: T | undefined) => T): T {
    const next = fn(this.get<T>(key));
    this.set(key, next);
    return next;
  }
}
