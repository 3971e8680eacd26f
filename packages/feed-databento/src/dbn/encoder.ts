import { DBN_VERSION, SYMBOL_CSTR_LEN, SYMBOL_CSTR_LEN_V1, UNDEF_PRICE, UNDEF_TIMESTAMP } from './constants.js';
import { SCHEMA_NONE, STYPE_NONE, schemaFromName, stypeFromName } from './enums.js';
import { DbnErrorCode, dbnError } from './errors.js';
import { layoutFor, type FieldDef, type Layout } from './layouts.js';
import type { SymbolMapping } from './metadata.js';

/** Metadata to write. Unset fields default to: end none, limit 0, ts_out false, empty lists. */
export interface EncodeMetadata {
  dataset: string;
  schema: string | null;
  start: bigint;
  end?: bigint | undefined;
  limit?: bigint;
  stype_in: string | null;
  stype_out: string | null;
  ts_out?: boolean;
  symbols?: string[];
  partial?: string[];
  not_found?: string[];
  mappings?: SymbolMapping[];
}

/** A record to encode: header + body fields by DATABENTO.md name. `length` is computed. Missing fields are 0 / '' / UNDEF. */
export type EncodeRecord = { rtype: number; [field: string]: unknown };

const TE = new TextEncoder();

function u64(v: unknown, undef: bigint): bigint {
  if (v === undefined || v === null) return undef;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string') return BigInt(v);
  return undef;
}

function writeStr(u8: Uint8Array, off: number, len: number, s: unknown): void {
  u8.fill(0, off, off + len);
  if (typeof s !== 'string' || s.length === 0) return;
  const b = TE.encode(s);
  u8.set(b.subarray(0, len - 1), off);
}

function dateNum(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new RangeError(`bad mapping date '${s}' (want YYYY-MM-DD)`);
  return Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]);
}

/** Encodes prelude + metadata for DBN `version` (default 3; v3 pads to a multiple of 8). */
export function encodeMetadata(md: EncodeMetadata, version = DBN_VERSION): Uint8Array {
  const L = version === 1 ? SYMBOL_CSTR_LEN_V1 : SYMBOL_CSTR_LEN;
  const symbols = md.symbols ?? [];
  const partial = md.partial ?? [];
  const notFound = md.not_found ?? [];
  const mappings = md.mappings ?? [];
  let varLen = 4 + symbols.length * L + 4 + partial.length * L + 4 + notFound.length * L + 4;
  for (const m of mappings) varLen += L + 4 + m.intervals.length * (8 + L);
  let metaLen = 104 + varLen; // 100 fixed bytes + u32 schema_definition_length, then the variable part
  if (version >= 3) metaLen = Math.ceil((8 + metaLen) / 8) * 8 - 8;
  const u8 = new Uint8Array(8 + metaLen);
  const dv = new DataView(u8.buffer);
  u8[0] = 0x44; u8[1] = 0x42; u8[2] = 0x4e; u8[3] = version;
  dv.setUint32(4, metaLen, true);
  writeStr(u8, 8, 16, md.dataset);
  dv.setUint16(24, md.schema === null ? SCHEMA_NONE : schemaFromName(md.schema), true);
  dv.setBigUint64(26, md.start, true);
  dv.setBigUint64(34, md.end ?? UNDEF_TIMESTAMP, true);
  dv.setBigUint64(42, md.limit ?? 0n, true);
  let p = 50;
  if (version === 1) { dv.setBigUint64(50, UNDEF_TIMESTAMP, true); p = 58; }
  u8[p] = md.stype_in === null ? STYPE_NONE : stypeFromName(md.stype_in);
  u8[p + 1] = md.stype_out === null ? STYPE_NONE : stypeFromName(md.stype_out);
  u8[p + 2] = md.ts_out ? 1 : 0;
  if (version >= 2) dv.setUint16(53, L, true);
  dv.setUint32(108, 0, true);
  let o = 112;
  for (const list of [symbols, partial, notFound]) {
    dv.setUint32(o, list.length, true); o += 4;
    for (const s of list) { writeStr(u8, o, L, s); o += L; }
  }
  dv.setUint32(o, mappings.length, true); o += 4;
  for (const m of mappings) {
    writeStr(u8, o, L, m.raw_symbol); o += L;
    dv.setUint32(o, m.intervals.length, true); o += 4;
    for (const iv of m.intervals) {
      dv.setUint32(o, dateNum(iv.start_date), true);
      dv.setUint32(o + 4, dateNum(iv.end_date), true);
      writeStr(u8, o + 8, L, iv.symbol);
      o += 8 + L;
    }
  }
  return u8;
}

