/** Test helpers: a fake TWS plus an IBBroker wired to it, and small waiting utilities. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IBBroker, IBConfig, IBConnectionPool, type IBBrokerServices } from '@tradewire/broker-ib';
import { MemoryLogger, type Fill, type Order, type OrderIntent } from '@tradewire/core';
import { FakeTws, type FakeTwsOptions } from './fake-tws/fake-tws.js';

export async function waitFor(pred: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The shared fixtures directory (TRADEWIRE_FIXTURES, else ../shared/fixtures from the repo root). */
export function fixturesDir(): string {
  if (process.env.TRADEWIRE_FIXTURES) return process.env.TRADEWIRE_FIXTURES;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'lerna.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repo root (lerna.json) not found');
    dir = up;
  }
  return path.resolve(dir, '../shared/fixtures');
}

let seq = 0;
export function intent(p: Partial<OrderIntent> & Pick<OrderIntent, 'asset' | 'side' | 'quantity'>): OrderIntent {
  return { clientOrderId: `t-${process.pid}-${++seq}`, orderType: 'MARKET', timeInForce: 'DAY', createdAt: Date.now(), ...p };
}

export interface Rig {
  tws: FakeTws;
  broker: IBBroker;
  logger: MemoryLogger;
  orders: Order[];
  fills: Fill[];
  pool: IBConnectionPool;
  /** a second adapter instance on the same venue (restart), not connected */
  fresh(overrides?: Record<string, unknown>, services?: IBBrokerServices): IBBroker;
  close(): Promise<void>;
}

export async function rig(options: FakeTwsOptions & { config?: Record<string, unknown>; services?: IBBrokerServices } = {}): Promise<Rig> {
  const tws = await FakeTws.start({ prices: { AAPL: 100 }, ...options });
  const logger = new MemoryLogger();
  const pool = new IBConnectionPool();
  const base = { port: tws.port, clientId: 7, commissionWaitMs: 500, submitTimeoutMs: 2_000, requestTimeoutMs: 3_000, connectTimeoutMs: 3_000, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } };
  const make = (over: Record<string, unknown> = {}, services: IBBrokerServices = {}): IBBroker =>
    new IBBroker(IBConfig.parse({ ...base, ...options.config, ...over }), { logger, pool: new IBConnectionPool(), ...options.services, ...services });
  const broker = make({}, { pool });
  const orders: Order[] = [];
  const fills: Fill[] = [];
  broker.onOrderUpdate((o) => orders.push(o));
  broker.onFill((f) => fills.push(f));
  const extra: IBBroker[] = [];
  return {
    tws, broker, logger, orders, fills, pool,
    fresh: (over, services) => { const b = make(over, services); extra.push(b); return b; },
    close: async () => {
      for (const b of [broker, ...extra]) await b.disconnect().catch(() => undefined);
      await tws.close();
    },
  };
}
