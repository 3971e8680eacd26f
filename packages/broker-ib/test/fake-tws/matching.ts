/** Pure order-matching rules of the fake TWS: when an order is marketable and at what price. */
import type { LedgerOrder } from './ledger.js';

/** True when a stop (or stop-limit) order's trigger has traded at `price`. */
export function stopTriggered(o: LedgerOrder, price: number): boolean {
  if (o.auxPrice === undefined) return true;
  return o.action === 'BUY' ? price >= o.auxPrice : price <= o.auxPrice;
}

/** The price an order would execute at now, or undefined when it is not marketable. */
export function executionPrice(o: LedgerOrder, price: number | undefined): number | undefined {
  if (price === undefined) return undefined;
  const type = o.orderType;
  if ((type === 'STP' || type === 'STP LMT') && !o.triggered) {
    if (!stopTriggered(o, price)) return undefined;
    o.triggered = true;
  }
  if (type === 'MKT' || type === 'STP') return price;
  if (type === 'LMT' || type === 'STP LMT') {
    if (o.lmtPrice === undefined) return undefined;
    if (o.action === 'BUY') return price <= o.lmtPrice ? price : undefined;
    return price >= o.lmtPrice ? price : undefined;
  }
  return undefined;
}

/** IB-like commission: per share with a minimum per execution. */
export function commissionFor(shares: number, perShare: number, minimum: number): number {
  return Math.round(Math.max(minimum, shares * perShare) * 100) / 100;
}

/** `YYYYMMDD HH:MM:SS UTC`, the execution time format with a time zone name; with `localZone`, that zone's wall time and no zone (`YYYYMMDD  HH:MM:SS`). */
export function ibTime(ms: number, localZone?: string): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  if (localZone !== undefined) {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: localZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
    const get = (t: string): string => parts.find((x) => x.type === t)?.value ?? '00';
    return `${get('year')}${get('month')}${get('day')}  ${get('hour')}:${get('minute')}:${get('second')}`;
  }
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
}

export const TERMINAL = new Set(['Filled', 'Cancelled', 'ApiCancelled', 'Inactive']);
