import { expect } from 'chai';
import { encodeMetadata, encodeRecord, streamDbn, RType } from '@tradewire/feed-databento';

/** A DBN source produced on the fly (never materialised): metadata, then `n` OHLCV records in odd-sized chunks. */
async function* generated(n: number, chunkBytes: number): AsyncGenerator<Uint8Array> {
  yield encodeMetadata({ dataset: 'GLBX.MDP3', schema: 'ohlcv-1m', start: 0n, stype_in: 'raw_symbol', stype_out: 'instrument_id' });
  const tpl = encodeRecord({ rtype: RType.OHLCV_1M, instrument_id: 1, ts_event: 0n, open: 1n, high: 2n, low: 1n, close: 2n, volume: 1n });
  const all = Math.floor(chunkBytes / tpl.length) + 2;
  const block = new Uint8Array(all * tpl.length);
  for (let i = 0; i < all; i++) block.set(tpl, i * tpl.length);
  let left = n * tpl.length;
  let phase = 0;
  while (left > 0) {
    const take = Math.min(left, chunkBytes);
    const start = phase % tpl.length;
    yield block.slice(start, start + take); // a fresh buffer each time, like a file stream
    phase += take;
    left -= take;
  }
}

describe('feed-databento: constant memory streaming', function () {
  this.timeout(60_000);
  it('streams 3,000,000 records (168 MB) with bounded heap growth', async () => {
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let n = 0;
    const { count } = await streamDbn(generated(3_000_000, 65_519), (v) => {
      n += v.length === 14 ? 1 : 0;
      if ((n & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    });
    expect(count).to.equal(3_000_000);
    expect(n).to.equal(3_000_000);
    expect(peak - before).to.be.below(64 * 1024 * 1024);
  });
});
