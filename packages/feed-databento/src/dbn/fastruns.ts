import { fillMbo, fillOhlcv, type MboValues, type OhlcvValues } from './view.js';

/**
 * Run loops of `DbnDecoder.writeFast`: each decodes a run of consecutive records that share one
 * 16-bit (length, rtype) header word — the common case of a single-schema stream — straight into a
 * reused value object. The caller has validated that word once for the run (rtype known, length equal
 * to the rtype's struct size); here each record's word is compared with it, so any other record ends
 * the run and goes back to the caller's fully validating loop. `end` is the last start position at
 * which a whole record still fits in the chunk, so a record straddling the chunk end is never touched.
 *
 * Why separate loops: the stride is a loop constant rather than a value just loaded from the record,
 * so the CPU can work on several records at once; the per-record rtype dispatch and size-table lookup
 * disappear; and each loop stays small and monomorphic for the JIT.
 *
 * Two flavours: `*Words` read 4-byte-aligned records through a little-endian Uint32Array view of the
 * chunk's ArrayBuffer (positions in 32-bit words, `| 0` for signed fields; fewest instructions per
 * field), reading exactly the fields of `fillOhlcv` / `fillMbo` in view.ts with the arithmetic of
 * `tsWordsMs` / `priceWords` written out in place (calling them measured 5–10 % slower here: the
 * loops' inlining budget goes to the handler; keep them in sync, fastruns.spec checks it); the
 * DataView ones (any alignment, the rare case) call those readers.
 *
 * In the word loops `w & 0x3fffffff`, `end & 0x3fffffff` and `stride & 0xff` change nothing (callers
 * keep positions at most MAX_WORD; a stride is at most 255 words) but give the JIT value ranges in which
 * `w + k` cannot overflow, so it drops an overflow check per field read. The mask must be a literal.
 */

/** Largest word position the word loops accept (callers check it). */
export const MAX_WORD = 0x3fffffff;

/** Decodes consecutive aligned OHLCV records whose header word is `word` (word positions); returns where the run stopped. */
export function runOhlcvWords(u: Uint32Array, w: number, end: number, stride: number, word: number, ov: OhlcvValues, h: (v: OhlcvValues) => void): number {
  const rtype = word >>> 8;
  const step = stride & 0xff;
  w &= 0x3fffffff; // = MAX_WORD
  end &= 0x3fffffff;
  while (w <= end) {
    const w0 = u[w]!;
    if ((w0 & 0xffff) !== word) break;
    ov.rtype = rtype;
    ov.publisherId = w0 >>> 16;
    ov.instrumentId = u[w + 1]!;
    let lo = u[w + 2]!;
    let hi = u[w + 3]!;
    ov.tsEventMs = hi === 0xffffffff && lo === 0xffffffff ? NaN : (hi * 4294967296 + lo) / 1e6;
    lo = u[w + 4]!; hi = u[w + 5]! | 0;
    ov.open = hi === 0x7fffffff && lo === 0xffffffff ? NaN : (hi * 4294967296 + lo) / 1e9;
    lo = u[w + 6]!; hi = u[w + 7]! | 0;
    ov.high = hi === 0x7fffffff && lo === 0xffffffff ? NaN : (hi * 4294967296 + lo) / 1e9;
    lo = u[w + 8]!; hi = u[w + 9]! | 0;
    ov.low = hi === 0x7fffffff && lo === 0xffffffff ? NaN : (hi * 4294967296 + lo) / 1e9;
    lo = u[w + 10]!; hi = u[w + 11]! | 0;
    ov.close = hi === 0x7fffffff && lo === 0xffffffff ? NaN : (hi * 4294967296 + lo) / 1e9;
    ov.volume = u[w + 13]! * 4294967296 + u[w + 12]!;
    h(ov);
    w += step;
  }
  return w;
}

/** Decodes consecutive aligned MBO records whose header word is `word` (word positions); returns where the run stopped. */
export function runMboWords(u: Uint32Array, w: number, end: number, stride: number, word: number, mv: MboValues, h: (v: MboValues) => void): number {
  const step = stride & 0xff;
  w &= 0x3fffffff; // = MAX_WORD
  end &= 0x3fffffff;
  while (w <= end) {
    const w0 = u[w]!;
    if ((w0 & 0xffff) !== word) break;
    mv.publisherId = w0 >>> 16;
    mv.instrumentId = u[w + 1]!;
    let lo = u[w + 2]!;
    let hi = u[w + 3]!;
    mv.tsEventMs = hi === 0xffffffff && lo === 0xffffffff ? NaN : (hi * 4294967296 + lo) / 1e6;
    mv.orderId = u[w + 5]! * 4294967296 + u[w + 4]!;
    lo = u[w + 6]!; hi = u[w + 7]! | 0;
    mv.price = hi === 0x7fffffff && lo === 0xffffffff ? NaN : (hi * 4294967296 + lo) / 1e9;
    mv.size = u[w + 8]!;
    const w9 = u[w + 9]!; // flags, channel_id, action, side
    mv.flags = w9 & 0xff;
    mv.channelId = (w9 >>> 8) & 0xff;
    mv.action = (w9 >>> 16) & 0xff;
    mv.side = w9 >>> 24;
    lo = u[w + 10]!; hi = u[w + 11]!;
    mv.tsRecvMs = hi === 0xffffffff && lo === 0xffffffff ? NaN : (hi * 4294967296 + lo) / 1e6;
    mv.tsInDelta = u[w + 12]! | 0;
    mv.sequence = u[w + 13]!;
    h(mv);
    w += step;
  }
  return w;
}

/** Decodes consecutive OHLCV records (any alignment) whose header word is `word`; returns where the run stopped. */
export function runOhlcv(dv: DataView, u8: Uint8Array, p: number, end: number, size: number, word: number, ov: OhlcvValues, h: (v: OhlcvValues) => void): number {
  while (p <= end && dv.getUint16(p, true) === word) {
    h(fillOhlcv(dv, u8, p, ov));
    p += size;
  }
  return p;
}

/** Decodes consecutive MBO records (any alignment) whose header word is `word`; returns where the run stopped. */
export function runMbo(dv: DataView, u8: Uint8Array, p: number, end: number, size: number, word: number, mv: MboValues, h: (v: MboValues) => void): number {
  while (p <= end && dv.getUint16(p, true) === word) {
    h(fillMbo(dv, u8, p, mv));
    p += size;
  }
  return p;
}
