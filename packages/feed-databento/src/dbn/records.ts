import { UNDEF_PRICE, UNDEF_TIMESTAMP } from './constants.js';
import { rtypeName } from './enums.js';
import { layoutForSize, type FieldDef, type Layout } from './layouts.js';

/** One price level of MBP-1/TBBO/MBP-10/BBO. Prices are 1e-9 fixed-point bigints; UNDEF ⇒ undefined. */
export interface BidAskPair {
  bid_px: bigint | undefined;
  ask_px: bigint | undefined;
  bid_sz: number;
  ask_sz: number;
  bid_ct: number;
  ask_ct: number;
}
/** One consolidated level of CBBO/CMBP-1/TCBBO (publisher ids instead of counts). */
export interface ConsolidatedBidAskPair {
  bid_px: bigint | undefined;
  ask_px: bigint | undefined;
  bid_sz: number;
  ask_sz: number;
  bid_pb: number;
  ask_pb: number;
}

/**
 * Fields common to every decoded record. Field names follow DATABENTO.md (snake_case, header flattened).
 * `length` is in 4-byte words as on the wire. 64-bit integers are bigints; `px`/timestamp fields holding
 * UNDEF_PRICE / UNDEF_TIMESTAMP are `undefined`.
 */
export interface RecordBase {
  length: number;
  rtype: number;
  publisher_id: number;
  instrument_id: number;
  ts_event: bigint | undefined;
  /** gateway send time, present only when the metadata has ts_out = 1 */
  ts_out?: bigint | undefined;
}
export interface MboMsg extends RecordBase {
  order_id: bigint; price: bigint | undefined; size: number; flags: number; channel_id: number; action: string; side: string;
  ts_recv: bigint | undefined; ts_in_delta: number; sequence: number;
}
export interface TradeMsg extends RecordBase {
  price: bigint | undefined; size: number; action: string; side: string; flags: number; depth: number;
  ts_recv: bigint | undefined; ts_in_delta: number; sequence: number;
}
export interface Mbp1Msg extends TradeMsg { levels: BidAskPair[] }
export type Mbp10Msg = Mbp1Msg;
export interface BboMsg extends RecordBase {
  price: bigint | undefined; size: number; side: string; flags: number; ts_recv: bigint | undefined; sequence: number; levels: BidAskPair[];
}
export interface CbboMsg extends RecordBase {
  price: bigint | undefined; size: number; side: string; flags: number; ts_recv: bigint | undefined; levels: ConsolidatedBidAskPair[];
}
export interface Cmbp1Msg extends RecordBase {
  price: bigint | undefined; size: number; action: string; side: string; flags: number; ts_recv: bigint | undefined;
  ts_in_delta: number; levels: ConsolidatedBidAskPair[];
}
export interface OhlcvMsg extends RecordBase {
  open: bigint | undefined; high: bigint | undefined; low: bigint | undefined; close: bigint | undefined; volume: bigint;
}
export interface StatusMsg extends RecordBase {
  ts_recv: bigint | undefined; action: number; reason: number; trading_event: number; is_trading: string; is_quoting: string;
  is_short_sell_restricted: string;
}
export interface StatMsg extends RecordBase {
  ts_recv: bigint | undefined; ts_ref: bigint | undefined; price: bigint | undefined;
  /** i64 (bigint) in v3, i32 (number) in v1/v2 */
  quantity: bigint | number; sequence: number; ts_in_delta: number; stat_type: number; channel_id: number;
  update_action: number; stat_flags: number;
}
export interface ErrorMsg extends RecordBase { err: string; code?: number; is_last?: number }
export interface SystemMsg extends RecordBase { msg: string; code?: number }
export interface SymbolMappingMsg extends RecordBase {
  stype_in?: number; stype_in_symbol: string; stype_out?: number; stype_out_symbol: string;
  start_ts: bigint | undefined; end_ts: bigint | undefined;
}
export interface ImbalanceMsg extends RecordBase { ts_recv: bigint | undefined; ref_price: bigint | undefined; [k: string]: unknown }
export interface InstrumentDefMsg extends RecordBase { ts_recv: bigint | undefined; raw_symbol: string; instrument_class: string; [k: string]: unknown }

