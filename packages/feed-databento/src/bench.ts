import { encodeMetadata, encodeRecord } from './dbn/encoder.js';
import { DbnDecoder, type FastHandlers } from './dbn/decoder.js';
import { RType } from './dbn/enums.js';
import type { MboValues, OhlcvValues } from './dbn/view.js';

/** Number of records in each benchmark stream. */
export const BENCH_RECORDS = 1_000_000;

/** Builds an uncompressed DBN v3 stream of `n` copies of `template` (ts_event / price varied per record). */
function buildStream(schema: string, template: Uint8Array, n: number, vary: (dv: DataView, off: number, i: number) => void): Uint8Array {
  const head = encodeMetadata({ dataset: 'GLBX.MDP3', schema, start: 1609160400000000000n, stype_in: 'raw_symbol', stype_out: 'instrument_id', symbols: ['ESH1'] });
  const size = template.length;
  const out = new Uint8Array(head.length + size * n);
  out.set(head, 0);
  const dv = new DataView(out.buffer);
  let off = head.length;
  for (let i = 0; i < n; i++, off += size) {
    out.set(template, off);
    vary(dv, off, i);
  }
  return out;
}

/** Builds the OHLCV-1m and MBO benchmark streams with the encoder. */
export function buildBenchStreams(n = BENCH_RECORDS): { ohlcv: Uint8Array; mbo: Uint8Array } {
  const t0 = 1609160400000000000n;
  const ohlcvTpl = encodeRecord({ rtype: RType.OHLCV_1M, publisher_id: 1, instrument_id: 5482, ts_event: t0, open: 3720_250000000n, high: 3721_000000000n, low: 3719_750000000n, close: 3720_500000000n, volume: 100n });
  const ohlcv = buildStream('ohlcv-1m', ohlcvTpl, n, (dv, off, i) => {
    dv.setBigUint64(off + 8, t0 + BigInt(i) * 60_000_000_000n, true);
    dv.setUint32(off + 40, 0xc3a9e880 + (i & 0xffff), true); // vary close's low word
    dv.setUint32(off + 48, i & 0xffff, true);
  });
  const mboTpl = encodeRecord({ rtype: RType.MBO, publisher_id: 1, instrument_id: 5482, ts_event: t0, order_id: 647784973705n, price: 3722_750000000n, size: 1, flags: 128, channel_id: 0, action: 'A', side: 'B', ts_recv: t0, ts_in_delta: 22993, sequence: 1170352 });
  const mbo = buildStream('mbo', mboTpl, n, (dv, off, i) => {
    dv.setBigUint64(off + 8, t0 + BigInt(i) * 1000n, true);
    dv.setUint32(off + 16, i, true);
    dv.setUint32(off + 32, 1 + (i & 7), true);
    dv.setBigUint64(off + 40, t0 + BigInt(i) * 1000n + 500n, true);
  });
  return { ohlcv, mbo };
}

const CHUNK = 1 << 20;

/** Checksums so the JIT cannot drop the decoded values. */
class Acc { sum = 0.5; n = 0 }

/** Streaming decoder, typed fast path: every OHLCV field is read into a reused `OhlcvValues` handed to the callback. */
function decodeOhlcv(buf: Uint8Array, h: FastHandlers): number {
  const d = new DbnDecoder();
  // fed in 1 MiB chunks, as a file or socket stream would be (records straddle chunk ends)
  for (let i = 0; i < buf.length; i += CHUNK) d.writeFast(buf.subarray(i, i + CHUNK), h);
  d.end();
  return d.recordCount;
}

/** Same for MBO (every field into a reused `MboValues`). */
function decodeMbo(buf: Uint8Array, h: FastHandlers): number {
  const d = new DbnDecoder();
  // fed in 1 MiB chunks, as a file or socket stream would be (records straddle chunk ends)
  for (let i = 0; i < buf.length; i += CHUNK) d.writeFast(buf.subarray(i, i + CHUNK), h);
  d.end();
  return d.recordCount;
}

/**
 * The baseline: walk the same buffer reading each 16-byte record header (length, rtype, publisher_id,
 * instrument_id, ts_event words) and nothing else — no bounds/length validation, no body.
 */
