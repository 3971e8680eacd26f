// The Bloom filter behind the journal's dedup of execution ids and client order ids (seen-ids.ts).
import { expect } from 'chai';
import { BloomFilter } from '../../dist/state/bloom-filter.js';

describe('bloom filter (bloom-filter)', () => {
  const n = 1 << 18;
  const f = new BloomFilter(16 * n); // 16 bits per id, as `SeenIds` sizes it
  for (let i = 0; i < n; i++) f.add(`PX${i}`);

  it('never forgets an id it was given', () => {
    let missed = 0;
    for (let i = 0; i < n; i++) if (!f.mightHave(`PX${i}`)) missed++;
    expect(missed).to.equal(0);
  });

  it('answers "maybe" for few ids it was never given: under 0.3 % at 16 bits per id (ids that differ only in their last characters, as venues number them)', () => {
    let maybe = 0;
    const q = 400_000;
    for (let i = 0; i < q; i++) if (f.mightHave(`QX${i}`)) maybe++;
    expect(maybe / q).to.be.below(0.003); // each is an exact lookup for the caller (≈ 1.2 % with the bits in one word)
    expect(f.bytes).to.equal((16 * n) / 8);
  });
});