/** Any decoded record (narrow with `rtype`). */
export type DbnRecord = RecordBase & { [field: string]: unknown };

const TD = new TextDecoder('utf-8');

/** Reads a NUL-padded fixed-width string (cut at the first 0 byte). */
export function readCStr(u8: Uint8Array, off: number, len: number): string {
  let end = off;
  const max = off + len;
  let ascii = true;
  while (end < max) {
    const b = u8[end]!;
    if (b === 0) break;
    if (b > 127) ascii = false;
    end++;
  }
  if (end === off) return '';
  if (ascii && end - off <= 32) {
    let s = '';
    for (let i = off; i < end; i++) s += String.fromCharCode(u8[i]!);
    return s;
  }
  return TD.decode(u8.subarray(off, end));
}

/** A char field: byte 0 ⇒ '' (never '\0'). */
export function readChar(u8: Uint8Array, off: number): string {
  const b = u8[off]!;
  return b === 0 ? '' : String.fromCharCode(b);
}

function readPx(dv: DataView, off: number): bigint | undefined {
  const v = dv.getBigInt64(off, true);
  return v === UNDEF_PRICE ? undefined : v;
}
function readTs(dv: DataView, off: number): bigint | undefined {
  const v = dv.getBigUint64(off, true);
  return v === UNDEF_TIMESTAMP ? undefined : v;
}

function readField(dv: DataView, u8: Uint8Array, base: number, f: FieldDef): unknown {
  const o = base + f.off;
  switch (f.kind) {
    case 'u8': return dv.getUint8(o);
    case 'i8': return dv.getInt8(o);
    case 'u16': return dv.getUint16(o, true);
    case 'i16': return dv.getInt16(o, true);
    case 'u32': return dv.getUint32(o, true);
    case 'i32': return dv.getInt32(o, true);
    case 'u64': return dv.getBigUint64(o, true);
    case 'i64': return dv.getBigInt64(o, true);
    case 'px': return readPx(dv, o);
    case 'ts': return readTs(dv, o);
    case 'char': return readChar(u8, o);
    case 'str': return readCStr(u8, o, f.len);
    case 'bap': {
      const out: BidAskPair[] = new Array(f.len);
      for (let i = 0; i < f.len; i++) {
        const p = o + i * 32;
        out[i] = {
          bid_px: readPx(dv, p), ask_px: readPx(dv, p + 8), bid_sz: dv.getUint32(p + 16, true), ask_sz: dv.getUint32(p + 20, true),
          bid_ct: dv.getUint32(p + 24, true), ask_ct: dv.getUint32(p + 28, true),
        };
      }
      return out;
    }
    case 'cbap': {
      const out: ConsolidatedBidAskPair[] = new Array(f.len);
      for (let i = 0; i < f.len; i++) {
        const p = o + i * 32;
        out[i] = {
          bid_px: readPx(dv, p), ask_px: readPx(dv, p + 8), bid_sz: dv.getUint32(p + 16, true), ask_sz: dv.getUint32(p + 20, true),
          bid_pb: dv.getUint16(p + 24, true), ask_pb: dv.getUint16(p + 28, true),
        };
      }
      return out;
    }
    case 'pad': return undefined;
  }
}

/**
 * Decodes one complete record at `off` into a plain object using `layout`. The caller has checked that
 * `layout.size (+8 with tsOut)` bytes are available.
 */
export function decodeWithLayout(dv: DataView, u8: Uint8Array, off: number, layout: Layout, tsOut: boolean): DbnRecord {
  const rec: Record<string, unknown> = {};
  for (const f of layout.fields) rec[f.name] = readField(dv, u8, off, f);
  if (tsOut) rec['ts_out'] = dv.getBigUint64(off + layout.size, true);
  return rec as DbnRecord;
}

