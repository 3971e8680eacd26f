// The rows posted to the journal writer: `ByteWriter` row bytes decoded straight into statement arguments.
import { expect } from 'chai';
import { ByteWriter } from '../../dist/state/byte-writer.js';
import { runRows, type RowValue } from '../../dist/state/row-codec.js';

/** A statement that records the argument lists it was run with. */
const recorder = (): { calls: RowValue[][]; run(...v: RowValue[]): void } => {
  const calls: RowValue[][] = [];
  return { calls, run: (...v: RowValue[]) => { calls.push(v); } };
};

describe('journal writer rows (row-codec)', () => {
  it('decodes every value in order, 4 rows per multi-row call and the rest one row per call, with repeated columns restored', () => {
    const w = new ByteWriter();
    const rows: RowValue[][] = [];
    for (let i = 0; i < 11; i++) {
      const asset = i < 6 ? 'AAPL' : 'MSFT';
      const side = i % 3 === 0 ? 'BUY' : 'SELL';
      const note = i % 4 === 0 ? null : 'né'; // null and UTF-8 through `col` too
      rows.push([`id${i}`, asset, side, i * 1.5, note, i === 7 ? Number.NaN : 1e12 + i]);
      w.str(`id${i}`); w.col(1, asset); w.col(2, side); w.num(i * 1.5); w.col(4, note); w.num(i === 7 ? Number.NaN : 1e12 + i);
    }
    const bytes = w.take();
    const many = recorder();
    const one = recorder();
    expect(runRows(many, one, bytes, 6, 4)).to.equal(11);
    expect(many.calls.map((c) => c.length)).to.deep.equal([24, 24]);
    expect(one.calls.map((c) => c.length)).to.deep.equal([6, 6, 6]);
    const decoded = [...many.calls, ...one.calls].flat();
    const expected = rows.map((r) => r.map((v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))).flat(); // as JSON would
    expect(decoded).to.deep.equal(expected);
  });

  it('take() starts over: the first row after it carries every value', () => {
    const w = new ByteWriter();
    w.col(0, 'X'); w.num(1);
    w.take();
    w.col(0, 'X'); w.num(2);
    const one = recorder();
    runRows(recorder(), one, w.take(), 2, 32);
    expect(one.calls).to.deep.equal([['X', 2]]);
  });

  it('refuses malformed bytes: a repeat without a row before, an incomplete row, an unknown tag', () => {
    const noop = recorder();
    expect(() => runRows(noop, noop, new Uint8Array([5]), 1, 32)).to.throw(RangeError, /without a row before/);
    const w = new ByteWriter();
    w.num(1); w.num(2); w.num(3);
    expect(() => runRows(noop, noop, w.take(), 2, 32)).to.throw(RangeError, /incomplete row/);
    expect(() => runRows(noop, noop, new Uint8Array([9]), 1, 32)).to.throw(RangeError, /bad row value tag/);
    expect(() => runRows(noop, noop, new Uint8Array([1, 0, 0]), 1, 32)).to.throw(RangeError, /past the end/);
  });
});
