import { UNDEF_TIMESTAMP } from './constants.js';
import { layoutFor, type Layout } from './layouts.js';
import { decodeWithLayout, readCStr, type DbnRecord } from './records.js';

const TWO32 = 4294967296;

/**
 * A zero-copy window onto one record inside a decoder's buffer. The decoder reuses a single instance:
 * it is only valid during the callback that receives it (call `toRecord()` to keep a copy).
 *
 * Number getters read i64 prices as `hi * 2^32 + lo` without allocating bigints (exact below 2^53 raw units);
 * `*Raw` getters return exact bigints. Prices/timestamps equal to UNDEF_* read as `undefined`.
 */
export class RecordView {
  dv: DataView = new DataView(new ArrayBuffer(0));
  u8: Uint8Array = new Uint8Array(0);
  /** offset of the record within `u8`/`dv` */
  off = 0;
  /** absolute byte offset of the record in the (decompressed) DBN stream */
  streamOffset = 0;
  version = 3;
  tsOut = false;

  /** record size in bytes (length × 4) */
  get size(): number { return this.u8[this.off]! * 4; }
  get length(): number { return this.u8[this.off]!; }
  get rtype(): number { return this.u8[this.off + 1]!; }
  get publisherId(): number { return this.dv.getUint16(this.off + 2, true); }
  get instrumentId(): number { return this.dv.getUint32(this.off + 4, true); }
  /** ts_event as exact ns bigint (undefined for UNDEF) */
  get tsEvent(): bigint | undefined { return this.tsRawAt(8); }
  /** ts_event in ms as a float (approximate below 1 µs); NaN for UNDEF */
  get tsEventMs(): number { return this.tsMsAt(8); }
  /** ts_recv where the record has one (MBO, MBP, trades, BBO, status, definition, imbalance, statistics) */
  get tsRecv(): bigint | undefined {
    const o = tsRecvOffset(this.rtype);
    return o < 0 ? undefined : this.tsRawAt(o);
  }
  /** index timestamp (ts_recv when present, else ts_event) as exact bigint */
  get tsIndex(): bigint | undefined {
    const o = tsRecvOffset(this.rtype);
    return this.tsRawAt(o < 0 ? 8 : o);
  }
  /** ts_out (gateway send time) when the stream has ts_out */
  get tsOutNs(): bigint | undefined { return this.tsOut ? this.dv.getBigUint64(this.off + this.size - 8, true) : undefined; }

  // ── OHLCV (rtype 0x11, 0x20..0x24) ──
  get open(): number | undefined { return this.pxAt(16); }
  get high(): number | undefined { return this.pxAt(24); }
  get low(): number | undefined { return this.pxAt(32); }
  get close(): number | undefined { return this.pxAt(40); }
  get volume(): number { return this.u64At(48); }

  // ── MBO / trades / MBP / BBO / CBBO / CMBP ──
  /** trade/order price (MBO at 24, others at 16); also StatMsg price at 32 */
  get price(): number | undefined { return this.pxAt(priceOffset(this.rtype)); }
  get priceRaw(): bigint { return this.dv.getBigInt64(this.off + priceOffset(this.rtype), true); }
  get sizeField(): number { return this.dv.getUint32(this.off + (this.rtype === 0xa0 ? 32 : 24), true); }
  get side(): string { return String.fromCharCode(this.u8[this.off + sideOffset(this.rtype)]!); }
  get action(): string { return String.fromCharCode(this.u8[this.off + (this.rtype === 0xa0 ? 38 : 28)]!); }
  get flags(): number { return this.u8[this.off + (this.rtype === 0xa0 ? 36 : 30)]!; }
  /** MBO order id */
  get orderId(): bigint { return this.dv.getBigUint64(this.off + 16, true); }
  /** level-0 bid/ask (MBP-1, TBBO, MBP-10, BBO, CBBO, CMBP-1, TCBBO) */
  get bidPx(): number | undefined { return this.pxAt(48); }
  get askPx(): number | undefined { return this.pxAt(56); }
  get bidSz(): number { return this.dv.getUint32(this.off + 64, true); }
  get askSz(): number { return this.dv.getUint32(this.off + 68, true); }
  /** SymbolMappingMsg output symbol (v1 and v2+) */
  get stypeOutSymbol(): string {
    return this.version >= 2 && this.size - (this.tsOut ? 8 : 0) === 176 ? readCStr(this.u8, this.off + 89, 71) : readCStr(this.u8, this.off + 38, 22);
  }

