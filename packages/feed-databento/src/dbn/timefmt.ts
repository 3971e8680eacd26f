/** ns since epoch → RFC 3339 with 9 fractional digits and `Z` (e.g. `2020-12-28T13:00:00.000000000Z`). */
export function nsToIso(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const frac = ns % 1_000_000_000n;
  const d = new Date(Number(ms));
  const base = d.toISOString().slice(0, 19);
  return `${base}.${frac.toString().padStart(9, '0')}Z`;
}

/** ns bigint → ms number (exact floor division). */
export function nsToMs(ns: bigint): number {
  return Number(ns / 1_000_000n);
}

/** ISO-8601 string / Date / ms number / ns bigint → ns bigint. */
export function toNs(v: string | number | bigint | Date): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.round(v)) * 1_000_000n;
  if (v instanceof Date) return BigInt(v.getTime()) * 1_000_000n;
  if (/^\d+$/.test(v)) return BigInt(v);
  const m = /^(.*T\d{2}:\d{2}:\d{2})\.(\d{1,9})(Z|[+-]\d{2}:?\d{2})?$/.exec(v);
  if (m) {
    const whole = Date.parse(`${m[1]}${m[3] ?? 'Z'}`);
    if (Number.isNaN(whole)) throw new RangeError(`bad timestamp '${v}'`);
    return BigInt(whole) * 1_000_000n + BigInt(m[2]!.padEnd(9, '0'));
  }
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(v) || !v.includes('T');
  const t = Date.parse(hasZone ? v : `${v}Z`);
  if (Number.isNaN(t)) throw new RangeError(`bad timestamp '${v}'`);
  return BigInt(t) * 1_000_000n;
}