function writeField(dv: DataView, u8: Uint8Array, base: number, f: FieldDef, v: unknown): void {
  const o = base + f.off;
  switch (f.kind) {
    case 'u8': dv.setUint8(o, Number(v ?? 0)); break;
    case 'i8': dv.setInt8(o, Number(v ?? 0)); break;
    case 'u16': dv.setUint16(o, Number(v ?? 0), true); break;
    case 'i16': dv.setInt16(o, Number(v ?? 0), true); break;
    case 'u32': dv.setUint32(o, Number(v ?? 0), true); break;
    case 'i32': dv.setInt32(o, Number(v ?? 0), true); break;
    case 'u64': dv.setBigUint64(o, u64(v, 0n), true); break;
    case 'i64': dv.setBigInt64(o, u64(v, 0n), true); break;
    case 'px': dv.setBigInt64(o, u64(v, UNDEF_PRICE), true); break;
    case 'ts': dv.setBigUint64(o, u64(v, UNDEF_TIMESTAMP), true); break;
    case 'char': u8[o] = typeof v === 'string' && v.length > 0 ? v.charCodeAt(0) & 0xff : 0; break;
    case 'str': writeStr(u8, o, f.len, v); break;
    case 'bap': case 'cbap': {
      const levels = (Array.isArray(v) ? v : []) as Record<string, unknown>[];
      for (let i = 0; i < f.len; i++) {
        const l = levels[i] ?? {};
        const p = o + i * 32;
        dv.setBigInt64(p, u64(l['bid_px'], UNDEF_PRICE), true);
        dv.setBigInt64(p + 8, u64(l['ask_px'], UNDEF_PRICE), true);
        dv.setUint32(p + 16, Number(l['bid_sz'] ?? 0), true);
        dv.setUint32(p + 20, Number(l['ask_sz'] ?? 0), true);
        if (f.kind === 'bap') {
          dv.setUint32(p + 24, Number(l['bid_ct'] ?? 0), true);
          dv.setUint32(p + 28, Number(l['ask_ct'] ?? 0), true);
        } else {
          dv.setUint16(p + 24, Number(l['bid_pb'] ?? 0), true);
          dv.setUint16(p + 28, Number(l['ask_pb'] ?? 0), true);
        }
      }
      break;
    }
    case 'pad': break;
  }
}

/** Writes one record at `off` (the bytes must be zeroed or are overwritten field by field); returns its size. */
export function encodeRecordInto(dv: DataView, u8: Uint8Array, off: number, rec: EncodeRecord, layout: Layout, tsOut: boolean): number {
  const size = layout.size + (tsOut ? 8 : 0);
  u8.fill(0, off, off + size);
  for (const f of layout.fields) {
    if (f.name === 'length') dv.setUint8(off, size / 4);
    else writeField(dv, u8, off, f, rec[f.name]);
  }
  if (tsOut) dv.setBigUint64(off + layout.size, u64(rec['ts_out'], 0n), true);
  return size;
}

function layoutOrThrow(rtype: number, version: number): Layout {
  const l = layoutFor(rtype, version);
  if (!l) throw dbnError(DbnErrorCode.ENCODE, `cannot encode unknown rtype ${rtype}`, 0, { rtype });
  return l;
}

/** Encodes a single record (DBN `version`, default 3). */
export function encodeRecord(rec: EncodeRecord, opts: { version?: number; tsOut?: boolean } = {}): Uint8Array {
  const l = layoutOrThrow(rec.rtype, opts.version ?? DBN_VERSION);
  const u8 = new Uint8Array(l.size + (opts.tsOut ? 8 : 0));
  encodeRecordInto(new DataView(u8.buffer), u8, 0, rec, l, opts.tsOut ?? false);
  return u8;
}

/** Encodes metadata (or nothing, for a fragment) + records into one uncompressed DBN buffer. */
export function encodeDbn(md: EncodeMetadata | null, records: Iterable<EncodeRecord>, opts: { version?: number; tsOut?: boolean } = {}): Uint8Array {
  const version = opts.version ?? DBN_VERSION;
  const tsOut = md ? md.ts_out ?? false : opts.tsOut ?? false;
  const head = md ? encodeMetadata(md, version) : new Uint8Array(0);
  const list = Array.isArray(records) ? (records as EncodeRecord[]) : [...records];
  let total = head.length;
  const layouts = list.map((r) => { const l = layoutOrThrow(r.rtype, version); total += l.size + (tsOut ? 8 : 0); return l; });
  const u8 = new Uint8Array(total);
  const dv = new DataView(u8.buffer);
  u8.set(head, 0);
  let o = head.length;
  for (let i = 0; i < list.length; i++) o += encodeRecordInto(dv, u8, o, list[i]!, layouts[i]!, tsOut);
  return u8;
}

/** Incremental encoder: metadata first, then records appended into a growing buffer. */
export class DbnEncoder {
  private buf: Uint8Array;
  private dv: DataView;
  private len = 0;
  readonly version: number;
  private readonly tsOut: boolean;
  constructor(md: EncodeMetadata | null, opts: { version?: number; tsOut?: boolean; initialBytes?: number } = {}) {
    this.version = opts.version ?? DBN_VERSION;
    this.tsOut = md ? md.ts_out ?? false : opts.tsOut ?? false;
    this.buf = new Uint8Array(opts.initialBytes ?? 64 * 1024);
    this.dv = new DataView(this.buf.buffer);
    if (md) this.appendBytes(encodeMetadata(md, this.version));
  }
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
  appendBytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.len); this.len += b.length; }
  add(rec: EncodeRecord): void {
    const l = layoutOrThrow(rec.rtype, this.version);
    this.ensure(l.size + 8);
    this.len += encodeRecordInto(this.dv, this.buf, this.len, rec, l, this.tsOut);
  }
  /** The encoded bytes so far (a view; copy if you keep encoding). */
  bytes(): Uint8Array { return this.buf.subarray(0, this.len); }
}
