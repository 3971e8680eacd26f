/**
 * Byte layouts of every DBN record struct (DATABENTO.md §2.5), as data. Offsets are computed from the
 * declared sequence (reserved bytes included as `pad`) and the total size is checked against the spec.
 * The generic decoder, `recordToJson` and the encoder all walk these tables; the hot path
 * (`RecordView`) reads fixed offsets directly instead.
 */

/** Field kinds. `px` = i64 fixed-point price (UNDEF_PRICE ⇒ undefined); `ts` = u64 ns timestamp (UNDEF ⇒ undefined). */
export type FieldKind =
  | 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64' | 'px' | 'ts' | 'char' | 'str' | 'pad' | 'bap' | 'cbap';

export interface FieldDef {
  readonly name: string;
  readonly kind: FieldKind;
  readonly off: number;
  /** bytes for str/pad, level count for bap/cbap */
  readonly len: number;
}

export interface Layout {
  /** struct name as in the reference implementation (e.g. `InstrumentDefMsgV2`) */
  readonly struct: string;
  /** byte size without ts_out */
  readonly size: number;
  readonly fields: readonly FieldDef[];
}

type Spec = readonly (readonly [string, FieldKind] | readonly [string, FieldKind, number])[];

const SIZE: Record<FieldKind, number> = {
  u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, u64: 8, i64: 8, px: 8, ts: 8, char: 1, str: 1, pad: 1, bap: 32, cbap: 32,
};

const HEADER: Spec = [['length', 'u8'], ['rtype', 'u8'], ['publisher_id', 'u16'], ['instrument_id', 'u32'], ['ts_event', 'ts']];

function layout(struct: string, size: number, body: Spec): Layout {
  const fields: FieldDef[] = [];
  let off = 0;
  for (const f of [...HEADER, ...body]) {
    const kind = f[1];
    const len = f[2] ?? 1;
    const bytes = kind === 'str' || kind === 'pad' ? len : SIZE[kind] * (kind === 'bap' || kind === 'cbap' ? len : 1);
    if (kind !== 'pad') fields.push({ name: f[0], kind, off, len });
    off += bytes;
  }
  if (off !== size) throw new Error(`layout ${struct}: computed ${off} bytes, spec says ${size}`);
  return Object.freeze({ struct, size, fields: Object.freeze(fields) });
}

const MBP_COMMON: Spec = [
  ['price', 'px'], ['size', 'u32'], ['action', 'char'], ['side', 'char'], ['flags', 'u8'], ['depth', 'u8'],
  ['ts_recv', 'ts'], ['ts_in_delta', 'i32'], ['sequence', 'u32'],
];

