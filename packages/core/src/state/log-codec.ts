import type { Fill } from '../domain/fill.js';
import type { Order, OrderIntent, OrderSide, OrderStatus, OrderType, TimeInForce } from '../domain/order.js';
import type { FillSource } from './journal.js';
import type { ByteWriter } from './byte-writer.js';
import type { JournalLog, LogRecord } from './journal-log.js';

/**
 * Journal-log records `[seq, kind, now, ...fields]`: no property names; absent optionals are
 * `null`. Written as tagged binary values (`log-line.ts`); read back (from either the binary
 * frames or the JSON lines of earlier builds) as arrays and decoded here. `seq` is assigned by
 * `JournalLog.begin`.
 */
export type StatusOptions = { orderId?: string | undefined; reason?: string | undefined; kind?: string | undefined; authoritative?: boolean | undefined; submittedAt?: number | undefined };

/**
 * A status options object with every field present, for callers that reuse one per kind of report
 * (acks, venue updates: once per order, and `recordStatus` keeps nothing of it). Built here so every
 * reused object has the same fields in the same order: one hidden class where they are read.
 */
export function reusableStatusOptions(kind: string): StatusOptions {
  return { orderId: '', kind, authoritative: false, reason: undefined, submittedAt: undefined };
}

// Writers: one record each, straight into the log's buffer (no intermediate array, no JSON).
// `value` keeps JSON's semantics for odd inputs (undefined → null, non-finite → null, objects as JSON);
// the typed `num` / `str` / `optNum` / `optStr` (fields the types say are numbers or strings, optional
// or not) fall back to it for anything else.

/**
 * An order intent: durable (written before the call returns, with everything buffered before it).
 * `row`: the first twelve values of the order's row for the journal writer (client order id …
 * created_at, `WRITE_BEHIND_SQL.upsertOrder`) are appended to it, as a copy of the record's values.
 */
export function writeIntent(log: JournalLog, i: OrderIntent, now: number, row?: ByteWriter): void {
  const w = log.begin(15);
  try {
    w.str('I'); w.num(now);
    const from = w.mark;
    w.str(i.clientOrderId); w.str(i.asset); w.str(i.side); w.num(i.quantity); w.str(i.orderType);
    w.optNum(i.limitPrice); w.optNum(i.stopPrice); w.str(i.timeInForce); w.optNum(i.expireAt); w.optStr(i.tag);
    w.num(i.reduceOnly ? 1 : 0); w.num(i.createdAt);
    row?.raw(w, from, w.mark); // before `end`: it writes the frame and starts over
  } catch (err) { log.abort(); throw err; } // an odd value (a BigInt, a cycle) must not leave half a record
  log.end(true);
}

/** A fill's eleven values, in the order of its log record and of `WRITE_BEHIND_SQL.insertFill`'s columns (recorded_at follows). */
export function fillValues(w: ByteWriter, f: Fill, source: FillSource): void {
  w.str(f.executionId); w.str(f.orderId); w.str(f.clientOrderId); w.str(f.asset); w.str(f.side);
  w.num(f.quantity); w.num(f.price); w.num(f.commission); w.num(f.timestamp); w.optNum(f.cumulativeQuantity); w.str(source);
}

/**
 * A fill: buffered. `row`: the fill's row for the journal writer is appended to it, as a copy of
 * the record's values (the fills statement takes its columns in this order, `write-behind-sql.ts`)
 * and `now` (recorded_at): each value is encoded once.
 */
export function writeFill(log: JournalLog, f: Fill, source: FillSource, now: number, row?: ByteWriter): void {
  const w = log.begin(14);
  try {
    w.str('F'); w.num(now);
    const from = w.mark;
    fillValues(w, f, source);
    if (row) { row.raw(w, from, w.mark); row.num(now); } // before `end`: it may write the frame and start over
  } catch (err) { log.abort(); throw err; } // an odd value (a BigInt, a cycle) must not leave half a record
  log.end(false);
}

/** A status change or ack: buffered. */
export function writeStatus(log: JournalLog, cid: string, status: OrderStatus, o: StatusOptions, now: number): void {
  const w = log.begin(10);
  try {
    w.str('S'); w.num(now); w.str(cid); w.str(status); w.optStr(o.orderId); w.optStr(o.reason); w.optStr(o.kind);
    w.num(o.authoritative === true ? 1 : 0); w.optNum(o.submittedAt);
  } catch (err) { log.abort(); throw err; } // an odd value (a BigInt, a cycle) must not leave half a record
  log.end(false);
}

/** An adopted external order (kept as an object): buffered. */
export function writeAdopt(log: JournalLog, o: Order, now: number): void {
  const w = log.begin(4);
  try {
    w.str('A'); w.num(now); w.json(o);
  } catch (err) { log.abort(); throw err; } // an odd value (a BigInt, a cycle) must not leave half a record
  log.end(false);
}

/** A note (cancel request, …): buffered. */
export function writeNote(log: JournalLog, cid: string, kind: string, detail: string | null, now: number): void {
  const w = log.begin(6);
  try {
    w.str('N'); w.num(now); w.str(cid); w.str(kind); w.optStr(detail);
  } catch (err) { log.abort(); throw err; } // an odd value (a BigInt, a cycle) must not leave half a record
  log.end(false);
}

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
