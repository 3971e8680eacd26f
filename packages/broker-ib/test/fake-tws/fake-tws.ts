/**
 * A fake TWS on 127.0.0.1: real handshake and framing, server version 176, the message set of
 * VENUES.md §1.7, its own ledger, and controls a test uses to script behaviour and faults.
 */
import net from 'node:net';
import type { Field } from './framing.js';
import { FakeTwsLedger, type LedgerOrder } from './ledger.js';
import { TERMINAL } from './matching.js';
import { OrderEngine, type EngineBehaviour } from './order-engine.js';
import { completedOrdersEnd } from './completed-order.js';
import { TwsSession } from './session.js';
import { msg, SERVER_VERSION } from './wire.js';

export interface FakeTwsOptions {
  accounts?: string[];
  /** the first nextValidId handed out (IB rolls this back after a Gateway restart: see `nextValidId`) */
  nextValidId?: number;
  cash?: number;
  prices?: Record<string, number>;
  /**
   * the server version announced (default 176). From 177 (FA_PROFILE_DESUPPORT) openOrder and
   * completedOrder carry no faProfile, and the adapter uses reqCompletedOrders
   */
  serverVersion?: number;
}

export interface ReceivedMessage { at: number; clientId: number; fields: string[] }

export class FakeTws {
  readonly ledger: FakeTwsLedger;
  readonly engine: OrderEngine;
  readonly received: ReceivedMessage[] = [];
  /** the version ranges clients announced in the unframed `API\0` prologue */
  readonly handshakes: string[] = [];
  readonly sessions = new Set<TwsSession>();
  readonly accounts: string[];
  readonly serverVersion: number;
  /** what nextValidId announces (the max of this and the highest id used + 1) */
  nextValidId: number;
  /**
   * announce `nextValidId` at connect even when it is below ids already used (a Gateway restart
   * rolling the id back, VENUES §5 failure mode 2); reqIds still answers the true next id
   */
  rollBackNextValidId = false;
  /** hold back order/execution messages (TWS cut off from IB during 1100); released with `releaseHeld` */
  holdOrderMessages = false;
  readonly #held: [number, Field[]][] = [];
  /** refuse new connections (socket closed right after accept) */
  refuseConnections = false;
  /** answer START_API with managedAccounts/nextValidId (false: a TWS that hangs in the handshake) */
  completeHandshake = true;
  /** called after a reqRealTimeBars was recorded on `session` (a test serves bars from here) */
  onRealTimeBars: ((session: TwsSession, reqId: number, symbol: string) => void) | undefined;
  #server: net.Server;
  #conIds = new Map<string, number>();

