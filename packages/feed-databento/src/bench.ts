import { BENCH_RECORDS, buildMboBenchStream, buildOhlcvBenchStream } from './bench-streams.js';
import { SliceTimes, now } from './bench-timing.js';
import { DbnDecoder, type FastHandlers } from './dbn/decoder.js';
import type { MboValues, OhlcvValues } from './dbn/view.js';

export { BENCH_RECORDS, buildBenchStreams, buildMboBenchStream, buildOhlcvBenchStream } from './bench-streams.js';

const CHUNK = 1 << 20;
const WARMUP_ROUNDS = 3;
/**
 * Timed rounds (each decodes the whole stream once and walks it once): at least MIN_ROUNDS and MIN_MS
 * of them, then more while a summed minimum still improved by over 1% in the last SETTLE rounds (a busy
 * spell on the machine ending), up to MAX_MS. A shared machine has busy spells of seconds, during which
 * compute-bound code (the decoder) slows down more than memory-bound code (the header walk); running
 * for some seconds gives both sides the same chance to be timed outside such a spell.
 */
const MIN_ROUNDS = 40, SETTLE = 20, MIN_MS = 3000, MAX_MS = 8000;

/** Checksums so the JIT cannot drop the decoded values. */
class Acc { sum = 0.5; n = 0 }

/** The stream cut into chunks (1 MiB by default), as a file or socket stream would deliver it (records straddle chunk ends). */
function chunksOf(buf: Uint8Array, size = CHUNK): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

/**
 * One streaming decode of the whole stream through the typed fast path (every OHLCV / MBO field read into
 * a reused value object handed to the callback), timing each `writeFast` call. Returns the record count.
 */
function decodePass(chunks: Uint8Array[], h: FastHandlers, times: SliceTimes | undefined): number {
  const d = new DbnDecoder();
  const t0 = now();
  for (let k = 0; k < chunks.length; k++) {
    const t = now();
    d.writeFast(chunks[k]!, h);
    times?.note(k, now() - t);
  }
  d.end();
  times?.pass(now() - t0);
  return d.recordCount;
}

/** Position and record count carried across the raw walk's slices. */
class WalkState { p = 0; n = 0 }

/**
 * The baseline: walk the buffer up to `lim` reading each 16-byte record header (length, rtype, publisher_id,
 * instrument_id, ts_event words) and nothing else — no bounds/length validation, no body.
 */
function rawWalk(buf: Uint8Array, dv: DataView, lim: number, st: WalkState, sink: Acc): void {
  let p = st.p;
  let n = 0;
  let acc = 0;
  const len = lim;
  while (p < len) {
    const size = buf[p]! * 4;
    acc += buf[p + 1]! + dv.getUint16(p + 2, true) + dv.getUint32(p + 4, true) + dv.getUint32(p + 8, true) + dv.getUint32(p + 12, true);
    p += size;
    n++;
  }
  sink.n += acc;
  st.p = p;
  st.n += n;
}

/** One raw walk of the whole stream from `start`, timed over the same 1 MiB slices as the decode. Returns the record count. */
function rawPass(buf: Uint8Array, start: number, sink: Acc, times: SliceTimes | undefined): number {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const st = new WalkState();
  st.p = start;
  const t0 = now();
  for (let k = 0, lim = CHUNK; st.p < buf.length; k++, lim += CHUNK) {
    const t = now();
    rawWalk(buf, dv, Math.min(lim, buf.length), st, sink);
    times?.note(k, now() - t);
  }
  times?.pass(now() - t0);
  return st.n;
}

/** Decode and raw-walk figures of one stream. */
function figures(name: string, dec: SliceTimes, raw: SliceTimes): Record<string, number> {
  const d = dec.perSec(BENCH_RECORDS), r = raw.perSec(BENCH_RECORDS);
  return {
    [`dbn${name}RecordsPerSec`]: Math.round(d),
    [`dbnRawWalk${name}RecordsPerSec`]: Math.round(r),
    [`dbn${name}VsRawPct`]: Math.round((d / r) * 1000) / 10,
    // the older estimator (best whole pass vs best whole pass), more exposed to machine load: for reference
    [`dbn${name}VsRawPctWholePass`]: Math.round((dec.perSecWhole(BENCH_RECORDS) / raw.perSecWhole(BENCH_RECORDS)) * 1000) / 10,
  };
}

