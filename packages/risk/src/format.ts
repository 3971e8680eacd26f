import { atLimit } from './limit-compare.js';

/**
 * A value for a rejection message: float noise trimmed (`62.15446535000228` → `62.154465`), but
 * never so far that it reads as equal to the `limit` it differs from (a value at the limit up to
 * float rounding reads as the limit); the exact value is in the error's details.
 */
export function fmt(x: number, limit?: number): string {
  if (!Number.isFinite(x)) return String(x);
  const short = String(Number(x.toFixed(6)));
  return limit !== undefined && !atLimit(x, limit) && short === String(limit) ? String(x) : short;
}
