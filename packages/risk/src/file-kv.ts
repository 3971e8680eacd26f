import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StateError, type KeyValueStore } from '@tradewire/core';

/**
 * A small durable KeyValueStore in one JSON file (write temp, fsync, rename). Used by the CLI
 * when core's state store is not available. A file that cannot be parsed makes `get` throw a
 * StateError (the risk layer then reads HALTED), and is never overwritten by `get`.
 * @public
 */
export class FileKeyValueStore implements KeyValueStore {
  constructor(readonly file: string) {}

  /** `<stateDir>/risk-kv.json` */
  static inDir(stateDir: string): FileKeyValueStore { return new FileKeyValueStore(join(stateDir, 'risk-kv.json')); }

  #read(): Record<string, unknown> {
    let text: string;
    try { text = readFileSync(this.file, 'utf8'); } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Object.create(null) as Record<string, unknown>;
      throw new StateError(`cannot read ${this.file}: ${(err as Error).message}`, 'STATE_UNREADABLE', { cause: err });
    }
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch (err) {
      throw new StateError(`${this.file} is not valid JSON`, 'STATE_CORRUPT', { cause: err, details: { file: this.file } });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new StateError(`${this.file} does not hold an object`, 'STATE_CORRUPT', { details: { file: this.file } });
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(parsed)) out[k] = v;
    return out;
  }

  #write(m: Record<string, unknown>): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try { writeSync(fd, JSON.stringify(m)); fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(tmp, this.file);
  }

  get<T = unknown>(key: string): T | undefined {
    const v = this.#read()[key];
    return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as T);
  }
  set(key: string, value: unknown): void {
    const m = this.#read();
    m[key] = JSON.parse(JSON.stringify(value)) as unknown;
    this.#write(m);
  }
  delete(key: string): void {
    const m = this.#read();
    if (key in m) { delete m[key]; this.#write(m); }
  }
  keys(prefix = ''): string[] { return Object.keys(this.#read()).filter((k) => k.startsWith(prefix)).sort(); }
  /**
   * Read, `fn`, write. Atomic within this process only: the file has no lock, so two processes
   * updating the same key can still lose one update (core's SQLite store does not).
   */
  update<T>(key: string, fn: (current: T | undefined) => T): T {
    const m = this.#read();
    const cur = m[key];
    const next = fn(cur === undefined ? undefined : (JSON.parse(JSON.stringify(cur)) as T));
    m[key] = JSON.parse(JSON.stringify(next)) as unknown;
    this.#write(m);
    return next;
  }
}
