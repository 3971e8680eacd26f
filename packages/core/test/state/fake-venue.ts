// A venue simulator with its own ledger for state tests. With `ledgerFile`, every mutation is
// written synchronously to a JSON file, so the ledger survives a SIGKILL of the process.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  ALL_CAPABILITIES, OrderRejectedError, RequestTimeoutError, NetworkError, isBar,
  type BrokerProtocol, type Fill, type Order, type OrderIntent, type Position, type Unsubscribe, type MarketDataMap,
} from '@tradewire/core';

export interface Ledger { seq: number; orders: Order[]; fills: Fill[]; cash: number; positions: Record<string, number> }

export type SubmitMode = 'accept' | 'reject' | 'timeout-after-accept' | 'timeout-before-accept';

export class FakeVenue implements BrokerProtocol {
  readonly name = 'fake-venue';
  readonly capabilities = ALL_CAPABILITIES;
  ledger: Ledger;
  submitCalls: string[] = [];
  nextSubmit: SubmitMode[] = [];
  /** fill market orders immediately (synchronously, before the ack resolves) */
  fillOnSubmit = false;
  /** calls that throw NetworkError: 'getOrder', 'getOrders', 'getFills', 'getPositions', 'getPendingOrders' */
  failing = new Set<string>();
  /** replay every known fill to listeners on connect (IB session-start behaviour) */
  replayOnConnect = false;
  /** out-of-order stream: order update before the fill, then a stale SUBMITTED copy */
  reorder = false;
  now: () => number = () => Date.now();
  #connected = false;
  #fillL = new Set<(f: Fill) => void>();
  #orderL = new Set<(o: Order) => void>();
  /** the ledger's orders by clientOrderId (tests with thousands of orders) */
  #byCid = new Map<string, Order>();
  /** orders before this index in the ledger are all final (the market-data scan starts here) */
  #scanFrom = 0;

  constructor(private readonly ledgerFile?: string, initialCash = 1_000_000) {
    this.ledger = ledgerFile && existsSync(ledgerFile)
      ? (JSON.parse(readFileSync(ledgerFile, 'utf8')) as Ledger)
      : { seq: 0, orders: [], fills: [], cash: initialCash, positions: {} };
    for (const o of this.ledger.orders) this.#byCid.set(o.clientOrderId, o);
  }

