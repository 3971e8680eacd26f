/**
 * Comparing a computed value (a product, sum, difference or ratio of decimal inputs) with a
 * configured limit. Float arithmetic lands a few ulps off the exact decimal result
 * (3 × 0.1 = 0.30000000000000004, 29000 / 100000 × 100 = 28.999999999999996), so a value within
 * `LIMIT_TOLERANCE` of the limit counts as AT the limit. The tolerance is relative to the limit,
 * or to `scale` when that is larger: the magnitude of the inputs a difference was computed from
 * (a daily loss of 6.6 on a 10,000,000 account, computed as 6.599999999627471, carries the
 * rounding of 10,000,000, not of 6.6). It stays thousands of times below any difference a real
 * order or price makes. NaN is never within a limit and never reaches one, so "NaN never passes"
 * holds. Exported for user policies that compare against limits.
 */
export const LIMIT_TOLERANCE = 1e-12;

/**
 * Is `value` equal to `limit` up to float rounding (|value − limit| ≤ LIMIT_TOLERANCE ×
 * max(|limit|, |scale|))? An infinite limit (disabled) is equal only to itself.
 */
export function atLimit(value: number, limit: number, scale = limit): boolean {
  if (value === limit) return true;
  const tol = LIMIT_TOLERANCE * Math.max(Math.abs(limit), Math.abs(scale));
  return tol < Infinity && Math.abs(value - limit) <= tol;
}

/** value ≤ limit, a value at the limit (up to rounding) included: "at the limit passes". */
export function withinLimit(value: number, limit: number, scale = limit): boolean {
  return value <= limit || atLimit(value, limit, scale);
}

/** value ≥ limit, a value at the limit (up to rounding) included: "reaching the limit trips". */
export function reachesLimit(value: number, limit: number, scale = limit): boolean {
  return value >= limit || atLimit(value, limit, scale);
}
