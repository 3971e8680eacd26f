import { expect } from 'chai';
import {
  DbnDecoder, DbnStream, MboValues, OhlcvValues, TopValues, decodeDbn, pxToNumber, forEachRecord,
  type DbnRecord, type MboMsg, type OhlcvMsg, type Mbp1Msg,
} from '@tradewire/feed-databento';
import { buildBenchStreams } from '@tradewire/feed-databento/bench';
import { decompress } from 'fzstd';
import { fixture } from './helpers.js';

const msOf = (ns: bigint | undefined): number => (ns === undefined ? NaN : Number(ns) / 1e6);

function fast(bytes: Uint8Array, chunk: number): { o: OhlcvValues[]; m: MboValues[]; t: TopValues[]; other: number; count: number } {
  const d = new DbnDecoder();
  const o: OhlcvValues[] = [], m: MboValues[] = [], t: TopValues[] = [];
  let other = 0;
  const h = {
    ohlcv: (v: OhlcvValues) => { o.push({ ...v }); },
    mbo: (v: MboValues) => { m.push({ ...v }); },
    top: (v: TopValues) => { t.push({ ...v }); },
    other: () => { other++; },
  };
  for (let i = 0; i < bytes.length; i += chunk) d.writeFast(bytes.subarray(i, i + chunk), h);
  d.end();
  return { o, m, t, other, count: d.recordCount };
}

describe('feed-databento: non-allocating fast paths', () => {
  it('writeFast agrees with the full decode (OHLCV, MBO, trades/MBP/BBO) for any chunking', () => {
    for (const f of ['test_data.ohlcv-1m.v3.dbn.zst', 'test_data.mbo.v3.dbn.zst', 'test_data.mbp-1.v1.dbn.zst', 'test_data.trades.dbn', 'test_data.bbo-1s.v3.dbn.zst', 'python/LIVE/test_data.live.dbn.zst']) {
      const b = fixture(f);
      const raw = b[0] === 0x28 ? decompress(b) : b;
      const recs = decodeDbn(raw).records;
      for (const chunk of [1, 13, 100000]) {
        const r = fast(raw, chunk);
        expect(r.count, f).to.equal(recs.length);
        expect(r.o.length + r.m.length + r.t.length + r.other).to.equal(recs.length);
        const ohl = recs.filter((x) => x.rtype >= 0x20 && x.rtype <= 0x24) as unknown as OhlcvMsg[];
        ohl.forEach((x, i) => {
          expect(r.o[i]).to.deep.include({ instrumentId: x.instrument_id, open: pxToNumber(x.open), close: pxToNumber(x.close), volume: Number(x.volume), tsEventMs: msOf(x.ts_event) });
        });
        const mbo = recs.filter((x) => x.rtype === 0xa0) as unknown as MboMsg[];
        mbo.forEach((x, i) => {
          expect(r.m[i]).to.deep.include({ price: pxToNumber(x.price), size: x.size, orderId: Number(x.order_id), side: x.side.charCodeAt(0), tsRecvMs: msOf(x.ts_recv) });
        });
        const top = recs.filter((x) => [0, 1, 10, 0xc3, 0xc4].includes(x.rtype)) as unknown as Mbp1Msg[];
        top.forEach((x, i) => {
          expect(r.t[i]!.price, f).to.equal(pxToNumber(x.price) ?? NaN);
          if (x.levels) expect(r.t[i]!.bidPx).to.equal(pxToNumber(x.levels[0]!.bid_px) ?? NaN);
        });
      }
    }
  });

  it('writeFast counts correctly when unknown rtypes are skipped', () => {
    const b = decompress(fixture('test_data.mbo.v3.dbn.zst')).slice();
    const start = decodeDbn(b).metadata!.records_start_offset;
    b[start + 1] = 0x99; // first record becomes an unknown rtype
    const d = new DbnDecoder({ unknownRtype: 'skip' });
    let seen = 0;
    d.writeFast(b, { mbo: () => { seen++; } });
    d.end();
    expect(seen).to.equal(1);
    expect(d.recordCount).to.equal(1);
  });

  it('RecordView getters and read* agree with the full decode', () => {
    const recs: DbnRecord[] = [];
    const vals: OhlcvValues[] = [];
    forEachRecord(fixture('test_data.ohlcv-1h.v2.dbn.zst'), (v) => { recs.push(v.toRecord()); vals.push({ ...v.readOhlcv(new OhlcvValues()) }); expect(v.close).to.equal(vals.at(-1)!.close); });
    expect(vals[0]!.open).to.equal(pxToNumber((recs[0] as unknown as OhlcvMsg).open));
  });

  it('the benchmark streams decode to the expected counts (small N)', () => {
    const { ohlcv, mbo } = buildBenchStreams(1000);
    expect(decodeDbn(ohlcv).records).to.have.length(1000);
    const s = new DbnStream();
    let n = 0;
    s.write(mbo, () => { n++; });
    s.end();
    expect(n).to.equal(1000);
    expect(fast(ohlcv, 4096).o).to.have.length(1000);
  });
});