  /** i64 price at a relative offset as a number (units, /1e9); undefined for UNDEF_PRICE */
  pxAt(rel: number): number | undefined {
    const o = this.off + rel;
    const lo = this.dv.getUint32(o, true);
    const px = priceWords(lo, this.dv.getInt32(o + 4, true));
    return Number.isNaN(px) ? undefined : px;
  }
  /** u64 at a relative offset as a number (exact below 2^53) */
  u64At(rel: number): number {
    const o = this.off + rel;
    return this.dv.getUint32(o + 4, true) * TWO32 + this.dv.getUint32(o, true);
  }
  tsRawAt(rel: number): bigint | undefined {
    const v = this.dv.getBigUint64(this.off + rel, true);
    return v === UNDEF_TIMESTAMP ? undefined : v;
  }
  tsMsAt(rel: number): number {
    const o = this.off + rel;
    const lo = this.dv.getUint32(o, true);
    return tsWordsMs(lo, this.dv.getUint32(o + 4, true));
  }

  /** Fills `out` with this OHLCV record's values in one pass (no allocation). */
  readOhlcv(out: OhlcvValues): OhlcvValues { return fillOhlcv(this.dv, this.u8, this.off, out); }

  /** Fills `out` with this MBO record's values in one pass (no allocation). */
  readMbo(out: MboValues): MboValues { return fillMbo(this.dv, this.u8, this.off, out); }

  /**
   * Fills `out` from a trade / MBP-1 / TBBO / MBP-10 / BBO / CBBO / CMBP-1 / TCBBO record (price, size, side,
   * flags, ts_recv and level-0 book where the record has one) in one pass (no allocation).
   */
  readTop(out: TopValues): TopValues { return fillTop(this.dv, this.u8, this.off, out); }

  /** the struct layout for this record's rtype and version */
  layout(): Layout | undefined { return layoutFor(this.rtype, this.version); }

  /** Full decode into a plain object (allocates). */
  toRecord(): DbnRecord {
    const l = this.layout();
    if (!l) {
      return {
        length: this.length, rtype: this.rtype, publisher_id: this.publisherId, instrument_id: this.instrumentId, ts_event: this.tsEvent,
      };
    }
    return decodeWithLayout(this.dv, this.u8, this.off, l, this.tsOut);
  }

  /** A copy of the record's bytes. */
  bytes(): Uint8Array { return this.u8.slice(this.off, this.off + this.size); }
}

/**
 * Reusable numeric OHLCV values, filled by `RecordView.readOhlcv` without allocating.
 * Prices in units (fixed-point / 1e9; NaN for UNDEF_PRICE), timestamps in ms (float; NaN for UNDEF).
 */
export class OhlcvValues {
  rtype = 0;
  publisherId = 0;
  instrumentId = 0;
  tsEventMs = NaN;
  open = NaN;
  high = NaN;
  low = NaN;
  close = NaN;
  volume = NaN;
}

/** Reusable numeric MBO values, filled by `RecordView.readMbo` without allocating (order id as a number: exact below 2^53). */
export class MboValues {
  publisherId = 0;
  instrumentId = 0;
  tsEventMs = NaN;
  tsRecvMs = NaN;
  orderId = NaN;
  price = NaN;
  size = 0;
  flags = 0;
  channelId = 0;
  /** ASCII code of the action char */
  action = 0;
  /** ASCII code of the side char */
  side = 0;
  tsInDelta = 0;
  sequence = 0;
}

/** Reusable numeric trade / top-of-book values (trades, MBP-1, TBBO, MBP-10, BBO, CBBO, CMBP-1), filled by `readTop`. */
export class TopValues {
  rtype = 0;
  publisherId = 0;
  instrumentId = 0;
  tsEventMs = NaN;
  tsRecvMs = NaN;
  price = NaN;
  size = 0;
  /** ASCII code of the side char */
  side = 0;
  flags = 0;
  bidPx = NaN;
  askPx = NaN;
  bidSz = 0;
  askSz = 0;
}

/** Offset of ts_recv for an rtype, -1 if the struct has none. */
export function tsRecvOffset(rtype: number): number {
  switch (rtype) {
    case 0xa0: return 40;
    case 0x00: case 0x01: case 0x0a: case 0xb1: case 0xc0: case 0xc1: case 0xc2: case 0xc3: case 0xc4: return 32;
    case 0x12: case 0x13: case 0x14: case 0x18: return 16;
    default: return -1;
  }
}
function priceOffset(rtype: number): number {
  return rtype === 0xa0 ? 24 : rtype === 0x18 ? 32 : 16;
}
function sideOffset(rtype: number): number {
  return rtype === 0xa0 ? 39 : 29;
}

/**
 * A DBN timestamp (u64 nanoseconds; all ones = undefined) from its low and high 32-bit words, in
 * ms since the epoch (NaN when undefined). Shared by every reader here and the run loops of
 * `fastruns.ts` (small enough for the JIT to inline into them).
 */
