/** The fake TWS's order handling: accept / reject / fill / cancel, and the messages each produces. */
import { FakeTwsLedger, type LedgerExecution, type LedgerOrder } from './ledger.js';
import { commissionFor, executionPrice, ibTime, TERMINAL } from './matching.js';
import { msg, PLACE_ORDER, SERVER_VERSION, type WireContract } from './wire.js';
import { completedOrder } from './completed-order.js';
import type { Field } from './framing.js';

export interface EngineBehaviour {
  /** split each marketable fill into these fractions (e.g. [0.4, 0.6]); default one fill */
  fillParts: number[];
  /** rejections to answer, in order, to the next placeOrders (code 201 …) */
  rejectNext: { code: number; message: string }[];
  /** symbols without a security definition (error 200) */
  unknownSymbols: Set<string>;
  /** 'auto' fills marketable orders at once; 'manual' only acknowledges them (fill with `fillOrder`) */
  fillMode: 'auto' | 'manual';
  /** accept the next N orders but send nothing back about them (lost acknowledgement) */
  swallowNext: number;
  /** for the next N orders, report executions first and the (stale) acknowledgements after them */
  reorderNext: number;
  /** refuse the next N placeOrders / reads with error 100 (pacing violation) */
  rateLimitSubmits: number;
  rateLimitReads: number;
  /** send openOrder messages (real TWS does) */
  sendOpenOrder: boolean;
  commissionPerShare: number;
  minCommission: number;
  /** execution times as TWS prints them without a zone (`YYYYMMDD  HH:MM:SS`, local time of this IANA zone); default `… UTC` */
  execTimeZone: string | undefined;
  /** send each commissionReport this long after its execution (live and in reqExecutions answers); 0 = right after */
  commissionDelayMs: number;
}

export type Deliver = (clientId: number, fields: Field[]) => void;

export class OrderEngine {
  readonly behaviour: EngineBehaviour = {
    fillParts: [1], rejectNext: [], unknownSymbols: new Set(), fillMode: 'auto', swallowNext: 0, reorderNext: 0, rateLimitSubmits: 0, rateLimitReads: 0,
    sendOpenOrder: true, commissionPerShare: 0.005, minCommission: 1, execTimeZone: undefined, commissionDelayMs: 0,
  };
  readonly prices = new Map<string, number>();
  /** quantity that can still execute at the current price event, per symbol (absent = unlimited) */
  readonly liquidity = new Map<string, number>();
  /** the highest order id each API client used (TWS keeps ids per client) */
  readonly #maxOrderId = new Map<number, number>();
  #permSeq = 900000;
  #execSeq = 0;
  readonly #silent = new Set<number>();

  constructor(
    readonly ledger: FakeTwsLedger, readonly account: string, private readonly deliver: Deliver, private readonly conIdOf: (symbol: string) => number,
    readonly serverVersion = SERVER_VERSION,
  ) {}

  maxOrderId(clientId: number): number { return this.#maxOrderId.get(clientId) ?? 0; }

  contract(symbol: string): WireContract {
    return { conId: this.conIdOf(symbol), symbol, secType: 'STK', exchange: 'SMART', currency: 'USD' };
  }

  #send(o: LedgerOrder, fields: Field[]): void {
    if (!this.#silent.has(o.orderId)) this.deliver(o.clientId, fields);
  }

  #status(o: LedgerOrder): void {
    this.#send(o, msg.orderStatus({ orderId: o.orderId, status: o.status, filled: o.filled, remaining: o.totalQuantity - o.filled, avgFillPrice: o.avgFillPrice, permId: o.permId, lastFillPrice: o.lastFillPrice, clientId: o.clientId }));
  }

  openOrderFields(o: LedgerOrder): Field[] {
    return msg.openOrder({ ...o, contract: this.contract(o.symbol) }, this.serverVersion);
  }

  /** The completedOrder message of a finished order (reqCompletedOrders). */
  completedOrderFields(o: LedgerOrder): Field[] {
    return completedOrder({
      ...o, contract: this.contract(o.symbol), completedTime: o.completedTime ?? ibTime(Date.now()), completedStatus: o.completedStatus ?? o.status,
    }, this.serverVersion);
  }

