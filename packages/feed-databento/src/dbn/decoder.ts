import { DBN_VERSION, PRELUDE_LEN, RECORD_HEADER_LEN, ZSTD_MAGIC, ZSTD_SKIPPABLE_MAX, ZSTD_SKIPPABLE_MIN } from './constants.js';
import { rtypeName } from './enums.js';
import { DbnErrorCode, dbnError } from './errors.js';
import { layoutFor } from './layouts.js';
import { parseMetadata, type DbnMetadata } from './metadata.js';
import { MboValues, OhlcvValues, RecordView, TopValues, fillMbo, fillOhlcv, fillTop } from './view.js';

/**
 * Typed, non-allocating handlers for `DbnDecoder.writeFast`: OHLCV, MBO and trade/top-of-book records are
 * read in the decoder's own loop into reused value objects; any other record goes to `other` as a view.
 * Each value object is reused: copy what you keep.
 */
export interface FastHandlers {
  ohlcv?: ((v: OhlcvValues) => void) | undefined;
  mbo?: ((v: MboValues) => void) | undefined;
  /** trades (0x00), MBP-1/TBBO, MBP-10, BBO, CBBO, CMBP-1, TCBBO */
  top?: ((v: TopValues) => void) | undefined;
  other?: RecordCallback | undefined;
}

/** What to do with an rtype DBN does not define. */
export type UnknownRtypePolicy = 'error' | 'skip';

export interface DbnDecoderOptions {
  /** Decode a records-only fragment written in this DBN version (no prelude/metadata). */
  fragmentVersion?: number;
  /** For fragments: whether each record carries a trailing ts_out. */
  tsOut?: boolean;
  /** Unknown rtypes: `'error'` (default, raises DBN_UNKNOWN_RTYPE) or `'skip'` (skipped by their length). */
  unknownRtype?: UnknownRtypePolicy;
  /** Called once when the metadata has been parsed. */
  onMetadata?: (md: DbnMetadata) => void;
}

/** Called for each complete record; the view is reused and only valid during the call. */
export type RecordCallback = (view: RecordView) => void;

function checkVersion(v: number, offset: number): void {
  if (!Number.isInteger(v) || v < 1 || v > DBN_VERSION) {
    throw dbnError(DbnErrorCode.UNSUPPORTED_VERSION, `unsupported DBN version ${v} (this decoder reads 1..${DBN_VERSION})`, offset, { version: v });
  }
}

/**
 * Incremental decoder of uncompressed DBN: feed arbitrary chunks with `write`, then call `end()`.
 * Records that lie wholly inside a chunk are handed out as views on that chunk (no copy); only a record
 * straddling two chunks is copied into a small carry buffer. Memory stays constant whatever the stream length.
 */
export class DbnDecoder {
  metadata: DbnMetadata | undefined;
  version = 0;
  tsOut = false;
  /** records delivered so far */
  recordCount = 0;
  private readonly unknownSkip: boolean;
  private readonly onMetadata: ((md: DbnMetadata) => void) | undefined;
  private state: 'header' | 'records';
  private carry = new Uint8Array(1024);
  private carryLen = 0;
  /** absolute offset of the first byte not yet consumed (carry start when carryLen > 0) */
  private pos = 0;
  private readonly view = new RecordView();
  /** expected size per rtype (bytes incl. ts_out), 0 = unknown */
  private readonly sizes = new Int32Array(256);

  constructor(opts: DbnDecoderOptions = {}) {
    this.unknownSkip = opts.unknownRtype === 'skip';
    this.onMetadata = opts.onMetadata;
    if (opts.fragmentVersion !== undefined) {
      checkVersion(opts.fragmentVersion, 0);
      this.setVersion(opts.fragmentVersion, opts.tsOut ?? false);
      this.state = 'records';
    } else {
      this.state = 'header';
    }
  }

  private setVersion(version: number, tsOut: boolean): void {
    this.version = version;
    this.tsOut = tsOut;
    this.view.version = version;
    this.view.tsOut = tsOut;
    for (let r = 0; r < 256; r++) {
      const l = layoutFor(r, version);
      this.sizes[r] = l ? l.size + (tsOut ? 8 : 0) : 0;
    }
  }

  private appendCarry(src: Uint8Array): void {
    const need = this.carryLen + src.length;
    if (need > this.carry.length) {
      let cap = this.carry.length * 2;
      while (cap < need) cap *= 2;
      const n = new Uint8Array(cap);
      n.set(this.carry.subarray(0, this.carryLen));
      this.carry = n;
    }
    this.carry.set(src, this.carryLen);
    this.carryLen = need;
  }

