// The tagged values of the journal log and the writer's rows (`ByteWriter`, `ByteReader`).
import { expect } from 'chai';
import { ByteReader, ByteWriter, TAG } from '../../dist/state/byte-writer.js';

const bytesOf = (write: (w: ByteWriter) => void): number[] => { const w = new ByteWriter(); write(w); return [...w.take()]; };

describe('journal values (byte-writer)', () => {
  it('num and str write what value writes for every input, odd ones included (JSON semantics whichever method the codec calls)', () => {
    const odd: unknown[] = [1.5, -0, 1e300, Number.NaN, Number.POSITIVE_INFINITY, 'AAPL', 'né', 'x'.repeat(300), '', null, undefined, true, { a: 1 }, [1, 'b']];
    for (const v of odd) {
      const viaValue = bytesOf((w) => w.value(v));
      expect(bytesOf((w) => w.num(v as number)), `num(${String(v)})`).to.deep.equal(viaValue);
      expect(bytesOf((w) => w.str(v as string)), `str(${String(v)})`).to.deep.equal(viaValue);
    }
  });

  it('reads back what it wrote: numbers, non-finite as null, ASCII and UTF-8 strings, null, JSON', () => {
    const w = new ByteWriter();
    w.num(100.25); w.num(Number.NaN); w.str('twA1'); w.str('€ 5'); w.nil(); w.value({ k: [1, 2] }); w.num('7' as unknown as number);
    const bytes = w.take();
    expect(bytes[0]).to.equal(TAG.F64);
    const r = new ByteReader(bytes);
    const out: unknown[] = [];
    while (r.pos < bytes.length) out.push(r.value());
    expect(out).to.deep.equal([100.25, null, 'twA1', '€ 5', null, { k: [1, 2] }, '7']);
  });
});