  #save(): void {
    if (!this.ledgerFile) return;
    writeFileSync(`${this.ledgerFile}.tmp`, JSON.stringify(this.ledger));
    renameSync(`${this.ledgerFile}.tmp`, this.ledgerFile);
  }

  async connect(): Promise<void> {
    this.#connected = true;
    if (this.replayOnConnect) for (const f of this.ledger.fills) for (const l of this.#fillL) l({ ...f });
  }
  async disconnect(): Promise<void> { this.#connected = false; }
  isConnected(): boolean { return this.#connected; }
  #fail(what: string): void { if (this.failing.has(what)) throw new NetworkError(`${what}: connection reset`); }

  async getPositions(): Promise<Position[]> {
    this.#fail('getPositions');
    return Object.entries(this.ledger.positions).filter(([, q]) => q !== 0).map(([asset, quantity]) => ({ asset, quantity, avgEntryPrice: 100, currentPrice: 100, unrealizedPnl: 0, realizedPnl: 0 }));
  }
  async getPosition(asset: string): Promise<Position | undefined> { return (await this.getPositions()).find((p) => p.asset === asset); }
  async getPendingOrders(): Promise<Order[]> {
    this.#fail('getPendingOrders');
    return this.ledger.orders.filter((o) => o.status === 'SUBMITTED' || o.status === 'PARTIALLY_FILLED').map((o) => ({ ...o }));
  }
  async getCash(): Promise<number> { return this.ledger.cash; }
  async getAccountValue(): Promise<number> { return this.ledger.cash; }
  async getOrder(cid: string): Promise<Order | undefined> {
    this.#fail('getOrder');
    const o = this.#byCid.get(cid);
    return o ? { ...o } : undefined;
  }
  async getOrders(since = 0): Promise<Order[]> { this.#fail('getOrders'); return this.ledger.orders.filter((o) => o.updatedAt >= since).map((o) => ({ ...o })); }
  async getFills(since = 0): Promise<Fill[]> { this.#fail('getFills'); return this.ledger.fills.filter((f) => f.timestamp >= since).map((f) => ({ ...f })); }

  async submitOrder(intent: OrderIntent): Promise<Order> {
    this.submitCalls.push(intent.clientOrderId);
    const mode = this.nextSubmit.shift() ?? 'accept';
    if (mode === 'timeout-before-accept') throw new RequestTimeoutError('submit timed out');
    if (mode === 'reject') throw new OrderRejectedError('insufficient buying power');
    if (this.#byCid.has(intent.clientOrderId)) throw new OrderRejectedError('duplicate clientOrderId');
    const now = this.now();
    const order: Order = {
      orderId: `V${++this.ledger.seq}`, clientOrderId: intent.clientOrderId, asset: intent.asset, side: intent.side, quantity: intent.quantity,
      orderType: intent.orderType, timeInForce: intent.timeInForce, status: 'SUBMITTED', filledQuantity: 0, avgFillPrice: 0,
      createdAt: now, updatedAt: now, submittedAt: now,
    };
    this.ledger.orders.push(order);
    this.#byCid.set(order.clientOrderId, order);
    this.#save();
    if (this.fillOnSubmit) this.fill(intent.clientOrderId, intent.quantity, 100);
    if (mode === 'timeout-after-accept') throw new RequestTimeoutError('submit response lost');
    return { ...order };
  }

  /** Fills (part of) an order at the venue and pushes the fill and the order update. */
  fill(cid: string, qty: number, price: number, options: { silent?: boolean } = {}): Fill {
    const o = this.#byCid.get(cid);
    if (!o) throw new Error(`no order ${cid}`);
    const now = this.now();
    o.avgFillPrice = (o.avgFillPrice * o.filledQuantity + price * qty) / (o.filledQuantity + qty);
    o.filledQuantity += qty;
    o.status = o.filledQuantity >= o.quantity ? 'FILLED' : 'PARTIALLY_FILLED';
    o.updatedAt = now;
    const signed = o.side === 'BUY' ? qty : -qty;
    this.ledger.positions[o.asset] = (this.ledger.positions[o.asset] ?? 0) + signed;
    this.ledger.cash -= signed * price;
    const f: Fill = { executionId: `E${++this.ledger.seq}`, orderId: o.orderId, clientOrderId: cid, asset: o.asset, side: o.side, quantity: qty, price, commission: 0, timestamp: now, cumulativeQuantity: o.filledQuantity };
    this.ledger.fills.push(f);
    this.#save();
    if (!options.silent && this.reorder) {
      for (const l of this.#orderL) l({ ...o });
      for (const l of this.#fillL) l({ ...f });
      for (const l of this.#orderL) l({ ...o, status: 'SUBMITTED', filledQuantity: 0 });
    } else if (!options.silent) {
      for (const l of this.#fillL) l({ ...f });
      for (const l of this.#orderL) l({ ...o });
    }
    return f;
  }

  /** Re-sends an existing fill (duplicate delivery). */
  redeliver(f: Fill): void { for (const l of this.#fillL) l({ ...f }); }
  emitFill(f: Fill): void { for (const l of this.#fillL) l({ ...f }); }
  emitOrder(o: Order): void { for (const l of this.#orderL) l({ ...o }); }

  async cancelOrder(cid: string): Promise<boolean> {
    const o = this.#byCid.get(cid);
    if (!o || o.status === 'FILLED' || o.status === 'CANCELLED') return false;
    o.status = 'CANCELLED';
    o.updatedAt = this.now();
    this.#save();
    for (const l of this.#orderL) l({ ...o });
    return true;
  }
  async closePosition(): Promise<Order | undefined> { return undefined; }
  onOrderUpdate(l: (o: Order) => void): Unsubscribe { this.#orderL.add(l); return () => { this.#orderL.delete(l); }; }
  onFill(l: (f: Fill) => void): Unsubscribe { this.#fillL.add(l); return () => { this.#fillL.delete(l); }; }

  /** Market orders fill at the bar close of their asset. */
  onMarketData(_ts: number, data: MarketDataMap): void {
    const orders = this.ledger.orders;
    while (this.#scanFrom < orders.length && !isOpen(orders[this.#scanFrom]!)) this.#scanFrom++;
    for (let k = this.#scanFrom; k < orders.length; k++) {
      const o = orders[k]!;
      if (!isOpen(o)) continue;
      const d = data[o.asset];
      if (isBar(d)) this.fill(o.clientOrderId, o.quantity - o.filledQuantity, d.close);
    }
  }

  /** Seeds an order placed "by hand" at the venue. */
  seedOrder(o: Partial<Order> & Pick<Order, 'clientOrderId' | 'asset' | 'side' | 'quantity'>): Order {
    const now = this.now();
    const order: Order = { orderId: `V${++this.ledger.seq}`, orderType: 'LIMIT', timeInForce: 'GTC', status: 'SUBMITTED', filledQuantity: 0, avgFillPrice: 0, createdAt: now, updatedAt: now, ...o };
    this.ledger.orders.push(order);
    this.#byCid.set(order.clientOrderId, order);
    this.#save();
    return order;
  }
}

const isOpen = (o: Order): boolean => o.status === 'SUBMITTED' || o.status === 'PARTIALLY_FILLED';
