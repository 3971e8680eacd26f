import { encodeMetadata, encodeRecord } from './dbn/encoder.js';
import { RType } from './dbn/enums.js';

// The benchmark's input: uncompressed DBN v3 streams built with our encoder.

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

const T0 = 1609160400000000000n;

/** The OHLCV-1m benchmark stream, built with the encoder. */
export function buildOhlcvBenchStream(n = BENCH_RECORDS): Uint8Array {
  const tpl = encodeRecord({ rtype: RType.OHLCV_1M, publisher_id: 1, instrument_id: 5482, ts_event: T0, open: 3720_250000000n, high: 3721_000000000n, low: 3719_750000000n, close: 3720_500000000n, volume: 100n });
  return buildStream('ohlcv-1m', tpl, n, (dv, off, i) => {
    dv.setBigUint64(off + 8, T0 + BigInt(i) * 60_000_000_000n, true);
    dv.setUint32(off + 40, 0xc3a9e880 + (i & 0xffff), true); // vary close's low word
    dv.setUint32(off + 48, i & 0xffff, true);
  });
}

/** The MBO benchmark stream, built with the encoder. */
export function buildMboBenchStream(n = BENCH_RECORDS): Uint8Array {
  const tpl = encodeRecord({ rtype: RType.MBO, publisher_id: 1, instrument_id: 5482, ts_event: T0, order_id: 647784973705n, price: 3722_750000000n, size: 1, flags: 128, channel_id: 0, action: 'A', side: 'B', ts_recv: T0, ts_in_delta: 22993, sequence: 1170352 });
  return buildStream('mbo', tpl, n, (dv, off, i) => {
    dv.setBigUint64(off + 8, T0 + BigInt(i) * 1000n, true);
    dv.setUint32(off + 16, i, true);
    dv.setUint32(off + 32, 1 + (i & 7), true);
    dv.setBigUint64(off + 40, T0 + BigInt(i) * 1000n + 500n, true);
  });
}

/** Builds the OHLCV-1m and MBO benchmark streams with the encoder. */
export function buildBenchStreams(n = BENCH_RECORDS): { ohlcv: Uint8Array; mbo: Uint8Array } {
  return { ohlcv: buildOhlcvBenchStream(n), mbo: buildMboBenchStream(n) };
}
