/** Venue records of the feed conformance suite as DBN: instrument ids, OHLCV-1s bars, trades, an unknown record as the malformed message. */
import { encodeDbn, encodeMetadata, encodeRecord, RType, type EncodeMetadata, type EncodeRecord } from '@tradewire/feed-databento';
import type { VenueRecord } from '@tradewire/testkit';

const ids = new Map<string, number>();
/** A stable instrument id per symbol. */
export function instrumentId(symbol: string): number {
  let id = ids.get(symbol);
  if (id === undefined) { id = 100 + ids.size; ids.set(symbol, id); }
  return id;
}

const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;
const px = (p: number | undefined): bigint | undefined => (p === undefined ? undefined : BigInt(Math.round(p * 1e9)));

/** A record DBN does not define (rtype 0xEE), 16 bytes: a reader skips it by its length. */
export function unknownRecord(tsMs: number): Uint8Array {
  const u8 = new Uint8Array(16);
  const dv = new DataView(u8.buffer);
  u8[0] = 4; u8[1] = 0xee; dv.setUint16(2, 1, true); dv.setUint32(4, 1, true); dv.setBigUint64(8, ns(tsMs), true);
  return u8;
}

export function encodeVenueRecord(r: VenueRecord): Uint8Array {
  if (r.kind === 'malformed') return unknownRecord(r.ts);
  const head = { publisher_id: 1, instrument_id: instrumentId(r.symbol), ts_event: ns(r.ts) };
  let rec: EncodeRecord;
  if (r.kind === 'bar') rec = { rtype: RType.OHLCV_1S, ...head, open: px(r.open), high: px(r.high), low: px(r.low), close: px(r.close), volume: BigInt(r.volume) };
  else if (r.kind === 'trade') rec = { rtype: RType.MBP_0, ...head, ts_recv: ns(r.ts), price: px(r.price), size: r.size, action: 'T', side: 'B', flags: 128 };
  else throw new Error('the Databento conformance venue serves bars and trades');
  return encodeRecord(rec);
}

export const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** A historical DBN body (metadata with date mappings for `symbols`, then the records). */
export function historicalDbn(template: Omit<EncodeMetadata, 'start' | 'mappings' | 'symbols'>, symbols: readonly string[], startMs: number, records: readonly VenueRecord[]): Uint8Array {
  const mappings = symbols.map((s) => ({ raw_symbol: s, intervals: [{ start_date: day(startMs - 86_400_000), end_date: day(startMs + 3 * 86_400_000), symbol: String(instrumentId(s)) }] }));
  return concat([encodeMetadata({ ...template, start: ns(startMs), symbols: [...symbols], mappings }), ...records.map(encodeVenueRecord)]);
}

/** The start of a live session: metadata (no schema, instrument ids) and a SymbolMappingMsg per symbol. */
export function liveSessionStart(startMs: number, symbols: readonly string[]): Uint8Array {
  const maps: EncodeRecord[] = symbols.map((s) => ({ rtype: RType.SYMBOL_MAPPING, instrument_id: instrumentId(s), ts_event: ns(startMs), stype_in: 1, stype_in_symbol: s, stype_out: 0, stype_out_symbol: s, start_ts: undefined, end_ts: undefined }));
  return encodeDbn({ dataset: 'GLBX.MDP3', schema: null, start: ns(startMs), stype_in: null, stype_out: 'instrument_id', limit: 0n }, maps);
}

export const heartbeatRecord = (tsMs: number): Uint8Array => encodeRecord({ rtype: RType.SYSTEM, ts_event: ns(tsMs), msg: 'Heartbeat', code: 0 });