/**
 * Builds 1,000,000-record OHLCV-1m and MBO streams with the encoder, decodes them in 1 MiB chunks through the
 * streaming decoder's non-allocating callback API (every field read into a reused value object handed to a
 * checksum callback), and walks the record headers of the same buffers in the same run. Decode passes and
 * raw passes alternate (so machine load hits both alike), each timed per 1 MiB slice; records/s come from
 * the per-slice minima over the timed rounds (see SliceTimes and MIN_ROUNDS), and the decode/raw ratio in %
 * from those.
 */
export async function runBenchmark(options: { only?: 'ohlcv' | 'mbo' } = {}): Promise<Record<string, number>> {
  const doO = options.only !== 'mbo';
  const doM = options.only !== 'ohlcv';
  // only the streams this run decodes (56 MB each)
  const ohlcv = doO ? buildOhlcvBenchStream() : new Uint8Array(0);
  const mbo = doM ? buildMboBenchStream() : new Uint8Array(0);
  const ohlcvStart = ohlcv.length - BENCH_RECORDS * 56;
  const mboStart = mbo.length - BENCH_RECORDS * 56;
  const ohlcvChunks = chunksOf(ohlcv), mboChunks = chunksOf(mbo);
  const acc = new Acc();
  // handlers are created once (a stable call target for the JIT), as a real consumer would
  const oh: FastHandlers = { ohlcv: (b: OhlcvValues) => { acc.sum += b.close; acc.n += b.volume; } };
  const mh: FastHandlers = { mbo: (o: MboValues) => { acc.sum += o.price; acc.n += o.size; } };
  const slices = ohlcvChunks.length;
  const o = new SliceTimes(slices), ro = new SliceTimes(slices), m = new SliceTimes(mboChunks.length), rm = new SliceTimes(mboChunks.length);
  let bad = false;
  // First many short passes (400 records in 2 KiB chunks), so that every function — the code after each
  // loop included — has run and has type feedback before the JIT optimizes it; otherwise a loop optimized in
  // the middle of its first long call can deoptimize at its exit again and again, slowing either side.
  const oSmall = ohlcv.subarray(0, ohlcvStart + 400 * 56), mSmall = mbo.subarray(0, mboStart + 400 * 56);
  const oSmallChunks = chunksOf(oSmall, 2048), mSmallChunks = chunksOf(mSmall, 2048);
  for (let r = 0; r < 200; r++) {
    if (doO) { decodePass(oSmallChunks, oh, undefined); rawPass(oSmall, ohlcvStart, acc, undefined); }
    if (doM) { decodePass(mSmallChunks, mh, undefined); rawPass(mSmall, mboStart, acc, undefined); }
  }
  for (let r = 0; r < WARMUP_ROUNDS; r++) { // let the JIT settle on the full-size passes
    if (doO) { decodePass(ohlcvChunks, oh, undefined); rawPass(ohlcv, ohlcvStart, acc, undefined); }
    if (doM) { decodePass(mboChunks, mh, undefined); rawPass(mbo, mboStart, acc, undefined); }
  }
  const tracked = [...(doO ? [o, ro] : []), ...(doM ? [m, rm] : [])];
  const history: number[][] = [];
  let rounds = 0;
  const t0 = now();
  for (;;) {
    if (doO) {
      bad ||= decodePass(ohlcvChunks, oh, o) !== BENCH_RECORDS;
      bad ||= rawPass(ohlcv, ohlcvStart, acc, ro) !== BENCH_RECORDS;
    }
    if (doM) {
      bad ||= decodePass(mboChunks, mh, m) !== BENCH_RECORDS;
      bad ||= rawPass(mbo, mboStart, acc, rm) !== BENCH_RECORDS;
    }
    rounds++;
    history.push(tracked.map((t) => t.total()));
    const ms = (now() - t0) / 1e6;
    if (ms >= MAX_MS) break;
    if (rounds >= MIN_ROUNDS && ms >= MIN_MS) {
      const then = history[rounds - 1 - SETTLE]!, last = history[rounds - 1]!;
      if (last.every((x, i) => x >= then[i]! * 0.99)) break;
    }
  }
  if (!Number.isFinite(acc.sum)) throw new Error('benchmark checksum is not finite');
  if (bad) throw new Error('benchmark record count mismatch');
  return {
    dbnRecords: BENCH_RECORDS,
    dbnBenchRounds: rounds,
    ...(doO ? figures('Ohlcv', o, ro) : {}),
    ...(doM ? figures('Mbo', m, rm) : {}),
  };
}