export function tsWordsMs(lo: number, hi: number): number {
  return hi === 0xffffffff && lo === 0xffffffff ? NaN : (hi * TWO32 + lo) / 1e6;
}

/** A DBN fixed-point price (i64 in units of 1e-9; i64 max = undefined) from its low word and signed high word (NaN when undefined). */
export function priceWords(lo: number, hi: number): number {
  return hi === 0x7fffffff && lo === 0xffffffff ? NaN : (hi * TWO32 + lo) / 1e9;
}

/** Reads the record at `o` into `out` (no allocation). */
export function fillOhlcv(dv: DataView, u8: Uint8Array, o: number, out: OhlcvValues): OhlcvValues {
  out.rtype = u8[o + 1]!;
  out.publisherId = dv.getUint16(o + 2, true);
  out.instrumentId = dv.getUint32(o + 4, true);
  let lo = dv.getUint32(o + 8, true);
  let hi = dv.getUint32(o + 12, true);
  out.tsEventMs = tsWordsMs(lo, hi);
  lo = dv.getUint32(o + 16, true); hi = dv.getInt32(o + 20, true);
  out.open = priceWords(lo, hi);
  lo = dv.getUint32(o + 24, true); hi = dv.getInt32(o + 28, true);
  out.high = priceWords(lo, hi);
  lo = dv.getUint32(o + 32, true); hi = dv.getInt32(o + 36, true);
  out.low = priceWords(lo, hi);
  lo = dv.getUint32(o + 40, true); hi = dv.getInt32(o + 44, true);
  out.close = priceWords(lo, hi);
  out.volume = dv.getUint32(o + 52, true) * TWO32 + dv.getUint32(o + 48, true);
  return out;
}

/** Reads the record at `o` into `out` (no allocation). */
export function fillMbo(dv: DataView, u8: Uint8Array, o: number, out: MboValues): MboValues {
  out.publisherId = dv.getUint16(o + 2, true);
  out.instrumentId = dv.getUint32(o + 4, true);
  let lo = dv.getUint32(o + 8, true);
  let hi = dv.getUint32(o + 12, true);
  out.tsEventMs = tsWordsMs(lo, hi);
  out.orderId = dv.getUint32(o + 20, true) * TWO32 + dv.getUint32(o + 16, true);
  lo = dv.getUint32(o + 24, true); hi = dv.getInt32(o + 28, true);
  out.price = priceWords(lo, hi);
  out.size = dv.getUint32(o + 32, true);
  out.flags = u8[o + 36]!;
  out.channelId = u8[o + 37]!;
  out.action = u8[o + 38]!;
  out.side = u8[o + 39]!;
  lo = dv.getUint32(o + 40, true); hi = dv.getUint32(o + 44, true);
  out.tsRecvMs = tsWordsMs(lo, hi);
  out.tsInDelta = dv.getInt32(o + 48, true);
  out.sequence = dv.getUint32(o + 52, true);
  return out;
}

/** Reads the record at `o` into `out` (no allocation). */
export function fillTop(dv: DataView, u8: Uint8Array, o: number, out: TopValues): TopValues {
  const rt = u8[o + 1]!;
  out.rtype = rt;
  out.publisherId = dv.getUint16(o + 2, true);
  out.instrumentId = dv.getUint32(o + 4, true);
  let lo = dv.getUint32(o + 8, true);
  let hi = dv.getUint32(o + 12, true);
  out.tsEventMs = tsWordsMs(lo, hi);
  lo = dv.getUint32(o + 16, true); hi = dv.getInt32(o + 20, true);
  out.price = priceWords(lo, hi);
  out.size = dv.getUint32(o + 24, true);
  out.side = u8[o + 29]!;
  out.flags = u8[o + 30]!;
  lo = dv.getUint32(o + 32, true); hi = dv.getUint32(o + 36, true);
  out.tsRecvMs = tsWordsMs(lo, hi);
  if (rt !== 0x00 && u8[o]! * 4 >= 80) {
    lo = dv.getUint32(o + 48, true); hi = dv.getInt32(o + 52, true);
    out.bidPx = priceWords(lo, hi);
    lo = dv.getUint32(o + 56, true); hi = dv.getInt32(o + 60, true);
    out.askPx = priceWords(lo, hi);
    out.bidSz = dv.getUint32(o + 64, true);
    out.askSz = dv.getUint32(o + 68, true);
  } else {
    out.bidPx = NaN; out.askPx = NaN; out.bidSz = 0; out.askSz = 0;
  }
  return out;
}