export const MBO = layout('MboMsg', 56, [
  ['order_id', 'u64'], ['price', 'px'], ['size', 'u32'], ['flags', 'u8'], ['channel_id', 'u8'], ['action', 'char'],
  ['side', 'char'], ['ts_recv', 'ts'], ['ts_in_delta', 'i32'], ['sequence', 'u32'],
]);
export const TRADE = layout('TradeMsg', 48, MBP_COMMON);
export const MBP1 = layout('Mbp1Msg', 80, [...MBP_COMMON, ['levels', 'bap', 1]]);
export const MBP10 = layout('Mbp10Msg', 368, [...MBP_COMMON, ['levels', 'bap', 10]]);
export const BBO = layout('BboMsg', 80, [
  ['price', 'px'], ['size', 'u32'], ['_reserved1', 'pad', 1], ['side', 'char'], ['flags', 'u8'], ['_reserved2', 'pad', 1],
  ['ts_recv', 'ts'], ['_reserved3', 'pad', 4], ['sequence', 'u32'], ['levels', 'bap', 1],
]);
export const CBBO = layout('CbboMsg', 80, [
  ['price', 'px'], ['size', 'u32'], ['_reserved1', 'pad', 1], ['side', 'char'], ['flags', 'u8'], ['_reserved2', 'pad', 1],
  ['ts_recv', 'ts'], ['_reserved3', 'pad', 8], ['levels', 'cbap', 1],
]);
export const CMBP1 = layout('Cmbp1Msg', 80, [
  ['price', 'px'], ['size', 'u32'], ['action', 'char'], ['side', 'char'], ['flags', 'u8'], ['_reserved1', 'pad', 1],
  ['ts_recv', 'ts'], ['ts_in_delta', 'i32'], ['_reserved2', 'pad', 4], ['levels', 'cbap', 1],
]);
export const OHLCV = layout('OhlcvMsg', 56, [['open', 'px'], ['high', 'px'], ['low', 'px'], ['close', 'px'], ['volume', 'u64']]);
export const STATUS = layout('StatusMsg', 40, [
  ['ts_recv', 'ts'], ['action', 'u16'], ['reason', 'u16'], ['trading_event', 'u16'], ['is_trading', 'char'],
  ['is_quoting', 'char'], ['is_short_sell_restricted', 'char'], ['_reserved', 'pad', 7],
]);
export const IMBALANCE = layout('ImbalanceMsg', 112, [
  ['ts_recv', 'ts'], ['ref_price', 'px'], ['auction_time', 'ts'], ['cont_book_clr_price', 'px'],
  ['auct_interest_clr_price', 'px'], ['ssr_filling_price', 'px'], ['ind_match_price', 'px'], ['upper_collar', 'px'],
  ['lower_collar', 'px'], ['paired_qty', 'u32'], ['total_imbalance_qty', 'u32'], ['market_imbalance_qty', 'u32'],
  ['unpaired_qty', 'u32'], ['auction_type', 'char'], ['side', 'char'], ['auction_status', 'u8'], ['freeze_status', 'u8'],
  ['num_extensions', 'u8'], ['unpaired_side', 'char'], ['significant_imbalance', 'char'], ['_reserved', 'pad', 1],
]);
export const STAT_V3 = layout('StatMsg', 80, [
  ['ts_recv', 'ts'], ['ts_ref', 'ts'], ['price', 'px'], ['quantity', 'i64'], ['sequence', 'u32'], ['ts_in_delta', 'i32'],
  ['stat_type', 'u16'], ['channel_id', 'u16'], ['update_action', 'u8'], ['stat_flags', 'u8'], ['_reserved', 'pad', 18],
]);
export const STAT_V1 = layout('StatMsgV1', 64, [
  ['ts_recv', 'ts'], ['ts_ref', 'ts'], ['price', 'px'], ['quantity', 'i32'], ['sequence', 'u32'], ['ts_in_delta', 'i32'],
  ['stat_type', 'u16'], ['channel_id', 'u16'], ['update_action', 'u8'], ['stat_flags', 'u8'], ['_reserved', 'pad', 6],
]);
export const ERROR_V2 = layout('ErrorMsg', 320, [['err', 'str', 302], ['code', 'u8'], ['is_last', 'u8']]);
export const ERROR_V1 = layout('ErrorMsgV1', 80, [['err', 'str', 64]]);
export const SYSTEM_V2 = layout('SystemMsg', 320, [['msg', 'str', 303], ['code', 'u8']]);
export const SYSTEM_V1 = layout('SystemMsgV1', 80, [['msg', 'str', 64]]);
export const SYMBOL_MAPPING_V2 = layout('SymbolMappingMsg', 176, [
  ['stype_in', 'u8'], ['stype_in_symbol', 'str', 71], ['stype_out', 'u8'], ['stype_out_symbol', 'str', 71],
  ['start_ts', 'ts'], ['end_ts', 'ts'],
]);
export const SYMBOL_MAPPING_V1 = layout('SymbolMappingMsgV1', 80, [
  ['stype_in_symbol', 'str', 22], ['stype_out_symbol', 'str', 22], ['_dummy', 'pad', 4], ['start_ts', 'ts'], ['end_ts', 'ts'],
]);

