import { expect } from 'chai';
import { isTradingError } from '@tradewire/core';
import {
  DbnDecoder, MboValues, OhlcvValues, RType, TopValues, UNDEF_PRICE, UNDEF_TIMESTAMP, encodeDbn,
  type EncodeMetadata, type EncodeRecord,
} from '@tradewire/feed-databento';

// writeFast's run loops (fastruns.ts) against the reference fill* readers, for every alignment and chunking.

const MD: EncodeMetadata = { dataset: 'GLBX.MDP3', schema: null, start: 0n, stype_in: 'raw_symbol', stype_out: 'instrument_id', symbols: ['ESH1'] };
const T0 = 1609160400000000000n;

const bar = (i: number, over: Partial<EncodeRecord> = {}): EncodeRecord => ({
  rtype: RType.OHLCV_1M, publisher_id: 1 + (i % 3), instrument_id: 5482 + i, ts_event: T0 + BigInt(i) * 60_000_000_000n,
  open: 3720_250000000n + BigInt(i), high: 3721_000000000n, low: -3719_750000001n, close: 3720_500000000n - BigInt(i), volume: 100n + BigInt(i), ...over,
});
const order = (i: number, over: Partial<EncodeRecord> = {}): EncodeRecord => ({
  rtype: RType.MBO, publisher_id: 2, instrument_id: 5482, ts_event: T0 + BigInt(i), order_id: 647784973705n + BigInt(i), price: 3722_750000000n - BigInt(i),
  size: 1 + i, flags: 128 + (i % 7), channel_id: i % 5, action: 'ACMT'[i % 4], side: 'BAN'[i % 3], ts_recv: T0 + BigInt(i) + 500n, ts_in_delta: i % 2 ? -22993 : 22993, sequence: 1170352 + i,
  ...over,
});

/** OHLCV and MBO runs with edge values, broken by other rtypes (OHLCV-1h, a trade). */
function records(): EncodeRecord[] {
  const out: EncodeRecord[] = [];
  for (let i = 0; i < 40; i++) out.push(bar(i));
  out.push(bar(40, { open: UNDEF_PRICE, high: UNDEF_PRICE, low: UNDEF_PRICE, close: UNDEF_PRICE, ts_event: UNDEF_TIMESTAMP }));
  out.push(bar(41, { instrument_id: 0xfffffff0, publisher_id: 0xffff, volume: 2n ** 52n + 7n, open: -(2n ** 62n), close: 2n ** 62n - 1n }));
  out.push(bar(42, { rtype: RType.OHLCV_1H }), bar(43, { rtype: RType.OHLCV_1H }));
  for (let i = 0; i < 30; i++) out.push(order(i));
  out.push(order(30, { price: UNDEF_PRICE, ts_recv: UNDEF_TIMESTAMP, order_id: 2n ** 53n - 1n, size: 0xffffffff }));
  out.push({ rtype: RType.MBP_0, publisher_id: 1, instrument_id: 5482, ts_event: T0, price: 3722_500000000n, size: 3, action: 'T', side: 'A', flags: 0, depth: 0, ts_recv: T0, ts_in_delta: 0, sequence: 1 });
  for (let i = 44; i < 60; i++) out.push(bar(i));
  return out;
}

interface Seen { o: OhlcvValues[]; m: MboValues[]; t: TopValues[]; count: number; offset: number }

/** Reference: the view API's readOhlcv / readMbo / readTop (view.ts fill* functions). */
function reference(bytes: Uint8Array): Seen {
  const s: Seen = { o: [], m: [], t: [], count: 0, offset: 0 };
  const d = new DbnDecoder();
  d.write(bytes, (v) => {
    if ((v.rtype >= 0x20 && v.rtype <= 0x24) || v.rtype === 0x11) s.o.push({ ...v.readOhlcv(new OhlcvValues()) });
    else if (v.rtype === 0xa0) s.m.push({ ...v.readMbo(new MboValues()) });
    else s.t.push({ ...v.readTop(new TopValues()) });
  });
  d.end();
  s.count = d.recordCount;
  s.offset = d.offset;
  return s;
}

function fast(bytes: Uint8Array, chunk: number): Seen {
  const s: Seen = { o: [], m: [], t: [], count: 0, offset: 0 };
  const d = new DbnDecoder();
  const h = { ohlcv: (v: OhlcvValues) => { s.o.push({ ...v }); }, mbo: (v: MboValues) => { s.m.push({ ...v }); }, top: (v: TopValues) => { s.t.push({ ...v }); } };
  for (let i = 0; i < bytes.length; i += chunk) d.writeFast(bytes.subarray(i, i + chunk), h);
  d.end();
  s.count = d.recordCount;
  s.offset = d.offset;
  return s;
}

