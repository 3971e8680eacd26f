// The tagged values of the journal log and the writer's rows (`ByteWriter`, `ByteReader`).
import { expect } from 'chai';
import { ByteReader, ByteWriter, TAG } from '../../dist/state/byte-writer.js';

const bytesOf = (write: (w: ByteWriter) => void): number[] => { const w = new ByteWriter(); write(w); return [...w.take()]; };

describe('journal values (byte-writer)', () => {
  it('num, str, optNum and optStr write what value writes for every input, odd ones included (JSON semantics whichever method the codec calls)', () => {
    const odd: unknown[] = [1.5, -0, 1e300, Number.NaN, Number.POSITIVE_INFINITY, 'AAPL', 'né', 'x'.repeat(300), '', null, undefined, true, { a: 1 }, [1, 'b']];
    for (const v of odd) {
      const viaValue = bytesOf((w) => w.value(v));
      expect(bytesOf((w) => w.num(v as number)), `num(${String(v)})`).to.deep.equal(viaValue);
      expect(bytesOf((w) => w.str(v as string)), `str(${String(v)})`).to.deep.equal(viaValue);
      expect(bytesOf((w) => w.optNum(v as number)), `optNum(${String(v)})`).to.deep.equal(viaValue);
      expect(bytesOf((w) => w.optStr(v as string)), `optStr(${String(v)})`).to.deep.equal(viaValue);
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

  it("raw copies another writer's bytes exactly, whatever the length (four at a time, then the rest); never past its end, never from itself", () => {
    const src = new ByteWriter(3); // a reserved front, as a frame has
    for (let i = 0; i < 40; i++) src.byte((i * 37 + 11) & 0xff);
    const all = [...src.bytes.subarray(0, src.mark)];
    for (let start = 3; start < 12; start++) {
      for (let end = start; end <= src.mark; end += 3) {
        const dst = new ByteWriter();
        dst.byte(0xee); // copied after what is there
        dst.raw(src, start, end);
        expect([...dst.take()], `[${start}, ${end})`).to.deep.equal([0xee, ...all.slice(start, end)]);
      }
    }
    const dst = new ByteWriter();
    expect(() => dst.raw(src, 3, src.mark + 1)).to.throw(RangeError, /past the source/);
    expect(() => src.raw(src, 3, 5)).to.throw(RangeError, /itself/);
  });
});