export const DEF_V3 = layout('InstrumentDefMsg', 520, [
  ['ts_recv', 'ts'], ['min_price_increment', 'px'], ['display_factor', 'px'], ['expiration', 'ts'], ['activation', 'ts'],
  ['high_limit_price', 'px'], ['low_limit_price', 'px'], ['max_price_variation', 'px'], ['unit_of_measure_qty', 'px'],
  ['min_price_increment_amount', 'px'], ['price_ratio', 'px'], ['strike_price', 'px'], ['raw_instrument_id', 'u64'],
  ['leg_price', 'px'], ['leg_delta', 'px'], ['inst_attrib_value', 'i32'], ['underlying_id', 'u32'],
  ['market_depth_implied', 'i32'], ['market_depth', 'i32'], ['market_segment_id', 'u32'], ['max_trade_vol', 'u32'],
  ['min_lot_size', 'i32'], ['min_lot_size_block', 'i32'], ['min_lot_size_round_lot', 'i32'], ['min_trade_vol', 'u32'],
  ['contract_multiplier', 'i32'], ['decay_quantity', 'i32'], ['original_contract_size', 'i32'],
  ['leg_instrument_id', 'u32'], ['leg_ratio_price_numerator', 'i32'], ['leg_ratio_price_denominator', 'i32'],
  ['leg_ratio_qty_numerator', 'i32'], ['leg_ratio_qty_denominator', 'i32'], ['leg_underlying_id', 'u32'],
  ['appl_id', 'i16'], ['maturity_year', 'u16'], ['decay_start_date', 'u16'], ['channel_id', 'u16'], ['leg_count', 'u16'],
  ['leg_index', 'u16'], ['currency', 'str', 4], ['settl_currency', 'str', 4], ['secsubtype', 'str', 6],
  ['raw_symbol', 'str', 71], ['group', 'str', 21], ['exchange', 'str', 5], ['asset', 'str', 11], ['cfi', 'str', 7],
  ['security_type', 'str', 7], ['unit_of_measure', 'str', 31], ['underlying', 'str', 21],
  ['strike_price_currency', 'str', 4], ['leg_raw_symbol', 'str', 71], ['instrument_class', 'char'],
  ['match_algorithm', 'char'], ['main_fraction', 'u8'], ['price_display_format', 'u8'], ['sub_fraction', 'u8'],
  ['underlying_product', 'u8'], ['security_update_action', 'char'], ['maturity_month', 'u8'], ['maturity_day', 'u8'],
  ['maturity_week', 'u8'], ['user_defined_instrument', 'char'], ['contract_multiplier_unit', 'i8'],
  ['flow_schedule_type', 'i8'], ['tick_rule', 'u8'], ['leg_instrument_class', 'char'], ['leg_side', 'char'],
  ['_reserved', 'pad', 17],
]);
export const DEF_V2 = layout('InstrumentDefMsgV2', 400, [
  ['ts_recv', 'ts'], ['min_price_increment', 'px'], ['display_factor', 'px'], ['expiration', 'ts'], ['activation', 'ts'],
  ['high_limit_price', 'px'], ['low_limit_price', 'px'], ['max_price_variation', 'px'], ['trading_reference_price', 'px'],
  ['unit_of_measure_qty', 'px'], ['min_price_increment_amount', 'px'], ['price_ratio', 'px'], ['strike_price', 'px'],
  ['inst_attrib_value', 'i32'], ['underlying_id', 'u32'], ['raw_instrument_id', 'u32'], ['market_depth_implied', 'i32'],
  ['market_depth', 'i32'], ['market_segment_id', 'u32'], ['max_trade_vol', 'u32'], ['min_lot_size', 'i32'],
  ['min_lot_size_block', 'i32'], ['min_lot_size_round_lot', 'i32'], ['min_trade_vol', 'u32'],
  ['contract_multiplier', 'i32'], ['decay_quantity', 'i32'], ['original_contract_size', 'i32'],
  ['trading_reference_date', 'u16'], ['appl_id', 'i16'], ['maturity_year', 'u16'], ['decay_start_date', 'u16'],
  ['channel_id', 'u16'], ['currency', 'str', 4], ['settl_currency', 'str', 4], ['secsubtype', 'str', 6],
  ['raw_symbol', 'str', 71], ['group', 'str', 21], ['exchange', 'str', 5], ['asset', 'str', 7], ['cfi', 'str', 7],
  ['security_type', 'str', 7], ['unit_of_measure', 'str', 31], ['underlying', 'str', 21],
  ['strike_price_currency', 'str', 4], ['instrument_class', 'char'], ['match_algorithm', 'char'],
  ['md_security_trading_status', 'u8'], ['main_fraction', 'u8'], ['price_display_format', 'u8'],
  ['settl_price_type', 'u8'], ['sub_fraction', 'u8'], ['underlying_product', 'u8'], ['security_update_action', 'char'],
  ['maturity_month', 'u8'], ['maturity_day', 'u8'], ['maturity_week', 'u8'], ['user_defined_instrument', 'char'],
  ['contract_multiplier_unit', 'i8'], ['flow_schedule_type', 'i8'], ['tick_rule', 'u8'], ['_reserved', 'pad', 10],
]);
export const DEF_V1 = layout('InstrumentDefMsgV1', 360, [
  ['ts_recv', 'ts'], ['min_price_increment', 'px'], ['display_factor', 'px'], ['expiration', 'ts'], ['activation', 'ts'],
  ['high_limit_price', 'px'], ['low_limit_price', 'px'], ['max_price_variation', 'px'], ['trading_reference_price', 'px'],
  ['unit_of_measure_qty', 'px'], ['min_price_increment_amount', 'px'], ['price_ratio', 'px'],
  ['inst_attrib_value', 'i32'], ['underlying_id', 'u32'], ['raw_instrument_id', 'u32'], ['market_depth_implied', 'i32'],
  ['market_depth', 'i32'], ['market_segment_id', 'u32'], ['max_trade_vol', 'u32'], ['min_lot_size', 'i32'],
  ['min_lot_size_block', 'i32'], ['min_lot_size_round_lot', 'i32'], ['min_trade_vol', 'u32'], ['_reserved2', 'pad', 4],
  ['contract_multiplier', 'i32'], ['decay_quantity', 'i32'], ['original_contract_size', 'i32'], ['_reserved3', 'pad', 4],
  ['trading_reference_date', 'u16'], ['appl_id', 'i16'], ['maturity_year', 'u16'], ['decay_start_date', 'u16'],
  ['channel_id', 'u16'], ['currency', 'str', 4], ['settl_currency', 'str', 4], ['secsubtype', 'str', 6],
  ['raw_symbol', 'str', 22], ['group', 'str', 21], ['exchange', 'str', 5], ['asset', 'str', 7], ['cfi', 'str', 7],
  ['security_type', 'str', 7], ['unit_of_measure', 'str', 31], ['underlying', 'str', 21],
  ['strike_price_currency', 'str', 4], ['instrument_class', 'char'], ['_reserved4', 'pad', 2], ['strike_price', 'px'],
  ['_reserved5', 'pad', 6], ['match_algorithm', 'char'], ['md_security_trading_status', 'u8'], ['main_fraction', 'u8'],
  ['price_display_format', 'u8'], ['settl_price_type', 'u8'], ['sub_fraction', 'u8'], ['underlying_product', 'u8'],
  ['security_update_action', 'char'], ['maturity_month', 'u8'], ['maturity_day', 'u8'], ['maturity_week', 'u8'],
  ['user_defined_instrument', 'char'], ['contract_multiplier_unit', 'i8'], ['flow_schedule_type', 'i8'],
  ['tick_rule', 'u8'], ['_dummy', 'pad', 3],
]);