/** `bytes` copied to byte offset `shift` of a larger buffer (so its records sit at that alignment). */
function shifted(bytes: Uint8Array, shift: number): Uint8Array {
  const host = new Uint8Array(bytes.length + 16);
  host.set(bytes, shift);
  return host.subarray(shift, shift + bytes.length);
}

function catchErr(fn: () => unknown): { code: string; offset: number } {
  try { fn(); } catch (e) {
    expect(isTradingError(e), String(e)).to.equal(true);
    return { code: (e as { code: string }).code, offset: (e as { details: { offset: number } }).details.offset };
  }
  throw new Error('expected an error');
}

describe('feed-databento: writeFast run loops', () => {
  for (const tsOut of [false, true]) {
    it(`hand every field over exactly as the view readers do, at any alignment and chunking${tsOut ? ' (ts_out)' : ''}`, () => {
      const bytes = encodeDbn({ ...MD, ts_out: tsOut }, records());
      const ref = reference(bytes);
      expect(ref.o).to.have.length(60);
      expect(ref.m).to.have.length(31);
      expect(ref.t).to.have.length(1);
      for (const shift of [0, 1, 2, 3]) {
        const src = shifted(bytes, shift);
        for (const chunk of [1, 7, 56, 57, 64, 100, 1000, 4099, bytes.length]) {
          const got = fast(src, chunk);
          expect(got, `shift ${shift}, chunk ${chunk}`).to.deep.equal(ref);
        }
      }
    });
  }

  it('chunks that are subarrays of one buffer, aligned and not, in the same stream', () => {
    const bytes = shifted(encodeDbn(MD, records()), 0);
    const ref = reference(bytes);
    const s: Seen = { o: [], m: [], t: [], count: 0, offset: 0 };
    const d = new DbnDecoder();
    const h = { ohlcv: (v: OhlcvValues) => { s.o.push({ ...v }); }, mbo: (v: MboValues) => { s.m.push({ ...v }); }, top: (v: TopValues) => { s.t.push({ ...v }); } };
    // uneven cuts: the records inside each chunk start at a different alignment of the shared ArrayBuffer
    for (let i = 0, k = 0; i < bytes.length; k++) { const n = 250 + (k % 4); d.writeFast(bytes.subarray(i, i + n), h); i += n; }
    d.end();
    s.count = d.recordCount;
    s.offset = d.offset;
    expect(s).to.deep.equal(ref);
  });

  it('still validate each record inside a run (length 0, length mismatch, unknown rtype) with its offset', () => {
    const good = encodeDbn(MD, Array.from({ length: 10 }, (_, i) => bar(i)));
    const start = good.length - 10 * 56;
    for (const shift of [0, 2]) {
      const b0 = shifted(good.slice(), shift);
      b0[start + 5 * 56] = 0;
      expect(catchErr(() => new DbnDecoder().writeFast(b0, { ohlcv: () => {} }))).to.deep.equal({ code: 'DBN_BAD_RECORD_LENGTH', offset: start + 5 * 56 });
      const b1 = shifted(good.slice(), shift);
      b1[start + 6 * 56] = 16;
      expect(catchErr(() => new DbnDecoder().writeFast(b1, { ohlcv: () => {} }))).to.deep.equal({ code: 'DBN_RECORD_LENGTH_MISMATCH', offset: start + 6 * 56 });
      const b2 = shifted(good.slice(), shift);
      b2[start + 7 * 56 + 1] = 0x99;
      let seen = 0;
      expect(catchErr(() => new DbnDecoder().writeFast(b2, { ohlcv: () => { seen++; } }))).to.deep.equal({ code: 'DBN_UNKNOWN_RTYPE', offset: start + 7 * 56 + 1 });
      expect(seen).to.equal(7);
      const d = new DbnDecoder({ unknownRtype: 'skip' });
      seen = 0;
      d.writeFast(b2, { ohlcv: () => { seen++; } });
      d.end();
      expect([seen, d.recordCount]).to.deep.equal([9, 9]);
    }
  });

  it('a record cut by the end of the input is left for the next chunk, then reported by end()', () => {
    const good = encodeDbn(MD, Array.from({ length: 10 }, (_, i) => bar(i)));
    const d = new DbnDecoder();
    let seen = 0;
    d.writeFast(good.subarray(0, good.length - 20), { ohlcv: () => { seen++; } });
    expect(seen).to.equal(9);
    expect(catchErr(() => d.end())).to.deep.equal({ code: 'DBN_TRUNCATED_RECORD', offset: good.length - 56 });
  });
});
