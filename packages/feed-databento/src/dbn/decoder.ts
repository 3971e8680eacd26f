import { DBN_VERSION, PRELUDE_LEN, RECORD_HEADER_LEN, ZSTD_MAGIC, ZSTD_SKIPPABLE_MAX, ZSTD_SKIPPABLE_MIN } from './constants.js';
import { rtypeName } from './enums.js';
import { DbnErrorCode, dbnError } from './errors.js';
import { MAX_WORD, runMbo, runMboWords, runOhlcv, runOhlcvWords } from './fastruns.js';
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
  /** With `unknownRtype: 'skip'`: called for each record skipped, with its rtype and stream offset. */
  onSkip?: (rtype: number, offset: number) => void;
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
  private readonly onSkip: ((rtype: number, offset: number) => void) | undefined;
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
    this.onSkip = opts.onSkip;
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
    const p = this.begin(chunk, onRecord);
    if (p >= 0 && p < chunk.length) this.walk(chunk, p, onRecord);
  }

  /**
   * Consumes the metadata header and completes a record carried over from the previous chunk;
   * returns where the chunk's own records start, or -1 when the chunk was used up doing so.
   */
  private begin(chunk: Uint8Array, onCarried: RecordCallback): number {
    let p = 0;
    if (this.state === 'header') {
      p = this.consumeHeader(chunk);
      if (this.state === 'header') return -1;
    }
    if (this.carryLen > 0) {
      p = this.completeCarried(chunk, p, onCarried);
      if (this.carryLen > 0) return -1;
    }
    return p;
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
    if (this.sizes[rtype] === 0) { this.onSkip?.(rtype, this.pos); return; } // skipped unknown rtype
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
      } else this.onSkip?.(rtype!, this.pos);
      p += size;
      this.pos += size;
    }
  }

  readonly #ohlcv = new OhlcvValues();
  readonly #mbo = new MboValues();
  readonly #top = new TopValues();
  /** 32-bit view of the last chunk's ArrayBuffer (see `wordViewFor`) */
  private u32: Uint32Array = new Uint32Array(0);
  private viewedBuffer: ArrayBufferLike | undefined;
  /** handlers of the current `writeFast` call, for a record completed from the carry buffer */
  private fastHandlers: FastHandlers = {};
  /** created once: dispatches a carried (chunk-straddling) record to `fastHandlers` */
  private readonly fastCarried: RecordCallback = (v) => this.dispatchFast(v, this.fastHandlers);

  /**
   * Like `write`, but OHLCV / MBO / top-of-book records are decoded straight into reused numeric value
   * objects inside the decoder's loop (the fastest path: no per-record allocation, no getters).
   */
  writeFast(chunk: Uint8Array, h: FastHandlers): void {
    this.fastHandlers = h;
    const p = this.begin(chunk, this.fastCarried);
    const n = chunk.length;
    if (p < 0 || p >= n) return;
    const end = this.fastLoop(chunk, p, h);
    if (end < n) this.appendCarry(chunk.subarray(end));
  }

  /**
   * Points `u32` at `chunk`'s ArrayBuffer (kept while chunks share a buffer, e.g. subarrays of
   * one file read). False if the buffer cannot be viewed in 32-bit words up to the chunk's end.
   */
  private wordViewFor(chunk: Uint8Array): boolean {
    const need = Math.floor((chunk.byteOffset + chunk.length) / 4);
    if (need > MAX_WORD || !LITTLE_ENDIAN) return false;
    if (chunk.buffer !== this.viewedBuffer || this.u32.length < need) {
      const buf = chunk.buffer;
      const words = Math.floor(buf.byteLength / 4);
      if (words < need) return false;
      this.u32 = new Uint32Array(buf, 0, words);
      this.viewedBuffer = buf;
    }
    return true;
  }

  /** A record straddling two chunks (rare): same dispatch as `fastLoop`, from the carry buffer's view. */
  private dispatchFast(v: RecordView, h: FastHandlers): void {
    const rt = v.rtype;
    if (isOhlcvRtype(rt)) { if (h.ohlcv) h.ohlcv(fillOhlcv(v.dv, v.u8, v.off, this.#ohlcv)); else h.other?.(v); }
    else if (rt === 0xa0) { if (h.mbo) h.mbo(fillMbo(v.dv, v.u8, v.off, this.#mbo)); else h.other?.(v); }
    else if (isTopRtype(rt)) { if (h.top) h.top(fillTop(v.dv, v.u8, v.off, this.#top)); else h.other?.(v); }
    else h.other?.(v);
  }

  /**
   * The hot loop of writeFast: validates each record header (length, rtype, bounds) and hands runs of
   * same-header OHLCV / MBO records to the tight loops of fastruns.ts. Returns where an incomplete
   * trailing record starts (or chunk.length).
   */
  private fastLoop(chunk: Uint8Array, p: number, h: FastHandlers): number {
    const n = chunk.length;
    let dv: DataView | undefined; // created only if a record needs it (not on the aligned OHLCV / MBO path)
    const sizes = this.sizes;
    const ohlcv = h.ohlcv, mbo = h.mbo, top = h.top, other = h.other;
    const base = this.pos - p;
    const abs = chunk.byteOffset;
    let count = 0;
    while (p < n) {
      const size = chunk[p]! * 4;
      if (p + 1 >= n) { this.recordCount += count; this.pos = base + p; this.checkSize(size, undefined, base + p); return p; }
      const rt = chunk[p + 1]!;
      if (sizes[rt] !== size) { this.recordCount += count; count = 0; this.pos = base + p; this.checkSize(size, rt, base + p); }
      if (p + size > n) { this.recordCount += count; this.pos = base + p; return p; }
      if ((ohlcv !== undefined && isOhlcvRtype(rt)) || (mbo !== undefined && rt === 0xa0)) {
        // header validated above: the run continues while the next records carry the same (length, rtype)
        const word = (size >>> 2) | (rt << 8);
        const at = abs + p;
        let q: number;
        if ((at & 3) === 0 && this.wordViewFor(chunk)) {
          // aligned (the usual case): 32-bit views of the whole ArrayBuffer, positions in words
          const u = this.u32, w = at / 4, last = Math.floor((abs + n - size) / 4), stride = size >>> 2;
          q = (rt === 0xa0 ? runMboWords(u, w, last, stride, word, this.#mbo, mbo!) : runOhlcvWords(u, w, last, stride, word, this.#ohlcv, ohlcv!)) * 4 - abs;
        } else {
          dv ??= new DataView(chunk.buffer, abs, n);
          q = rt === 0xa0 ? runMbo(dv, chunk, p, n - size, size, word, this.#mbo, mbo!) : runOhlcv(dv, chunk, p, n - size, size, word, this.#ohlcv, ohlcv!);
        }
        count += (q - p) / size;
        p = q;
        continue;
      }
      dv ??= new DataView(chunk.buffer, abs, n);
      if (top !== undefined && isTopRtype(rt)) {
        fillTop(dv, chunk, p, this.#top);
        count++;
        top(this.#top);
      } else if (sizes[rt] !== 0) {
        count++;
        if (other !== undefined) this.emitOther(chunk, dv, p, base + p, other);
      } else this.onSkip?.(rt, base + p);
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
    this.u32 = new Uint32Array(0); // let the last chunk's buffer go
    this.viewedBuffer = undefined;
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

/** Whether Uint32Array reads little-endian words here (DBN is little-endian). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** OHLCV rtypes (1s, 1m, 1h, 1d, eod and the deprecated 0x11). */
function isOhlcvRtype(rt: number): boolean {
  return (rt >= 0x20 && rt <= 0x24) || rt === 0x11;
}

/** rtypes `fillTop` understands. */
export function isTopRtype(rt: number): boolean {
  return rt === 0x00 || rt === 0x01 || rt === 0x0a || rt === 0xb1 || (rt >= 0xc0 && rt <= 0xc4);
}
