// The shared buffers the journal's batches are posted in (read in place by the writer thread).
import { expect } from 'chai';
import { BatchBuffers } from '../../dist/state/batch-buffers.js';
import { ByteReader, ByteWriter } from '../../dist/state/byte-writer.js';

/** A writer holding `n` values `base`, `base + 1`, … */
const rows = (n: number, base: number): ByteWriter => { const w = new ByteWriter(); for (let i = 0; i < n; i++) w.num(base + i); return w; };
const values = (b: Uint8Array): unknown[] => { const r = new ByteReader(b); const out: unknown[] = []; while (r.pos < b.length) out.push(r.value()); return out; };

describe('batch buffers (batch-buffers)', () => {
  it('hands out exactly the bytes written, in shared memory, and the writer starts over', () => {
    const pool = new BatchBuffers();
    const w = rows(3, 10);
    const b = pool.take(w, 1);
    expect(b.buffer).to.be.instanceOf(SharedArrayBuffer);
    expect(values(b)).to.deep.equal([10, 11, 12]);
    expect(w.size).to.equal(0);
    expect(pool.take(w, 1).length).to.equal(0); // nothing written since: an empty view
  });

  it('never hands out a buffer a posted batch still uses; reuses it once that batch is committed', () => {
    const pool = new BatchBuffers();
    const first = pool.take(rows(5, 100), 1);
    const second = pool.take(rows(5, 200), 2);
    expect(second.buffer).to.not.equal(first.buffer);
    pool.committed(1);
    const third = pool.take(rows(5, 300), 3);
    expect(third.buffer).to.equal(first.buffer); // batch 1 is committed: its memory is written again
    expect(values(second)).to.deep.equal([200, 201, 202, 203, 204]); // batch 2, not committed, untouched
    expect(pool.inUse).to.equal(2);
    pool.committed(3);
    expect(pool.inUse).to.equal(0);
  });

  it('a batch larger than every spare buffer gets a new one large enough', () => {
    const pool = new BatchBuffers();
    pool.take(rows(4, 0), 1);
    pool.committed(1);
    const big = pool.take(rows(20_000, 0), 2); // 180 kB
    expect(big.length).to.equal(20_000 * 9);
    expect(values(big).slice(-2)).to.deep.equal([19_998, 19_999]);
  });
});
