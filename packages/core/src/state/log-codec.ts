import type { Fill } from '../domain/fill.js';
import type { Order, OrderIntent, OrderSide, OrderStatus, OrderType, TimeInForce } from '../domain/order.js';
import type { FillSource } from './journal.js';
import type { LogRecord } from './journal-log.js';

/**
 * Journal-log records as flat JSON arrays `[seq, kind, now, ...fields]`: no property names, so
 * serialising them is cheaper on the hot path than whole objects; absent optionals are `null`.
 * `seq` is 0 here and set by `JournalLog.append`.
 */
export type StatusOptions = { orderId?: string; reason?: string; kind?: string; authoritative?: boolean; submittedAt?: number };

export const encodeIntent = (i: OrderIntent, now: number): LogRecord => [0, 'I', now, i.clientOrderId, i.asset, i.side, i.quantity, i.orderType,
  i.limitPrice ?? null, i.stopPrice ?? null, i.timeInForce, i.expireAt ?? null, i.tag ?? null, i.reduceOnly === true ? 1 : 0, i.createdAt];

export const encodeFill = (f: Fill, source: FillSource, now: number): LogRecord => [0, 'F', now, f.executionId, f.orderId, f.clientOrderId, f.asset,
  f.side, f.quantity, f.price, f.commission, f.timestamp, f.cumulativeQuantity ?? null, source];

export const encodeStatus = (cid: string, status: OrderStatus, o: StatusOptions, now: number): LogRecord => [0, 'S', now, cid, status,
  o.orderId ?? null, o.reason ?? null, o.kind ?? null, o.authoritative === true ? 1 : 0, o.submittedAt ?? null];

/** Rare records (adoptions, notes) keep their objects. */
export const encodeAdopt = (o: Order, now: number): LogRecord => [0, 'A', now, o];
export const encodeNote = (cid: string, kind: string, detail: string | null, now: number): LogRecord => [0, 'N', now, cid, kind, detail];

type V = unknown;
const num = (v: V): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: V): string | undefined => (typeof v === 'string' ? v : undefined);

export function decodeIntent(r: LogRecord): OrderIntent {
  const [, , , cid, asset, side, quantity, orderType, limit, stop, tif, expire, tag, reduce, createdAt] = r as V[];
  const i: OrderIntent = { clientOrderId: cid as string, asset: asset as string, side: side as OrderSide, quantity: quantity as number, orderType: orderType as OrderType, timeInForce: tif as TimeInForce, createdAt: createdAt as number };
  const lp = num(limit); if (lp !== undefined) i.limitPrice = lp;
  const sp = num(stop); if (sp !== undefined) i.stopPrice = sp;
  const ex = num(expire); if (ex !== undefined) i.expireAt = ex;
  const tg = str(tag); if (tg !== undefined) i.tag = tg;
  if (reduce === 1) i.reduceOnly = true;
  return i;
}

export function decodeFill(r: LogRecord): { fill: Fill; source: FillSource } {
  const [, , , executionId, orderId, cid, asset, side, quantity, price, commission, timestamp, cum, source] = r as V[];
  const fill: Fill = { executionId: executionId as string, orderId: orderId as string, clientOrderId: cid as string, asset: asset as string, side: side as OrderSide, quantity: quantity as number, price: price as number, commission: commission as number, timestamp: timestamp as number };
  const c = num(cum); if (c !== undefined) fill.cumulativeQuantity = c;
  return { fill, source: source as FillSource };
}

export function decodeStatus(r: LogRecord): { cid: string; status: OrderStatus; options: StatusOptions } {
  const [, , , cid, status, orderId, reason, kind, authoritative, submittedAt] = r as V[];
  const options: StatusOptions = {};
  const oid = str(orderId); if (oid !== undefined) options.orderId = oid;
  const rs = str(reason); if (rs !== undefined) options.reason = rs;
  const k = str(kind); if (k !== undefined) options.kind = k;
  if (authoritative === 1) options.authoritative = true;
  const sa = num(submittedAt); if (sa !== undefined) options.submittedAt = sa;
  return { cid: cid as string, status: status as OrderStatus, options };
}