/**
 * The struct layout of `rtype` in DBN `version` (1..3), or undefined for an rtype DBN does not define.
 */
export function layoutFor(rtype: number, version: number): Layout | undefined {
  switch (rtype) {
    case 0x00: return TRADE;
    case 0x01: return MBP1;
    case 0x0a: return MBP10;
    case 0x11: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: return OHLCV;
    case 0x12: return STATUS;
    case 0x13: return version >= 3 ? DEF_V3 : version === 2 ? DEF_V2 : DEF_V1;
    case 0x14: return IMBALANCE;
    case 0x15: return version >= 2 ? ERROR_V2 : ERROR_V1;
    case 0x16: return version >= 2 ? SYMBOL_MAPPING_V2 : SYMBOL_MAPPING_V1;
    case 0x17: return version >= 2 ? SYSTEM_V2 : SYSTEM_V1;
    case 0x18: return version >= 3 ? STAT_V3 : STAT_V1;
    case 0xa0: return MBO;
    case 0xb1: case 0xc2: return CMBP1;
    case 0xc0: case 0xc1: return CBBO;
    case 0xc3: case 0xc4: return BBO;
    default: return undefined;
  }
}

const VERSIONED = new Set([0x13, 0x15, 0x16, 0x17, 0x18]);

/** Finds the layout of a record from its rtype and byte size (ts_out excluded), whatever its version. */
export function layoutForSize(rtype: number, size: number): Layout | undefined {
  if (!VERSIONED.has(rtype)) {
    const l = layoutFor(rtype, 3);
    return l && l.size === size ? l : undefined;
  }
  for (const v of [3, 2, 1]) {
    const l = layoutFor(rtype, v);
    if (l && l.size === size) return l;
  }
  return undefined;
}
