/**
 * Server → client messages exactly as a TWS at server version 176 lays them out (VENUES.md §1.5).
 * Each builder returns the field list after which `encodeFrame` adds the framing. Field counts are
 * the ones @stoqey/ib 1.6.10's decoder reads at 176: an extra or missing field is a 505 on the client.
 */
import type { Field } from './framing.js';

export const SERVER_VERSION = 176;
/** from this server version TWS no longer sends the deprecated faProfile order field */
export const FA_PROFILE_DESUPPORT = 177;
export const UNSET_DOUBLE = '1.7976931348623157E308';

export interface WireContract {
  conId: number;
  symbol: string;
  secType: string;
  exchange: string;
  currency: string;
}

export interface WireOrder {
  orderId: number;
  contract: WireContract;
  action: 'BUY' | 'SELL';
  totalQuantity: number;
  orderType: string;
  lmtPrice?: number | undefined;
  auxPrice?: number | undefined;
  tif: string;
  account: string;
  orderRef: string;
  clientId: number;
  permId: number;
  goodTillDate?: string | undefined;
  status: string;
}

export interface WireExecution {
  reqId: number;
  orderId: number;
  contract: WireContract;
  execId: string;
  time: string;
  account: string;
  side: 'BOT' | 'SLD';
  shares: number;
  price: number;
  permId: number;
  clientId: number;
  cumQty: number;
  avgPrice: number;
  orderRef: string;
}

const num = (v: number | undefined): string => (v === undefined ? '' : String(v));

export const msg = {
  serverVersion: (time: string, version = SERVER_VERSION): Field[] => [version, time],
  managedAccounts: (accounts: readonly string[]): Field[] => [15, 1, accounts.join(',')],
  nextValidId: (id: number): Field[] => [9, 1, id],
  currentTime: (epochSeconds: number): Field[] => [49, 1, epochSeconds],
  /** id -1 is a notice (stoqey emits `info`), otherwise `error` with the request/order id */
  error: (id: number, code: number, message: string): Field[] => [4, 2, id, code, message, ''],
  orderStatus: (o: { orderId: number; status: string; filled: number; remaining: number; avgFillPrice: number; permId: number; lastFillPrice: number; clientId: number }): Field[] =>
    [3, o.orderId, o.status, o.filled, o.remaining, o.avgFillPrice, o.permId, 0, o.lastFillPrice, o.clientId, '', 0],
  openOrder: (o: WireOrder, version = SERVER_VERSION): Field[] => {
    // 127 fields after the message id at server version 176 (ORDER_CONTAINER: no version field);
    // from 177 on, without faProfile (index 34)
    const f: Field[] = new Array<Field>(128).fill('');
    f[0] = 5;
    f[1] = o.orderId;
    f[2] = o.contract.conId;
    f[3] = o.contract.symbol;
    f[4] = o.contract.secType;
    f[6] = '0';
    f[9] = o.contract.exchange;
    f[10] = o.contract.currency;
    f[11] = o.contract.symbol;
    f[13] = o.action;
    f[14] = o.totalQuantity;
    f[15] = o.orderType;
    f[16] = num(o.lmtPrice);
    f[17] = num(o.auxPrice);
    f[18] = o.tif;
    f[20] = o.account;
    f[22] = 0; // origin: customer
    f[23] = o.orderRef;
    f[24] = o.clientId;
    f[25] = o.permId;
    f[36] = o.goodTillDate ?? '';
    f[85] = 0; // whatIf
    f[86] = o.status;
    for (let i = 87; i <= 98; i++) f[i] = UNSET_DOUBLE; // margins and commission fields: unset
    if (version >= FA_PROFILE_DESUPPORT) f.splice(34, 1);
    return f;
  },
  openOrderEnd: (): Field[] => [53, 1],
  execDetails: (e: WireExecution): Field[] => [
    11, e.reqId, e.orderId, e.contract.conId, e.contract.symbol, e.contract.secType, '', '0', '', '',
    e.contract.exchange, e.contract.currency, e.contract.symbol, 'NMS', e.execId, e.time, e.account, e.contract.exchange,
    e.side, e.shares, e.price, e.permId, e.clientId, 0, e.cumQty, e.avgPrice, e.orderRef, '', '', '', 1,
  ],
  execDetailsEnd: (reqId: number): Field[] => [55, 1, reqId],
  commissionReport: (execId: string, commission: number, currency: string, realizedPnl?: number): Field[] =>
    [59, 1, execId, commission, currency, realizedPnl === undefined ? UNSET_DOUBLE : realizedPnl, UNSET_DOUBLE, ''],
  position: (account: string, c: WireContract, position: number, avgCost: number): Field[] =>
    [61, 3, account, c.conId, c.symbol, c.secType, '', '0.0', '', '', c.exchange, c.currency, c.symbol, 'NMS', position, avgCost],
  positionEnd: (): Field[] => [62, 1],
  accountSummary: (reqId: number, account: string, tag: string, value: string, currency: string): Field[] =>
    [63, 1, reqId, account, tag, value, currency],
  accountSummaryEnd: (reqId: number): Field[] => [64, 1, reqId],
  tickPrice: (tickerId: number, tickType: number, price: number, size: number): Field[] => [1, 6, tickerId, tickType, price, size, 0],
  tickSize: (tickerId: number, tickType: number, size: number): Field[] => [2, 6, tickerId, tickType, size],
  realtimeBar: (reqId: number, time: number, b: { open: number; high: number; low: number; close: number; volume: number }): Field[] =>
    [50, 3, reqId, time, b.open, b.high, b.low, b.close, b.volume, b.close, 1],
};

/** Indices of the fields of an incoming placeOrder at server version ≥145 (captured from @stoqey/ib 1.6.10). */
export const PLACE_ORDER = {
  orderId: 1, symbol: 3, secType: 4, exchange: 9, currency: 11, action: 16, totalQuantity: 17, orderType: 18,
  lmtPrice: 19, auxPrice: 20, tif: 21, account: 23, orderRef: 26, goodTillDate: 38,
} as const;