function rawWalk(buf: Uint8Array, start: number, sink: Acc): number {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let p = start;
  let n = 0;
  let acc = 0;
  const len = buf.length;
  while (p < len) {
    const size = buf[p]! * 4;
    acc += buf[p + 1]! + dv.getUint16(p + 2, true) + dv.getUint32(p + 4, true) + dv.getUint32(p + 8, true) + dv.getUint32(p + 12, true);
    p += size;
    n++;
  }
  sink.n += acc;
  return n;
}

function timeBest(runs: number, fn: () => number): { perSec: number; count: number } {
  let best = Infinity;
  let count = 0;
  for (let r = 0; r < runs; r++) {
    const t = process.hrtime.bigint();
    count = fn();
    const ns = Number(process.hrtime.bigint() - t);
    if (ns < best) best = ns;
  }
  return { perSec: count / (best / 1e9), count };
}

/**
 * Builds ≥ 1,000,000-record OHLCV-1m and MBO streams with the encoder, decodes them through the streaming
 * decoder's non-allocating callback API (every field read into a reused sink), and times a raw header walk of
 * the same buffers in the same run. Returns records/s (best of several runs) and the decode/raw ratio in %.
 */
export async function runBenchmark(options: { only?: 'ohlcv' | 'mbo' } = {}): Promise<Record<string, number>> {
  const { ohlcv, mbo } = buildBenchStreams();
  const ohlcvStart = ohlcv.length - BENCH_RECORDS * 56;
  const mboStart = mbo.length - BENCH_RECORDS * 56;
  const acc = new Acc();
  // handlers are created once (a stable call target for the JIT), as a real consumer would
  const oh: FastHandlers = { ohlcv: (b: OhlcvValues) => { acc.sum += b.close; acc.n += b.volume; } };
  const mh: FastHandlers = { mbo: (o: MboValues) => { acc.sum += o.price; acc.n += o.size; } };
  // warm up JIT
  const doO = options.only !== 'mbo';
  const doM = options.only !== 'ohlcv';
  for (let i = 0; i < 3; i++) {
    if (doO) { decodeOhlcv(ohlcv, oh); rawWalk(ohlcv, ohlcvStart, acc); }
    if (doM) { decodeMbo(mbo, mh); rawWalk(mbo, mboStart, acc); }
  }
  const runs = 9;
  // interleave decode and raw runs so machine load affects both alike
  let o = { perSec: 0, count: 0 }, ro = o, m = o, rm = o;
  for (let r = 0; r < runs; r++) {
    if (doO) {
      const a = timeBest(1, () => decodeOhlcv(ohlcv, oh)); if (a.perSec > o.perSec) o = a;
      const b = timeBest(1, () => rawWalk(ohlcv, ohlcvStart, acc)); if (b.perSec > ro.perSec) ro = b;
    }
    if (doM) {
      const c = timeBest(1, () => decodeMbo(mbo, mh)); if (c.perSec > m.perSec) m = c;
      const d = timeBest(1, () => rawWalk(mbo, mboStart, acc)); if (d.perSec > rm.perSec) rm = d;
    }
  }
  if (!Number.isFinite(acc.sum)) throw new Error('benchmark checksum is not finite');
  if ((doO && (o.count !== BENCH_RECORDS || ro.count !== BENCH_RECORDS)) || (doM && (m.count !== BENCH_RECORDS || rm.count !== BENCH_RECORDS))) {
    throw new Error('benchmark record count mismatch');
  }
  const out: Record<string, number> = { dbnRecords: BENCH_RECORDS };
  if (doO) {
    out['dbnOhlcvRecordsPerSec'] = Math.round(o.perSec);
    out['dbnRawWalkOhlcvRecordsPerSec'] = Math.round(ro.perSec);
    out['dbnOhlcvVsRawPct'] = Math.round((o.perSec / ro.perSec) * 1000) / 10;
  }
  if (doM) {
    out['dbnMboRecordsPerSec'] = Math.round(m.perSec);
    out['dbnRawWalkMboRecordsPerSec'] = Math.round(rm.perSec);
    out['dbnMboVsRawPct'] = Math.round((m.perSec / rm.perSec) * 1000) / 10;
  }
  return out;
}
