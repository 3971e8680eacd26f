import type { Contract, Execution } from '@stoqey/ib';
import type { Fill } from '@tradewire/core';

/**
 * Parses an IB execution time: `YYYYMMDD  HH:MM:SS` (TWS local time: read as UTC, the only zone
 * we can know), `YYYYMMDD HH:MM:SS UTC|GMT`, or `YYYYMMDD HH:MM:SS <IANA zone>`. Undefined when unreadable.
 */
export function parseIBTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})[ -]+(\d{2}):(\d{2}):(\d{2})\s*(.*)$/.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, zone] = m;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  const z = (zone ?? '').trim();
  if (z === '' || /^(UTC|GMT|Etc\/UTC|Greenwich Mean Time)$/i.test(z)) return utc;
  return utc - zoneOffsetMs(z, utc);
}

/** Offset of an IANA zone from UTC at (about) `utcMs`; 0 when the zone is unknown. */
function zoneOffsetMs(zone: string, utcMs: number): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(utcMs));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? '0');
    const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    return asUtc - utcMs;
  } catch {
    return 0;
  }
}

/** A commission value IB reports, or undefined for the "not yet known" sentinels (unset, Double.MAX, negative). */
export function validCommission(v: number | undefined): number | undefined {
  if (v === undefined || !Number.isFinite(v) || v < 0 || v > 1e300) return undefined;
  return v;
}

/**
 * The id of an execution across IB's corrections: a correction repeats the execution with only
 * the digits after the last period of its execId changed (`….01.01` → `….01.02`), so the execId
 * without that last part names the execution, whichever version arrives, live or replayed.
 */
export function executionKey(execId: string): string {
  const dot = execId.lastIndexOf('.');
  return dot > 0 ? execId.slice(0, dot) : execId;
}

/**
 * The full execIds this execution may be journaled under besides its key: every version up to the
 * one received (`….01.01` … `….01.0n`): an earlier build of this adapter named fills by the full
 * execId, and a journal it wrote must not take them again.
 */
export function executionAliases(execId: string): string[] {
  const dot = execId.lastIndexOf('.');
  if (dot <= 0) return [];
  const last = execId.slice(dot + 1);
  if (!/^\d{1,4}$/.test(last)) return [execId];
  const key = execId.slice(0, dot);
  const out: string[] = [];
  for (let v = 1; v <= Number(last); v++) out.push(`${key}.${String(v).padStart(last.length, '0')}`);
  return out;
}

/** One execution as a Tradewire fill (commission filled in by the caller once known). */
export function toFill(asset: string, clientOrderId: string, contract: Contract, e: Execution, commission: number, fallbackTime: number): Fill {
  void contract;
  const fill: Fill = {
    executionId: executionKey(e.execId ?? ''),
    orderId: String(e.orderId ?? ''),
    clientOrderId,
    asset,
    side: e.side === 'SLD' ? 'SELL' : 'BUY',
    quantity: Math.abs(e.shares ?? 0),
    price: e.price ?? 0,
    commission,
    timestamp: parseIBTime(e.time) ?? fallbackTime,
  };
  if (e.cumQty !== undefined) fill.cumulativeQuantity = e.cumQty;
  const aliases = executionAliases(e.execId ?? '');
  if (aliases.length > 0) fill.executionIdAliases = aliases;
  return fill;
}
