import { expect } from 'chai';
import {
  ALL_CAPABILITIES, MemoryKeyValueStore, MemoryLogger, SimulatedClock, isTradingError,
  type BrokerProtocol, type Fill, type KeyValueStore, type MarketDataMap, type Order, type OrderIntent, type Position, type Unsubscribe,
} from '@tradewire/core';
import { SafeBroker, parseRiskConfig, type LiveRiskConfigInput } from '@tradewire/risk';

/**
 * A small in-test BrokerProtocol with a ground-truth ledger of every order it received. Market
 * orders fill at once at the last price it was given (onMarketData), limit orders when marketable.
 */
export class LedgerBroker implements BrokerProtocol {
  readonly name = 'ledger';
  readonly capabilities = ALL_CAPABILITIES;
  readonly ledger: OrderIntent[] = [];
  readonly cancels: string[] = [];
  readonly marketEvents: MarketDataMap[] = [];
  readonly positions = new Map<string, Position>();
  readonly prices = new Map<string, number>();
  readonly orders = new Map<string, Order>();
  readonly fills: Fill[] = [];
  cash: number;
  connected = false;
  /** 'fill' (default), 'reject' (status REJECTED), 'throw' (a broker error) */
  mode: 'fill' | 'reject' | 'throw' = 'fill';
  #ol = new Set<(o: Order) => void>();
  #fl = new Set<(f: Fill) => void>();
  #seq = 0;
  constructor(cash = 100_000) { this.cash = cash; }
  async connect(): Promise<void> { this.connected = true; }
  async disconnect(): Promise<void> { this.connected = false; }
  isConnected(): boolean { return this.connected; }
  async getPositions(): Promise<Position[]> { return [...this.positions.values()].filter((p) => p.quantity !== 0).map((p) => ({ ...p })); }
  async getPosition(a: string): Promise<Position | undefined> { const p = this.positions.get(a); return p ? { ...p } : undefined; }
  async getPendingOrders(): Promise<Order[]> { return [...this.orders.values()].filter((o) => o.status === 'SUBMITTED'); }
  async getCash(): Promise<number> { return this.cash; }
  async getAccountValue(): Promise<number> { let v = this.cash; for (const p of this.positions.values()) v += p.quantity * (this.prices.get(p.asset) ?? p.currentPrice); return v; }
  async submitOrder(intent: OrderIntent): Promise<Order> {
    this.ledger.push({ ...intent });
    if (this.mode === 'throw') throw new Error('venue exploded');
    const now = intent.createdAt;
    const o: Order = { orderId: `L${++this.#seq}`, clientOrderId: intent.clientOrderId, asset: intent.asset, side: intent.side, quantity: intent.quantity, orderType: intent.orderType, timeInForce: intent.timeInForce, status: 'SUBMITTED', filledQuantity: 0, avgFillPrice: 0, createdAt: now, updatedAt: now };
    if (intent.limitPrice !== undefined) o.limitPrice = intent.limitPrice;
    this.orders.set(o.clientOrderId, o);
    if (this.mode === 'reject') { o.status = 'REJECTED'; o.rejectionReason = 'insufficient buying power'; this.#emitOrder(o); return { ...o }; }
    const px = this.prices.get(intent.asset);
    if (px !== undefined && (intent.limitPrice === undefined || (intent.side === 'BUY' ? px <= intent.limitPrice : px >= intent.limitPrice))) this.#fill(o, px, now);
    return { ...o };
  }
  #fill(o: Order, px: number, now: number): void {
    const signed = o.side === 'BUY' ? o.quantity : -o.quantity;
    const cur = this.positions.get(o.asset) ?? { asset: o.asset, quantity: 0, avgEntryPrice: 0, currentPrice: px, unrealizedPnl: 0, realizedPnl: 0 };
    const q = cur.quantity + signed;
    this.positions.set(o.asset, { ...cur, quantity: Math.abs(q) < 1e-9 ? 0 : q, currentPrice: px, avgEntryPrice: px });
    this.cash -= signed * px;
    o.status = 'FILLED'; o.filledQuantity = o.quantity; o.avgFillPrice = px; o.updatedAt = now;
    const f: Fill = { executionId: `E${++this.#seq}`, orderId: o.orderId, clientOrderId: o.clientOrderId, asset: o.asset, side: o.side, quantity: o.quantity, price: px, commission: 0, timestamp: now };
    this.fills.push(f);
    for (const l of this.#fl) l(f);
    this.#emitOrder(o);
  }
  #emitOrder(o: Order): void { for (const l of this.#ol) l({ ...o }); }
  async cancelOrder(cid: string): Promise<boolean> { this.cancels.push(cid); const o = this.orders.get(cid); if (!o || o.status !== 'SUBMITTED') return false; o.status = 'CANCELLED'; this.#emitOrder(o); return true; }
  async closePosition(asset: string, cid?: string): Promise<Order | undefined> {
    const p = this.positions.get(asset);
    if (!p || p.quantity === 0) return undefined;
    return this.submitOrder({ clientOrderId: cid ?? `close-${asset}-${this.#seq}`, asset, side: p.quantity > 0 ? 'SELL' : 'BUY', quantity: Math.abs(p.quantity), orderType: 'MARKET', timeInForce: 'DAY', createdAt: 0 });
  }
  async getOrder(cid: string): Promise<Order | undefined> { return this.orders.get(cid); }
  async getOrders(): Promise<Order[]> { return [...this.orders.values()]; }
  async getFills(): Promise<Fill[]> { return [...this.fills]; }
  onOrderUpdate(l: (o: Order) => void): Unsubscribe { this.#ol.add(l); return () => this.#ol.delete(l); }
  onFill(l: (f: Fill) => void): Unsubscribe { this.#fl.add(l); return () => this.#fl.delete(l); }
  onMarketData(_ts: number, data: MarketDataMap): void {
    this.marketEvents.push(data);
    for (const [sym, d] of Object.entries(data)) {
      const px = 'close' in d ? d.close : 'price' in d ? d.price : undefined;
      if (px !== undefined) this.prices.set(sym, px);
    }
  }
}

export const T0 = Date.UTC(2026, 0, 5, 15, 0, 0); // a Monday, 15:00 UTC

let cid = 0;
/** A market (or limit) order intent. */
export function intent(asset: string, side: 'BUY' | 'SELL', quantity: number, extra: Partial<OrderIntent> = {}): OrderIntent {
  const o: OrderIntent = { clientOrderId: `c${++cid}`, asset, side, quantity, orderType: extra.limitPrice !== undefined ? 'LIMIT' : 'MARKET', timeInForce: 'DAY', createdAt: 0, ...extra };
  return o;
}

export function bar(price: number): { open: number; high: number; low: number; close: number; volume: number } {
  return { open: price, high: price, low: price, close: price, volume: 1 };
}

export interface Rig {
  safe: SafeBroker;
  inner: LedgerBroker;
  clock: SimulatedClock;
  kv: KeyValueStore;
  logger: MemoryLogger;
  /** advances the clock to `ts` and sends one bar per asset through SafeBroker */
  tick(prices: Record<string, number>, ts?: number): void;
  buy(asset: string, q: number, extra?: Partial<OrderIntent>): Promise<Order>;
  sell(asset: string, q: number, extra?: Partial<OrderIntent>): Promise<Order>;
}

/** A connected SafeBroker over a LedgerBroker, on simulated time. */
export async function rig(config: LiveRiskConfigInput = {}, opts: { kv?: KeyValueStore; inner?: LedgerBroker; clock?: SimulatedClock; noKv?: boolean } = {}): Promise<Rig> {
  const clock = opts.clock ?? new SimulatedClock(T0);
  const kv = opts.kv ?? new MemoryKeyValueStore();
  const inner = opts.inner ?? new LedgerBroker();
  const logger = new MemoryLogger();
  const safe = new SafeBroker(inner, { config: parseRiskConfig(config), clock, logger, ...(opts.noKv ? {} : { kv }), externalSyncMs: 0, persistIntervalMs: 0 });
  await safe.connect();
  const r: Rig = {
    safe, inner, clock, kv, logger,
    tick(prices, ts) {
      if (ts !== undefined) clock.set(ts);
      const data: MarketDataMap = {};
      for (const [k, v] of Object.entries(prices)) data[k] = bar(v);
      safe.onMarketData(clock.now(), data, {});
    },
    buy: (a, q, extra = {}) => safe.submitOrder(intent(a, 'BUY', q, { createdAt: clock.now(), ...extra })),
    sell: (a, q, extra = {}) => safe.submitOrder(intent(a, 'SELL', q, { createdAt: clock.now(), ...extra })),
  };
  return r;
}

/** Awaits a promise that must reject with a RiskLimitError of `code`; returns the error. */
export async function expectRisk(p: Promise<unknown>, code: string): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  let err: unknown;
  try { await p; } catch (e) { err = e; }
  expect(err, `expected a rejection with ${code}`).to.not.equal(undefined);
  expect(isTradingError(err), String(err)).to.equal(true);
  const te = err as { code: string; name: string; message: string; details: Record<string, unknown> };
  expect(te.name).to.equal('RiskLimitError');
  expect(te.code).to.equal(code);
  return te;
}
