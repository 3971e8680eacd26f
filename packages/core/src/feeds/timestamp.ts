import { DataError } from '../errors.js';

/** How a CSV timestamp column is written. @public */
export type TimestampFormat = 'auto' | 'iso' | 'unix-s' | 'unix-ms' | 'unix-us' | 'unix-ns';

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a timestamp to ms since the epoch. ISO-like strings without a zone are read as UTC
 * (`2024-01-01 23:01:00`, with up to 9 fractional digits). `auto` picks unix units by magnitude.
 * @public
 */
export function parseTimestamp(raw: string, format: TimestampFormat = 'auto'): number {
  const s = raw.trim();
  if (format === 'iso' || (format === 'auto' && !/^-?\d+(\.\d+)?$/.test(s))) {
    const m = ISO_RE.exec(s);
    if (!m) throw new DataError(`unparseable timestamp ${JSON.stringify(s.slice(0, 40))}`, 'BAD_TIMESTAMP');
    const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
    let t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0) + frac;
    const z = m[8];
    if (z && z !== 'Z') {
      const sign = z[0] === '-' ? -1 : 1;
      const digits = z.slice(1).replace(':', '');
      t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
    }
    if (!Number.isFinite(t)) throw new DataError(`invalid timestamp ${JSON.stringify(s.slice(0, 40))}`, 'BAD_TIMESTAMP');
    return t;
  }
  const n = Number(s);
  if (!Number.isFinite(n)) throw new DataError(`unparseable timestamp ${JSON.stringify(s.slice(0, 40))}`, 'BAD_TIMESTAMP');
  switch (format) {
    case 'unix-s': return n * 1000;
    case 'unix-ms': return n;
    case 'unix-us': return n / 1000;
    case 'unix-ns': return Number(BigInt(s.split('.')[0]!) / 1_000_000n);
    default: {
      const a = Math.abs(n);
      if (a < 1e11) return n * 1000; // seconds
      if (a < 1e14) return n; // ms
      if (a < 1e17) return n / 1000; // µs
      return Number(BigInt(s.split('.')[0]!) / 1_000_000n); // ns
    }
  }
}