  /** Marks `o` finished with `status`, in TWS's words `text` (what completedOrder reports). */
  #complete(o: LedgerOrder, status: string, text: string): void {
    o.status = status;
    o.completedTime = ibTime(Date.now());
    o.completedStatus = text;
  }

  place(clientId: number, f: string[]): void {
    const orderId = Number(f[PLACE_ORDER.orderId]);
    const symbol = f[PLACE_ORDER.symbol] ?? '';
    const ref = f[PLACE_ORDER.orderRef] ?? '';
    if (this.behaviour.rateLimitSubmits > 0) {
      this.behaviour.rateLimitSubmits--;
      this.deliver(clientId, msg.error(orderId, 100, 'Max rate of messages per second has been exceeded:max=50 rec=51 (1)'));
      return;
    }
    const existing = this.ledger.order(clientId, orderId);
    if (existing || orderId <= this.maxOrderId(clientId)) {
      if (existing && !TERMINAL.has(existing.status) && existing.orderRef === ref) return; // a modify: not simulated
      this.deliver(clientId, msg.error(orderId, 103, `Duplicate order id`));
      return;
    }
    this.#maxOrderId.set(clientId, orderId);
    if (this.behaviour.unknownSymbols.has(symbol)) {
      this.deliver(clientId, msg.error(orderId, 200, 'No security definition has been found for the request'));
      return;
    }
    const optNum = (s: string | undefined): number | undefined => (s === undefined || s === '' ? undefined : Number(s));
    const o: LedgerOrder = {
      orderId, clientId, permId: ++this.#permSeq, orderRef: ref, symbol,
      action: f[PLACE_ORDER.action] === 'SELL' ? 'SELL' : 'BUY', totalQuantity: Number(f[PLACE_ORDER.totalQuantity]),
      orderType: f[PLACE_ORDER.orderType] ?? 'MKT', lmtPrice: optNum(f[PLACE_ORDER.lmtPrice]), auxPrice: optNum(f[PLACE_ORDER.auxPrice]),
      tif: f[PLACE_ORDER.tif] || 'DAY', goodTillDate: f[PLACE_ORDER.goodTillDate] || undefined, account: f[PLACE_ORDER.account] || this.account,
      status: 'PreSubmitted', filled: 0, avgFillPrice: 0, lastFillPrice: 0, triggered: false,
    };
    this.ledger.add(o);
    if (this.behaviour.swallowNext > 0) { this.behaviour.swallowNext--; this.#silent.add(orderId); }
    const reject = this.behaviour.rejectNext.shift();
    if (reject) {
      this.#complete(o, 'Inactive', `Rejected by System: ${reject.message}`);
      this.#send(o, msg.error(orderId, reject.code, reject.message));
      this.#status(o);
      return;
    }
    if (this.behaviour.reorderNext > 0) {
      this.behaviour.reorderNext--;
      o.status = 'Submitted';
      if (this.behaviour.fillMode === 'auto') this.tryFill(o);
      const late = { ...o, status: 'Submitted', filled: 0, avgFillPrice: 0 };
      this.#send(o, this.openOrderFields(late));
      this.#send(o, msg.orderStatus({ ...late, remaining: late.totalQuantity }));
      return;
    }
    if (this.behaviour.sendOpenOrder) this.#send(o, this.openOrderFields(o));
    this.#status(o);
    o.status = 'Submitted';
    if (this.behaviour.sendOpenOrder) this.#send(o, this.openOrderFields(o));
    this.#status(o);
    if (this.behaviour.fillMode === 'auto') this.tryFill(o);
    this.#silent.delete(orderId); // only the acknowledgement burst is lost; later messages flow again
  }

  /**
   * An order entered by hand in TWS: order id 0, client id 0, no orderRef. It reaches API clients
   * only through reqAllOpenOrders and reqExecutions (as with a real TWS without reqAutoOpenOrders).
   */
  placeManual(p: { symbol: string; action: 'BUY' | 'SELL'; totalQuantity: number; orderType?: string; lmtPrice?: number }): LedgerOrder {
    const o: LedgerOrder = {
      orderId: 0, clientId: 0, permId: ++this.#permSeq, orderRef: '', symbol: p.symbol, action: p.action, totalQuantity: p.totalQuantity,
      orderType: p.orderType ?? 'MKT', lmtPrice: p.lmtPrice, auxPrice: undefined, tif: 'DAY', goodTillDate: undefined, account: this.account,
      status: 'Submitted', filled: 0, avgFillPrice: 0, lastFillPrice: 0, triggered: false,
    };
    this.ledger.add(o);
    if (this.behaviour.fillMode === 'auto') this.tryFill(o);
    return o;
  }

  /** Fills `o` if it is marketable at the current price; IOC/FOK orders that are not are cancelled. */
  tryFill(o: LedgerOrder): void {
    if (TERMINAL.has(o.status)) return;
    const px = executionPrice(o, this.prices.get(o.symbol));
    if (px === undefined) {
      if (o.tif === 'IOC' || o.tif === 'FOK') this.#finish(o, 'Cancelled');
      return;
    }
    const available = this.liquidity.get(o.symbol) ?? Infinity;
    const remaining = Math.min(o.totalQuantity - o.filled, available);
    if (remaining <= 0) return;
    if (available !== Infinity) this.liquidity.set(o.symbol, available - remaining);
    const parts = this.behaviour.fillParts;
    let left = remaining;
    parts.forEach((frac, i) => {
      const qty = i === parts.length - 1 ? left : Math.min(left, Math.max(1, Math.round(remaining * frac)));
      if (qty <= 0) return;
      left -= qty;
      this.execute(o, qty, px);
    });
  }

  /** Books and reports one execution of `qty` at `price`. */
  execute(o: LedgerOrder, qty: number, price: number): LedgerExecution {
    const seq = ++this.#execSeq;
    const exec: LedgerExecution = {
      execId: `0000e0d5.${(0x65000000 + seq).toString(16)}.01.01`, orderId: o.orderId, clientId: o.clientId, permId: o.permId,
      orderRef: o.orderRef, symbol: o.symbol, side: o.action === 'BUY' ? 'BOT' : 'SLD', shares: qty, price,
      cumQty: 0, avgPrice: 0, commission: commissionFor(qty, this.behaviour.commissionPerShare, this.behaviour.minCommission), time: ibTime(Date.now(), this.behaviour.execTimeZone),
    };
    this.ledger.book(o, exec);
    exec.cumQty = o.filled;
    exec.avgPrice = o.avgFillPrice;
    if (o.filled >= o.totalQuantity) this.#complete(o, 'Filled', `Filled Size: ${o.filled}`);
    this.#send(o, this.execFields(-1, exec));
    if (this.behaviour.sendOpenOrder && o.status === 'Filled') this.#send(o, this.openOrderFields(o));
    this.#status(o);
    this.sendCommission((f) => this.#send(o, f), exec);
    return exec;
  }

  /** Sends the commissionReport of `exec` through `send`, `commissionDelayMs` later when that is set. */
  sendCommission(send: (fields: Field[]) => void, exec: LedgerExecution): void {
    const fields = msg.commissionReport(exec.execId, exec.commission, 'USD');
    const delay = this.behaviour.commissionDelayMs;
    if (delay > 0) setTimeout(() => send(fields), delay); else send(fields);
  }

  execFields(reqId: number, e: LedgerExecution): Field[] {
    return msg.execDetails({ ...e, reqId, contract: this.contract(e.symbol), account: this.account });
  }

  cancel(clientId: number, orderId: number): void {
    const o = this.ledger.order(clientId, orderId);
    if (!o) { this.deliver(clientId, msg.error(orderId, 10147, `OrderId ${orderId} that needs to be cancelled is not found.`)); return; }
    if (TERMINAL.has(o.status)) { this.deliver(clientId, msg.error(orderId, 10148, `OrderId ${orderId} that needs to be cancelled cannot be cancelled, state: ${o.status}.`)); return; }
    this.#finish(o, 'Cancelled');
    this.#send(o, msg.error(orderId, 202, 'Order Canceled - reason:'));
  }

  #finish(o: LedgerOrder, status: string): void {
    this.#complete(o, status, status === 'Cancelled' ? 'Cancelled by Trader' : status);
    this.#status(o);
  }

  /** Moves the price of `symbol`; resting orders that become marketable fill (in id order). */
  setPrice(symbol: string, price: number, liquidity?: number): void {
    this.prices.set(symbol, price);
    if (liquidity === undefined) this.liquidity.delete(symbol); else this.liquidity.set(symbol, liquidity);
    for (const o of [...this.ledger.orders.values()].sort((a, b) => a.permId - b.permId)) {
      if (o.symbol === symbol && !TERMINAL.has(o.status)) this.tryFill(o);
    }
  }
}
