/** Schema u16 value → string name (DATABENTO.md §3.2). 0xFFFF = none (null). */
export const SCHEMA_NAMES: readonly string[] = [
  'mbo', 'mbp-1', 'mbp-10', 'tbbo', 'trades', 'ohlcv-1s', 'ohlcv-1m', 'ohlcv-1h', 'ohlcv-1d', 'definition',
  'statistics', 'status', 'imbalance', 'ohlcv-eod', 'cmbp-1', 'cbbo-1s', 'cbbo-1m', 'tcbbo', 'bbo-1s', 'bbo-1m',
];
export const SCHEMA_NONE = 0xffff;
export type SchemaName = string;

export function schemaName(v: number): string | null {
  if (v === SCHEMA_NONE) return null;
  return SCHEMA_NAMES[v] ?? `schema-${v}`;
}
export function schemaFromName(name: string): number {
  const i = SCHEMA_NAMES.indexOf(name);
  if (i < 0) throw new RangeError(`unknown DBN schema '${name}'`);
  return i;
}

/** SType u8 → string (§3.3). 0xFF = none (null). */
export const STYPE_NAMES: readonly string[] = [
  'instrument_id', 'raw_symbol', 'smart', 'continuous', 'parent', 'nasdaq_symbol', 'cms_symbol', 'isin', 'us_code',
  'bbg_comp_id', 'bbg_comp_ticker', 'figi', 'figi_ticker',
];
export const STYPE_NONE = 0xff;
export function stypeName(v: number): string | null {
  if (v === STYPE_NONE) return null;
  return STYPE_NAMES[v] ?? `stype-${v}`;
}
export function stypeFromName(name: string): number {
  const i = STYPE_NAMES.indexOf(name);
  if (i < 0) throw new RangeError(`unknown DBN stype '${name}'`);
  return i;
}

/** rtype values (§3.1). */
export const RType = {
  MBP_0: 0x00,
  MBP_1: 0x01,
  MBP_10: 0x0a,
  OHLCV_DEPRECATED: 0x11,
  STATUS: 0x12,
  INSTRUMENT_DEF: 0x13,
  IMBALANCE: 0x14,
  ERROR: 0x15,
  SYMBOL_MAPPING: 0x16,
  SYSTEM: 0x17,
  STATISTICS: 0x18,
  OHLCV_1S: 0x20,
  OHLCV_1M: 0x21,
  OHLCV_1H: 0x22,
  OHLCV_1D: 0x23,
  OHLCV_EOD: 0x24,
  MBO: 0xa0,
  CMBP_1: 0xb1,
  CBBO_1S: 0xc0,
  CBBO_1M: 0xc1,
  TCBBO: 0xc2,
  BBO_1S: 0xc3,
  BBO_1M: 0xc4,
} as const;

const RTYPE_NAME_TABLE: Record<number, string> = {
  0x00: 'mbp-0', 0x01: 'mbp-1', 0x0a: 'mbp-10', 0x11: 'ohlcv-deprecated', 0x12: 'status', 0x13: 'instrument-def',
  0x14: 'imbalance', 0x15: 'error', 0x16: 'symbol-mapping', 0x17: 'system', 0x18: 'statistics', 0x20: 'ohlcv-1s',
  0x21: 'ohlcv-1m', 0x22: 'ohlcv-1h', 0x23: 'ohlcv-1d', 0x24: 'ohlcv-eod', 0xa0: 'mbo', 0xb1: 'cmbp-1', 0xc0: 'cbbo-1s',
  0xc1: 'cbbo-1m', 0xc2: 'tcbbo', 0xc3: 'bbo-1s', 0xc4: 'bbo-1m',
};
/** rtype → its name ('mbp-0', 'ohlcv-1m', …); unknown values as `rtype-0xNN`. */
export function rtypeName(rtype: number): string {
  return RTYPE_NAME_TABLE[rtype] ?? `rtype-0x${rtype.toString(16).padStart(2, '0')}`;
}
export function isOhlcvRtype(rtype: number): boolean {
  return (rtype >= 0x20 && rtype <= 0x24) || rtype === 0x11;
}
/** Bar period in ms for an OHLCV rtype (undefined for eod/deprecated). */
export function ohlcvPeriodMs(rtype: number): number | undefined {
  switch (rtype) {
    case 0x20: return 1000;
    case 0x21: return 60_000;
    case 0x22: return 3_600_000;
    case 0x23: return 86_400_000;
    default: return undefined;
  }
}

/** Flag bits (§2.4). */
export const Flags = {
  LAST: 128, TOB: 64, SNAPSHOT: 32, MBP: 16, BAD_TS_RECV: 8, MAYBE_BAD_BOOK: 4, PUBLISHER_SPECIFIC: 2,
} as const;

/** ErrorMsg.code (v2+). */
export const ErrorCode = {
  AUTH_FAILED: 1, API_KEY_DEACTIVATED: 2, CONNECTION_LIMIT_EXCEEDED: 3, SYMBOL_RESOLUTION_FAILED: 4,
  INVALID_SUBSCRIPTION: 5, INTERNAL_ERROR: 6, SKIPPED_RECORDS_AFTER_SLOW_READING: 7, UNSET: 255,
} as const;
/** SystemMsg.code (v2+). */
export const SystemCode = {
  HEARTBEAT: 0, SUBSCRIPTION_ACK: 1, SLOW_READER_WARNING: 2, REPLAY_COMPLETED: 3, END_OF_INTERVAL: 4, UNSET: 255,
} as const;

/** StatType names (§3.5). */
export const STAT_TYPE_NAMES: Record<number, string> = {
  1: 'OpeningPrice', 2: 'IndicativeOpeningPrice', 3: 'SettlementPrice', 4: 'TradingSessionLowPrice',
  5: 'TradingSessionHighPrice', 6: 'ClearedVolume', 7: 'LowestOffer', 8: 'HighestBid', 9: 'OpenInterest',
  10: 'FixingPrice', 11: 'ClosePrice', 12: 'NetChange', 13: 'Vwap', 14: 'Volatility', 15: 'Delta',
  16: 'UncrossingPrice', 17: 'UpperPriceLimit', 18: 'LowerPriceLimit', 19: 'BlockVolume', 10001: 'VenueSpecificVolume1',
};