  private constructor(options: FakeTwsOptions) {
    this.accounts = options.accounts ?? ['DU1234567'];
    this.nextValidId = options.nextValidId ?? 1;
    this.ledger = new FakeTwsLedger(options.cash ?? 100_000);
    this.serverVersion = options.serverVersion ?? SERVER_VERSION;
    this.engine = new OrderEngine(this.ledger, this.accounts[0] ?? '', (cid, f) => this.#toClient(cid, f), (s) => this.#conId(s), this.serverVersion);
    for (const [s, p] of Object.entries(options.prices ?? {})) this.engine.prices.set(s, p);
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  static async start(options: FakeTwsOptions = {}): Promise<FakeTws> {
    const tws = new FakeTws(options);
    await new Promise<void>((resolve) => tws.#server.listen(0, '127.0.0.1', resolve));
    return tws;
  }

  get port(): number {
    const a = this.#server.address();
    if (a === null || typeof a === 'string') throw new Error('fake-tws not listening');
    return a.port;
  }

  get behaviour(): EngineBehaviour { return this.engine.behaviour; }

  /** Messages received with this outgoing message id. */
  messages(id: number): ReceivedMessage[] { return this.received.filter((m) => m.fields[0] === String(id)); }

  connectedClients(): number[] { return [...this.sessions].filter((s) => s.started && s.open).map((s) => s.clientId); }

  setPrice(symbol: string, price: number, liquidity?: number): void {
    for (const s of this.sessions) {
      for (const [reqId, sym] of s.mktData) {
        if (sym !== symbol) continue;
        s.send(msg.tickPrice(reqId, 1, Math.round((price - 0.01) * 100) / 100, 100));
        s.send(msg.tickPrice(reqId, 2, Math.round((price + 0.01) * 100) / 100, 100));
        s.send(msg.tickPrice(reqId, 4, price, 10));
      }
    }
    this.engine.setPrice(symbol, price, liquidity);
  }

  /** An order entered by hand in TWS (order id 0, no orderRef); see `OrderEngine.placeManual`. */
  placeManual(p: { symbol: string; action: 'BUY' | 'SELL'; totalQuantity: number; orderType?: string; lmtPrice?: number }): number {
    return this.engine.placeManual(p).permId;
  }

  /** Fills (part of) a live order by orderRef at `price` (default: the current price). */
  fillOrder(orderRef: string, qty?: number, price?: number): void {
    this.#fill(this.ledger.orderByRef(orderRef), orderRef, qty, price);
  }

  /** Cancels a live order at TWS (by the user in TWS, or its DAY ending), by orderRef. */
  cancelOrder(orderRef: string): void {
    const o = this.ledger.orderByRef(orderRef);
    if (!o || TERMINAL.has(o.status)) throw new Error(`fake-tws: no live order ${orderRef}`);
    this.engine.cancel(o.clientId, o.orderId);
  }

  /** Fills (part of) a live order entered by hand in TWS, by its permId. */
  fillManual(permId: number, qty?: number, price?: number): void {
    this.#fill([...this.ledger.orders.values()].find((o) => o.permId === permId), `perm ${permId}`, qty, price);
  }

  #fill(o: LedgerOrder | undefined, name: string, qty?: number, price?: number): void {
    if (!o || TERMINAL.has(o.status)) throw new Error(`fake-tws: no live order ${name}`);
    const px = price ?? this.engine.prices.get(o.symbol);
    if (px === undefined) throw new Error(`fake-tws: no price for ${o.symbol}`);
    this.engine.execute(o, qty ?? o.totalQuantity - o.filled, px);
  }

  pushBar(symbol: string, epochSeconds: number, bar: { open: number; high: number; low: number; close: number; volume: number }): void {
    for (const s of this.sessions) for (const [reqId, sym] of s.bars) if (sym === symbol) s.send(msg.realtimeBar(reqId, epochSeconds, bar));
  }

  /**
   * IB corrects an execution by sending it again with only the digits after the last period of
   * its execId changed (…​.01 → …​.02), here at `price`. TWS then holds both; the correction is
   * not a new trade (the position does not change).
   */
  correctExecution(execId: string, price?: number): string {
    const x = this.ledger.executions.get(execId);
    if (!x) throw new Error(`fake-tws: no execution ${execId}`);
    const dot = execId.lastIndexOf('.');
    const next = `${execId.slice(0, dot + 1)}${String(Number(execId.slice(dot + 1)) + 1).padStart(2, '0')}`;
    const c = { ...x, execId: next, price: price ?? x.price };
    this.ledger.executions.set(next, c);
    for (const s of this.sessions) {
      if (!s.started || s.clientId !== x.clientId) continue;
      s.send(this.engine.execFields(-1, c));
      s.send(msg.commissionReport(c.execId, c.commission, 'USD'));
    }
    return next;
  }

  /** Sends every execution again as live messages (reqId -1), as TWS does at session start. */
  replayExecutions(): void {
    for (const x of this.ledger.executions.values()) {
      const session = [...this.sessions].filter((s) => s.started && s.clientId === x.clientId);
      for (const s of session) { s.send(this.engine.execFields(-1, x)); s.send(msg.commissionReport(x.execId, x.commission, 'USD')); }
    }
  }

  /** A notice (id -1) to every client: 1100, 1101, 1102, 2104 … */
  notice(code: number, text: string): void { this.broadcast(msg.error(-1, code, text)); }

  broadcast(fields: Field[]): void { for (const s of this.sessions) if (s.started) s.send(fields); }

  broadcastBytes(bytes: Buffer): void { for (const s of this.sessions) if (s.started) s.sendBytes(bytes); }

  /** Half-open connections: every current session stays open but sends nothing more (no answers, no data); new sessions are normal. */
  goSilent(): void { for (const s of this.sessions) s.silent = true; }

  /** Drops every client socket (a TWS restart or a network cut). */
  dropConnections(): void { for (const s of this.sessions) s.drop(); }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #conId(symbol: string): number {
    let id = this.#conIds.get(symbol);
    if (id === undefined) { id = 265598 + this.#conIds.size * 1000; this.#conIds.set(symbol, id); }
    return id;
  }

  #accept(socket: net.Socket): void {
    if (this.refuseConnections) { socket.destroy(); return; }
    const session = new TwsSession(socket, {
      onHandshake: (_s, range) => { this.handshakes.push(range); },
      onStartApi: (s) => this.#startApi(s),
      onMessage: (s, f) => this.#onMessage(s, f),
      onClose: (s) => this.sessions.delete(s),
    }, this.serverVersion);
    this.sessions.add(session);
  }

  /** Delivers (or drops, `drop`) the messages held while `holdOrderMessages` was on. */
  releaseHeld(drop = false): void {
    this.holdOrderMessages = false;
    for (const [cid, f] of this.#held.splice(0)) if (!drop) this.#toClient(cid, f);
  }

  #toClient(clientId: number, fields: Field[]): void {
    if (this.holdOrderMessages) { this.#held.push([clientId, fields]); return; }
    for (const s of this.sessions) if (s.started && s.clientId === clientId) s.send(fields);
  }

  #nextId(clientId: number): number { return Math.max(this.nextValidId, this.engine.maxOrderId(clientId) + 1); }

  #startApi(s: TwsSession): void {
    this.received.push({ at: Date.now(), clientId: s.clientId, fields: s.startApiFields });
    if (!this.completeHandshake) return;
    if ([...this.sessions].some((o) => o !== s && o.started && o.open && o.clientId === s.clientId)) {
      s.send(msg.error(-1, 326, `Unable to connect as the client id is already in use. Retry with a unique client id.`));
      s.drop();
      return;
    }
    s.send(msg.managedAccounts(this.accounts));
    s.send(msg.nextValidId(this.rollBackNextValidId ? this.nextValidId : this.#nextId(s.clientId)));
    s.send(msg.error(-1, 2104, 'Market data farm connection is OK:usfarm'));
    s.send(msg.error(-1, 2106, 'HMDS data farm connection is OK:ushmds'));
    s.send(msg.error(-1, 2158, 'Sec-def data farm connection is OK:secdefnj'));
  }

  #onMessage(s: TwsSession, f: string[]): void {
    this.received.push({ at: Date.now(), clientId: s.clientId, fields: f });
    const id = Number(f[0]);
    const e = this.engine;
    if ([5, 7, 16, 61, 62].includes(id) && e.behaviour.rateLimitReads > 0) {
      e.behaviour.rateLimitReads--;
      s.send(msg.error(id === 7 || id === 62 ? Number(f[2]) : -1, 100, 'Max rate of messages per second has been exceeded:max=50 rec=51 (1)'));
      return;
    }
    switch (id) {
      case 3: e.place(s.clientId, f); break;
      case 4: e.cancel(s.clientId, Number(f[2])); break;
      case 5: case 16: {
        for (const o of this.ledger.orders.values()) {
          if (TERMINAL.has(o.status) || (id === 5 && o.clientId !== s.clientId)) continue;
          s.send(e.openOrderFields(o));
          s.send(msg.orderStatus({ ...o, remaining: o.totalQuantity - o.filled }));
        }
        s.send(msg.openOrderEnd());
        break;
      }
      case 7: {
        const reqId = Number(f[2]);
        for (const x of this.ledger.executions.values()) {
          s.send(e.execFields(reqId, x));
          e.sendCommission((c) => s.send(c), x);
        }
        s.send(msg.execDetailsEnd(reqId));
        break;
      }
      case 8: s.send(msg.nextValidId(this.#nextId(s.clientId))); break;
      case 99: {
        // reqCompletedOrders: the orders finished in this TWS session, every client's (apiOnly is not simulated)
        for (const o of this.ledger.orders.values()) if (TERMINAL.has(o.status)) s.send(e.completedOrderFields(o));
        s.send(completedOrdersEnd());
        break;
      }
      case 17: s.send(msg.managedAccounts(this.accounts)); break;
      case 49: s.send(msg.currentTime(Math.floor(Date.now() / 1000))); break;
      case 61: {
        for (const [sym, p] of this.ledger.positions) s.send(msg.position(this.accounts[0] ?? '', e.contract(sym), p.quantity, p.avgCost));
        s.send(msg.positionEnd());
        break;
      }
      case 62: {
        const reqId = Number(f[2]);
        const acct = this.accounts[0] ?? '';
        const nl = this.ledger.netLiquidation((sym) => e.prices.get(sym));
        const values: Record<string, number> = { NetLiquidation: nl, AvailableFunds: this.ledger.cash, TotalCashValue: this.ledger.cash };
        for (const tag of (f[4] ?? '').split(',')) {
          const v = values[tag];
          if (v !== undefined) s.send(msg.accountSummary(reqId, acct, tag, v.toFixed(2), 'USD'));
        }
        s.send(msg.accountSummaryEnd(reqId));
        break;
      }
      case 1: {
        const reqId = Number(f[2]);
        const sym = f[4] ?? '';
        if (e.behaviour.unknownSymbols.has(sym)) { s.send(msg.error(reqId, 200, 'No security definition has been found for the request')); break; }
        s.mktData.set(reqId, sym);
        const px = e.prices.get(sym);
        if (px !== undefined) s.send(msg.tickPrice(reqId, 4, px, 1));
        break;
      }
      case 2: s.mktData.delete(Number(f[2])); break;
      case 50: s.bars.set(Number(f[2]), f[4] ?? ''); this.onRealTimeBars?.(s, Number(f[2]), f[4] ?? ''); break;
      case 51: s.bars.delete(Number(f[2])); break;
      default: break; // 6, 15, 59, 63, 64 …: accepted and ignored
    }
  }
}