  /** Feeds a chunk; `onRecord` is called synchronously for every record completed by it. */
  write(chunk: Uint8Array, onRecord: RecordCallback): void {
    let p = 0;
    if (this.state === 'header') {
      p = this.consumeHeader(chunk);
      if (this.state === 'header') return;
    }
    if (this.carryLen > 0) {
      p = this.completeCarried(chunk, p, onRecord);
      if (this.carryLen > 0) return;
    }
    if (p < chunk.length) this.walk(chunk, p, onRecord);
  }

  /** Accumulates prelude + metadata; returns the chunk position where records begin. */
  private consumeHeader(chunk: Uint8Array): number {
    const before = this.carryLen;
    // take just what we need: first the prelude, then the metadata
    let take = Math.min(chunk.length, Math.max(0, PRELUDE_LEN - before));
    if (take > 0) this.appendCarry(chunk.subarray(0, take));
    if (this.carryLen < PRELUDE_LEN) return chunk.length;
    const c = this.carry;
    if (before < PRELUDE_LEN) this.checkPrelude(c);
    const metaLen = (c[4]! | (c[5]! << 8) | (c[6]! << 16) | (c[7]! << 24)) >>> 0;
    const total = PRELUDE_LEN + metaLen;
    const more = Math.min(chunk.length - take, total - this.carryLen);
    if (more > 0) { this.appendCarry(chunk.subarray(take, take + more)); take += more; }
    if (this.carryLen < total) return chunk.length;
    const md = parseMetadata(this.carry.subarray(0, total), 0);
    this.metadata = md;
    this.setVersion(md.version, md.ts_out);
    this.carryLen = 0;
    if (this.carry.length > 64 * 1024) this.carry = new Uint8Array(1024); // big symbology: release it
    this.pos = total;
    this.state = 'records';
    this.onMetadata?.(md);
    return take;
  }

  private checkPrelude(c: Uint8Array): void {
    if (c[0] === 0x44 && c[1] === 0x42 && c[2] === 0x4e) {
      checkVersion(c[3]!, 3);
      const metaLen = (c[4]! | (c[5]! << 8) | (c[6]! << 16) | (c[7]! << 24)) >>> 0;
      if (metaLen < 100) throw dbnError(DbnErrorCode.BAD_METADATA, `metadata length ${metaLen} is below the 100-byte minimum`, 4);
      if (metaLen > 256 * 1024 * 1024) throw dbnError(DbnErrorCode.BAD_METADATA, `implausible metadata length ${metaLen}`, 4);
      return;
    }
    const magic = (c[0]! | (c[1]! << 8) | (c[2]! << 16) | (c[3]! << 24)) >>> 0;
    if (magic >= ZSTD_SKIPPABLE_MIN && magic <= ZSTD_SKIPPABLE_MAX && c[4] !== undefined) {
      throw dbnError(DbnErrorCode.LEGACY_DBZ, 'legacy DBZ or zstd-skippable input is not DBN', 0);
    }
    if (magic === ZSTD_MAGIC) throw dbnError(DbnErrorCode.BAD_MAGIC, 'input is zstd-compressed: decode it with DbnStream / decodeDbn', 0);
    throw dbnError(DbnErrorCode.BAD_MAGIC, 'input does not start with the DBN magic "DBN"', 0);
  }

  /** Completes a record split across chunks. Returns the chunk position after the bytes taken. */
  private completeCarried(chunk: Uint8Array, p: number, onRecord: RecordCallback): number {
    // need the length byte first
    if (this.carryLen === 0) return p;
    const size = this.carry[0]! * 4;
    this.checkSize(size, undefined, this.pos);
    const want = size - this.carryLen;
    const avail = chunk.length - p;
    if (want > 0) {
      const take = Math.min(want, avail);
      this.appendCarry(chunk.subarray(p, p + take));
      p += take;
    }
    if (this.carryLen >= 2) this.checkSize(size, this.carry[1], this.pos);
    if (this.carryLen < size) return p;
    this.emit(this.carry, new DataView(this.carry.buffer, this.carry.byteOffset, this.carry.byteLength), 0, onRecord);
    this.pos += size;
    this.carryLen = 0;
    return p;
  }

  private checkSize(size: number, rtype: number | undefined, at: number): void {
    if (size < RECORD_HEADER_LEN) {
      throw dbnError(DbnErrorCode.BAD_RECORD_LENGTH, `record length ${size} bytes is shorter than the 16-byte header`, at, { length: size / 4 });
    }
    if (rtype === undefined) return;
    const expect = this.sizes[rtype]!;
    if (expect === 0) {
      if (this.unknownSkip) return;
      throw dbnError(DbnErrorCode.UNKNOWN_RTYPE, `unknown rtype 0x${rtype.toString(16).padStart(2, '0')}`, at + 1, { rtype });
    }
    if (expect !== size) {
      throw dbnError(DbnErrorCode.RECORD_LENGTH_MISMATCH,
        `${rtypeName(rtype)} record of ${size} bytes, DBN v${this.version} expects ${expect}`, at, { rtype, length: size / 4, expected: expect });
    }
  }