// ── JSON ─────────────────────────────────────────────────────────────────────

const UNDEF_PRICE_STR = UNDEF_PRICE.toString();
const UNDEF_TS_STR = UNDEF_TIMESTAMP.toString();

function jsonValue(kind: FieldDef['kind'], v: unknown): unknown {
  switch (kind) {
    case 'px': return v === undefined || v === null ? UNDEF_PRICE_STR : String(v);
    case 'ts': return v === undefined || v === null ? UNDEF_TS_STR : String(v);
    case 'u64': case 'i64': return String(v ?? 0);
    case 'char': case 'str': return v ?? '';
    default: return v ?? 0;
  }
}

/** Layout of a decoded (or hand-built) record: from its rtype and `length` (ts_out excluded). */
export function layoutOfRecord(rec: RecordBase): Layout | undefined {
  const size = rec.length * 4 - ('ts_out' in rec && rec.ts_out !== undefined ? 8 : 0);
  return layoutForSize(rec.rtype, size);
}

/**
 * A record as a JSON-ready plain object: field names as in DATABENTO.md (header flattened, `length` in words),
 * every 64-bit integer as a decimal string, UNDEF sentinels written as their raw decimal value, chars as
 * 1-char strings ('' for NUL), strings trimmed; plus `rtype_name`, `struct` and `record_size_bytes`
 * (the struct size without ts_out) — the shape of the fixture `expected.json` records.
 * Pure; unknown layouts are rendered from the header only.
 */
export function recordToJson(record: DbnRecord): Record<string, unknown> {
  const layout = layoutOfRecord(record);
  const out: Record<string, unknown> = {};
  if (!layout) {
    out['length'] = record.length;
    out['rtype'] = record.rtype;
    out['publisher_id'] = record.publisher_id;
    out['instrument_id'] = record.instrument_id;
    out['ts_event'] = jsonValue('ts', record.ts_event);
    out['rtype_name'] = rtypeName(record.rtype);
    out['record_size_bytes'] = record.length * 4;
    return out;
  }
  const r = record as Record<string, unknown>;
  for (const f of layout.fields) {
    const v = r[f.name];
    if (f.kind === 'bap' || f.kind === 'cbap') {
      const levels = (v as Record<string, unknown>[] | undefined) ?? [];
      out[f.name] = levels.map((l) => f.kind === 'bap'
        ? { bid_px: jsonValue('px', l['bid_px']), ask_px: jsonValue('px', l['ask_px']), bid_sz: l['bid_sz'], ask_sz: l['ask_sz'], bid_ct: l['bid_ct'], ask_ct: l['ask_ct'] }
        : { bid_px: jsonValue('px', l['bid_px']), ask_px: jsonValue('px', l['ask_px']), bid_sz: l['bid_sz'], ask_sz: l['ask_sz'], bid_pb: l['bid_pb'], ask_pb: l['ask_pb'] });
    } else {
      out[f.name] = jsonValue(f.kind, v);
    }
  }
  if (record.ts_out !== undefined) out['ts_out'] = String(record.ts_out);
  out['rtype_name'] = rtypeName(record.rtype);
  out['struct'] = layout.struct;
  out['record_size_bytes'] = layout.size;
  return out;
}

/** JSON.stringify replacer turning bigints into decimal strings. */
export function bigintReplacer(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** Fixed-point price → number (undefined for UNDEF/undefined). */
export function pxToNumber(px: bigint | undefined | null): number | undefined {
  if (px === undefined || px === null || px === UNDEF_PRICE) return undefined;
  return Number(px) / 1e9;
}

/** Index timestamp of a record: ts_recv where the struct has it, else ts_event. */
export function indexTs(rec: DbnRecord): bigint | undefined {
  const r = (rec as { ts_recv?: bigint | undefined });
  return 'ts_recv' in rec ? r.ts_recv : rec.ts_event;
}
