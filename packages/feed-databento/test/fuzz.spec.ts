import { expect } from 'chai';
import fc from 'fast-check';
import { isTradingError } from '@tradewire/core';
import { DbnStream, decodeDbn } from '@tradewire/feed-databento';
import { decompress } from 'fzstd';
import { fixture } from './helpers.js';

const RAW = [
  'test_data.mbo.v3.dbn', 'test_data.mbp-10.dbn', 'test_data.definition.v1.dbn', 'test_data.statistics.v1.dbn',
  'test_data.imbalance.dbn', 'test_data.ohlcv-1m.v1.dbn', 'test_data.cbbo.dbn',
].map((f) => ({ f, b: fixture(f) }));
RAW.push({ f: 'LIVE (decompressed)', b: decompress(fixture('python/LIVE/test_data.live.dbn.zst')) });
const ZST = ['test_data.mbo.v3.dbn.zst', 'test_data.definition.v2.dbn.zst', 'python/LIVE/test_data.live.dbn.zst'].map((f) => ({ f, b: fixture(f) }));

/** Decoding must either succeed or raise a DbnError (DataError) with a DBN_ code and numeric offset — never anything else. */
function decodeSafely(b: Uint8Array, chunk: number, fragmentVersion?: number): void {
  try {
    const s = new DbnStream(fragmentVersion === undefined ? {} : { fragmentVersion, unknownRtype: 'skip' });
    let n = 0;
    const cb = (v: { toRecord(): unknown }): void => { v.toRecord(); n++; };
    if (chunk % 2 === 0 && !s.compressedHint(b)) {
      // the typed fast path must be exactly as safe
      const d = s.decoder;
      const h = { ohlcv: () => { n++; }, mbo: () => { n++; }, top: () => { n++; }, other: cb };
      for (let i = 0; i < b.length; i += chunk) d.writeFast(b.subarray(i, i + chunk), h);
      d.end();
    } else {
      for (let i = 0; i < b.length; i += chunk) s.write(b.subarray(i, i + chunk), cb);
      s.end(cb);
    }
    expect(n).to.be.at.most(b.length * 1000);
  } catch (e) {
    if (!isTradingError(e)) throw e;
    expect(e.code).to.match(/^DBN_/);
    expect((e.details as { offset: unknown }).offset).to.be.a('number');
  }
}

const mutation = fc.record({
  which: fc.nat(),
  edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
  chunk: fc.integer({ min: 1, max: 600 }),
});

function mutate(src: Uint8Array, m: { edits: [number, number][]; cut: number | undefined }): Uint8Array {
  const b = src.slice();
  for (const [pos, val] of m.edits) b[pos % b.length] = val;
  return m.cut === undefined ? b : b.subarray(0, m.cut % (b.length + 1));
}

describe('feed-databento: fuzz (seeded, bounded)', function () {
  this.timeout(60_000);
  it('mutated raw DBN fixtures never crash, loop or read out of bounds', () => {
    fc.assert(fc.property(mutation, (m) => {
      const src = RAW[m.which % RAW.length]!.b;
      decodeSafely(mutate(src, m), m.chunk);
    }), { seed: 20261121, numRuns: 1500 });
  });
  it('mutated record bytes (after the metadata) never crash', () => {
    fc.assert(fc.property(mutation, (m) => {
      const src = RAW[m.which % RAW.length]!.b;
      const start = decodeDbn(src).metadata!.records_start_offset;
      const b = src.slice();
      for (const [pos, val] of m.edits) b[start + (pos % (b.length - start))] = val;
      decodeSafely(m.cut === undefined ? b : b.subarray(0, m.cut % (b.length + 1)), m.chunk);
    }), { seed: 7, numRuns: 1500 });
  });
  it('mutated zstd fixtures never crash', () => {
    fc.assert(fc.property(mutation, (m) => {
      const src = ZST[m.which % ZST.length]!.b;
      decodeSafely(mutate(src, m), m.chunk);
    }), { seed: 42, numRuns: 800 });
  });
  it('random bytes as a fragment never crash', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), fc.integer({ min: 1, max: 3 }), (b, v) => {
      decodeSafely(b, 97, v);
    }), { seed: 3, numRuns: 500 });
  });
});