  private emit(u8: Uint8Array, dv: DataView, off: number, onRecord: RecordCallback): void {
    const rtype = u8[off + 1]!;
    if (this.sizes[rtype] === 0) return; // skipped unknown rtype
    const v = this.view;
    v.u8 = u8;
    v.dv = dv;
    v.off = off;
    v.streamOffset = this.pos;
    this.recordCount++;
    onRecord(v);
  }

  private walk(chunk: Uint8Array, p: number, onRecord: RecordCallback): void {
    const n = chunk.length;
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const sizes = this.sizes;
    const view = this.view;
    view.u8 = chunk;
    view.dv = dv;
    while (p < n) {
      const size = chunk[p]! * 4;
      const rtype = p + 1 < n ? chunk[p + 1] : undefined;
      if (size < RECORD_HEADER_LEN || rtype === undefined || sizes[rtype] !== size) this.checkSize(size, rtype, this.pos);
      if (p + size > n) {
        this.appendCarry(chunk.subarray(p));
        return;
      }
      if (sizes[rtype!] !== 0) {
        view.u8 = chunk;
        view.dv = dv;
        view.off = p;
        view.streamOffset = this.pos;
        this.recordCount++;
        onRecord(view);
      }
      p += size;
      this.pos += size;
    }
  }

  readonly #ohlcv = new OhlcvValues();
  readonly #mbo = new MboValues();
  readonly #top = new TopValues();

  /**
   * Like `write`, but OHLCV / MBO / top-of-book records are decoded straight into reused numeric value
   * objects inside the decoder's loop (the fastest path: no per-record allocation, no getters).
   */
  writeFast(chunk: Uint8Array, h: FastHandlers): void {
    const ohlcv = h.ohlcv, mbo = h.mbo, top = h.top, other = h.other;
    const ov = this.#ohlcv, mv = this.#mbo, tv = this.#top;
    const slow: RecordCallback = (v) => {
      const rt = v.rtype;
      if ((rt >= 0x20 && rt <= 0x24) || rt === 0x11) { if (ohlcv) ohlcv(fillOhlcv(v.dv, v.u8, v.off, ov)); else other?.(v); }
      else if (rt === 0xa0) { if (mbo) mbo(fillMbo(v.dv, v.u8, v.off, mv)); else other?.(v); }
      else if (isTopRtype(rt)) { if (top) top(fillTop(v.dv, v.u8, v.off, tv)); else other?.(v); }
      else other?.(v);
    };
    let p = 0;
    if (this.state === 'header') {
      p = this.consumeHeader(chunk);
      if (this.state === 'header') return;
    }
    if (this.carryLen > 0) {
      p = this.completeCarried(chunk, p, slow);
      if (this.carryLen > 0) return;
    }
    const n = chunk.length;
    if (p >= n) return;
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const end = this.fastLoop(chunk, dv, p, ohlcv, mbo, top, other);
    if (end < n) this.appendCarry(chunk.subarray(end));
  }

