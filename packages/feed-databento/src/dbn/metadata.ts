import { FIXED_METADATA_LEN, PRELUDE_LEN, SYMBOL_CSTR_LEN, SYMBOL_CSTR_LEN_V1, UNDEF_TIMESTAMP } from './constants.js';
import { schemaName, stypeName } from './enums.js';
import { DbnErrorCode, dbnError } from './errors.js';
import { readCStr } from './records.js';

export interface MappingInterval {
  /** inclusive UTC date, `YYYY-MM-DD` */
  start_date: string;
  /** exclusive UTC date, `YYYY-MM-DD` */
  end_date: string;
  symbol: string;
}
export interface SymbolMapping {
  raw_symbol: string;
  intervals: MappingInterval[];
}

/** Decoded DBN metadata (DATABENTO.md §1.3–1.4). */
export interface DbnMetadata {
  version: number;
  dataset: string;
  /** schema name, null for 0xFFFF (live / mixed) */
  schema: string | null;
  /** raw u16 schema value */
  schema_id: number;
  /** ns since epoch */
  start: bigint;
  /** ns since epoch; undefined for UNDEF_TIMESTAMP (none) */
  end: bigint | undefined;
  /** 0 = no limit */
  limit: bigint;
  stype_in: string | null;
  stype_out: string | null;
  ts_out: boolean;
  symbol_cstr_len: number;
  symbols: string[];
  partial: string[];
  not_found: string[];
  mappings: SymbolMapping[];
  /** the u32 in the prelude */
  metadata_length_field: number;
  /** absolute offset of the first record */
  records_start_offset: number;
  /** v1 only: the deprecated record_count slot */
  v1_record_count_field?: bigint;
}

function dateStr(v: number): string {
  const y = Math.floor(v / 10000);
  const m = Math.floor(v / 100) % 100;
  const d = v % 100;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * Parses the prelude + metadata in `u8` (which must hold at least `8 + metadata_length` bytes, starting at
 * the prelude). `base` is the absolute stream offset of `u8[0]`, used in error offsets.
 */
export function parseMetadata(u8: Uint8Array, base = 0): DbnMetadata {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const version = u8[3]!;
  const metaLen = dv.getUint32(4, true);
  if (metaLen < FIXED_METADATA_LEN) throw dbnError(DbnErrorCode.BAD_METADATA, `metadata length ${metaLen} is below the 100-byte minimum`, base + 4);
  const end = PRELUDE_LEN + metaLen;
  if (u8.length < end) throw dbnError(DbnErrorCode.TRUNCATED_METADATA, 'stream ends inside the metadata', base + u8.length);
  const dataset = readCStr(u8, 8, 16);
  const schemaId = dv.getUint16(24, true);
  const start = dv.getBigUint64(26, true);
  const endTs = dv.getBigUint64(34, true);
  const limit = dv.getBigUint64(42, true);
  let p = 50;
  let v1Count: bigint | undefined;
  if (version === 1) { v1Count = dv.getBigUint64(50, true); p = 58; }
  const stypeIn = u8[p]!;
  const stypeOut = u8[p + 1]!;
  const tsOut = u8[p + 2]! !== 0;
  let cstrLen = SYMBOL_CSTR_LEN_V1;
  if (version >= 2) {
    cstrLen = dv.getUint16(53, true);
    if (cstrLen === 0 || cstrLen > 1024) throw dbnError(DbnErrorCode.BAD_METADATA, `implausible symbol_cstr_len ${cstrLen}`, base + 53);
  }
  const schemaDefLen = dv.getUint32(108, true);
  if (schemaDefLen !== 0) throw dbnError(DbnErrorCode.BAD_METADATA, `schema definitions are not supported (length ${schemaDefLen})`, base + 108);
  let o = 112;
  const need = (n: number, what: string): void => {
    if (o + n > end) throw dbnError(DbnErrorCode.BAD_METADATA, `metadata ${what} runs past the metadata length`, base + o);
  };
  const readList = (what: string): string[] => {
    need(4, what);
    const count = dv.getUint32(o, true);
    o += 4;
    need(count * cstrLen, what);
    const out: string[] = new Array(count);
    for (let i = 0; i < count; i++) { out[i] = readCStr(u8, o, cstrLen); o += cstrLen; }
    return out;
  };
  const symbols = readList('symbols');
  const partial = readList('partial');
  const notFound = readList('not_found');
  need(4, 'mappings');
  const mcount = dv.getUint32(o, true);
  o += 4;
  // each mapping needs at least cstrLen + 4 bytes: bound the count before allocating
  need(mcount * (cstrLen + 4), 'mappings');
  const mappings: SymbolMapping[] = [];
  for (let i = 0; i < mcount; i++) {
    need(cstrLen + 4, 'mapping');
    const raw = readCStr(u8, o, cstrLen);
    o += cstrLen;
    const icount = dv.getUint32(o, true);
    o += 4;
    need(icount * (8 + cstrLen), 'mapping intervals');
    const intervals: MappingInterval[] = [];
    for (let j = 0; j < icount; j++) {
      const sd = dv.getUint32(o, true);
      const ed = dv.getUint32(o + 4, true);
      const sym = readCStr(u8, o + 8, cstrLen);
      o += 8 + cstrLen;
      intervals.push({ start_date: dateStr(sd), end_date: dateStr(ed), symbol: sym });
    }
    mappings.push({ raw_symbol: raw, intervals });
  }
  const md: DbnMetadata = {
    version, dataset, schema: schemaName(schemaId), schema_id: schemaId, start,
    end: endTs === UNDEF_TIMESTAMP ? undefined : endTs, limit,
    stype_in: stypeName(stypeIn), stype_out: stypeName(stypeOut), ts_out: tsOut, symbol_cstr_len: cstrLen,
    symbols, partial, not_found: notFound, mappings, metadata_length_field: metaLen, records_start_offset: base + end,
  };
  if (v1Count !== undefined) md.v1_record_count_field = v1Count;
  return md;
}

/** Metadata in the JSON shape of the fixture `expected.json` (64-bit values as decimal strings). */
export function metadataToJson(md: DbnMetadata): Record<string, unknown> {
  const out: Record<string, unknown> = {
    version: md.version, dataset: md.dataset, schema: md.schema, start: md.start.toString(),
    end: (md.end ?? UNDEF_TIMESTAMP).toString(), limit: md.limit.toString(), stype_in: md.stype_in, stype_out: md.stype_out,
    ts_out: md.ts_out, symbol_cstr_len: md.symbol_cstr_len, symbols: md.symbols, partial: md.partial,
    not_found: md.not_found, mappings: md.mappings, metadata_length_field: md.metadata_length_field,
    records_start_offset: md.records_start_offset,
  };
  if (md.v1_record_count_field !== undefined) out['v1_record_count_field'] = md.v1_record_count_field.toString();
  return out;
}

export { SYMBOL_CSTR_LEN };
