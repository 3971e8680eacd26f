import type { Clock, Logger } from '@tradewire/core';
import { IBConnection, type IBConnectionOptions } from './ib-connection.js';

/**
 * Lets a broker and a feed with the same host/port/clientId share one TWS session in a process.
 * A user `acquire`s the connection and `release`s it; the socket closes when the last active user releases.
 */
export class IBConnectionPool {
  readonly #entries = new Map<string, { conn: IBConnection; users: Set<object> }>();

  static key(o: Pick<IBConnectionOptions, 'host' | 'port' | 'clientId'>): string { return `${o.host}:${o.port}:${o.clientId}`; }

  acquire(user: object, options: IBConnectionOptions, clock: Clock, logger: Logger): IBConnection {
    const key = IBConnectionPool.key(options);
    let e = this.#entries.get(key);
    if (!e) { e = { conn: new IBConnection(options, clock, logger), users: new Set() }; this.#entries.set(key, e); }
    e.users.add(user);
    return e.conn;
  }

  /** Returns true when `user` was the last one (the caller then disconnects). */
  async release(user: object, conn: IBConnection): Promise<void> {
    const key = IBConnectionPool.key(conn.options);
    const e = this.#entries.get(key);
    if (!e || e.conn !== conn) { await conn.disconnect(); return; }
    e.users.delete(user);
    if (e.users.size === 0) { this.#entries.delete(key); await conn.disconnect(); }
  }
}

/** The process-wide pool the `ib` broker and feed definitions use. */
export const defaultConnectionPool = new IBConnectionPool();