  /** The hot loop of writeFast: returns where an incomplete trailing record starts (or chunk.length). */
  private fastLoop(chunk: Uint8Array, dv: DataView, p: number, ohlcv: FastHandlers['ohlcv'], mbo: FastHandlers['mbo'], top: FastHandlers['top'], other: RecordCallback | undefined): number {
    const n = chunk.length;
    const sizes = this.sizes;
    const ov = this.#ohlcv, mv = this.#mbo, tv = this.#top;
    const base = this.pos - p;
    let count = 0;
    while (p < n) {
      const size = chunk[p]! * 4;
      if (p + 1 >= n) { this.recordCount += count; this.pos = base + p; this.checkSize(size, undefined, base + p); return p; }
      const rt = chunk[p + 1]!;
      if (sizes[rt] !== size) { this.recordCount += count; count = 0; this.pos = base + p; this.checkSize(size, rt, base + p); }
      if (p + size > n) { this.recordCount += count; this.pos = base + p; return p; }
      if (ohlcv !== undefined && ((rt >= 0x20 && rt <= 0x24) || rt === 0x11)) {
        // inlined fillOhlcv (keep in sync with view.ts)
        ov.rtype = rt;
        ov.publisherId = dv.getUint16(p + 2, true);
        ov.instrumentId = dv.getUint32(p + 4, true);
        let lo = dv.getUint32(p + 8, true);
        let hi = dv.getUint32(p + 12, true);
        ov.tsEventMs = hi === 0xffffffff && lo === 0xffffffff ? NaN : (hi * TWO32 + lo) / 1e6;
        lo = dv.getUint32(p + 16, true); hi = dv.getInt32(p + 20, true);
        ov.open = hi === 0x7fffffff && lo === 0xffffffff ? NaN : (hi * TWO32 + lo) / 1e9;
        lo = dv.getUint32(p + 24, true); hi = dv.getInt32(p + 28, true);
        ov.high = hi === 0x7fffffff && lo === 0xffffffff ? NaN : (hi * TWO32 + lo) / 1e9;
        lo = dv.getUint32(p + 32, true); hi = dv.getInt32(p + 36, true);
        ov.low = hi === 0x7fffffff && lo === 0xffffffff ? NaN : (hi * TWO32 + lo) / 1e9;
        lo = dv.getUint32(p + 40, true); hi = dv.getInt32(p + 44, true);
        ov.close = hi === 0x7fffffff && lo === 0xffffffff ? NaN : (hi * TWO32 + lo) / 1e9;
        ov.volume = dv.getUint32(p + 52, true) * TWO32 + dv.getUint32(p + 48, true);
        count++;
        ohlcv(ov);
      } else if (mbo !== undefined && rt === 0xa0) {
        // inlined fillMbo (keep in sync with view.ts)
        mv.publisherId = dv.getUint16(p + 2, true);
        mv.instrumentId = dv.getUint32(p + 4, true);
        let lo = dv.getUint32(p + 8, true);
        let hi = dv.getUint32(p + 12, true);
        mv.tsEventMs = hi === 0xffffffff && lo === 0xffffffff ? NaN : (hi * TWO32 + lo) / 1e6;
        mv.orderId = dv.getUint32(p + 20, true) * TWO32 + dv.getUint32(p + 16, true);
        lo = dv.getUint32(p + 24, true); hi = dv.getInt32(p + 28, true);
        mv.price = hi === 0x7fffffff && lo === 0xffffffff ? NaN : (hi * TWO32 + lo) / 1e9;
        mv.size = dv.getUint32(p + 32, true);
        mv.flags = chunk[p + 36]!;
        mv.channelId = chunk[p + 37]!;
        mv.action = chunk[p + 38]!;
        mv.side = chunk[p + 39]!;
        lo = dv.getUint32(p + 40, true); hi = dv.getUint32(p + 44, true);
        mv.tsRecvMs = hi === 0xffffffff && lo === 0xffffffff ? NaN : (hi * TWO32 + lo) / 1e6;
        mv.tsInDelta = dv.getInt32(p + 48, true);
        mv.sequence = dv.getUint32(p + 52, true);
        count++;
        mbo(mv);
      } else if (top !== undefined && isTopRtype(rt)) {
        fillTop(dv, chunk, p, tv);
        count++;
        top(tv);
      } else if (sizes[rt] !== 0) {
        count++;
        if (other !== undefined) this.emitOther(chunk, dv, p, base + p, other);
      }
      p += size;
    }
    this.recordCount += count;
    this.pos = base + p;
    return p;
  }

  private emitOther(chunk: Uint8Array, dv: DataView, p: number, pos: number, other: RecordCallback): void {
    const view = this.view;
    view.u8 = chunk; view.dv = dv; view.off = p; view.streamOffset = pos;
    other(view);
  }

  /** Signals the end of input; throws if it ended inside the metadata or a record. */
  end(): void {
    if (this.state === 'header') {
      if (this.carryLen === 0) throw dbnError(DbnErrorCode.TRUNCATED_METADATA, 'empty input: no DBN prelude', 0);
      throw dbnError(DbnErrorCode.TRUNCATED_METADATA, 'input ends inside the DBN prelude/metadata', this.carryLen);
    }
    if (this.carryLen > 0) {
      const size = this.carry[0]! * 4;
      throw dbnError(DbnErrorCode.TRUNCATED_RECORD,
        `input ends inside a record: it declares ${size} bytes but only ${this.carryLen} remain`, this.pos, { length: size / 4, available: this.carryLen });
    }
  }

  /** absolute offset of the next byte to decode */
  get offset(): number { return this.pos + this.carryLen; }
}

const TWO32 = 4294967296;

/** rtypes `fillTop` understands. */
export function isTopRtype(rt: number): boolean {
  return rt === 0x00 || rt === 0x01 || rt === 0x0a || rt === 0xb1 || (rt >= 0xc0 && rt <= 0xc4);
}
