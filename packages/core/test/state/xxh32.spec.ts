import { expect } from 'chai';
import { xxh32 } from '../../dist/state/xxh32.js';

/** xxh32 of `b[start, end)` through a DataView of the same memory. */
const hash = (b: Buffer, start = 0, end = b.length): number => xxh32(new DataView(b.buffer, b.byteOffset, b.length), b, start, end);

describe('xxh32 (the journal log frame checksum)', () => {
  // reference values: the published xxHash32 vectors ('', 'a', 'abc') and an independent implementation (npm xxhashjs) for the rest
  const bytes301 = Buffer.alloc(301);
  for (let i = 0; i < bytes301.length; i++) bytes301[i] = (i * 131 + 7) & 255;
  const vectors: [string, Buffer, number][] = [
    ["''", Buffer.alloc(0), 0x02cc5d05],
    ["'a'", Buffer.from('a'), 0x550d7456],
    ["'abc'", Buffer.from('abc'), 0x32d153ff],
    ["'Tradewire journal' (one 16-byte stripe, then a byte)", Buffer.from('Tradewire journal'), 0x39ff4203],
    ['36 ASCII bytes (two stripes, a word)', Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789'), 0x42ae804d],
    ['301 bytes (stripes, words and tail bytes)', bytes301, 0xd7b83809],
  ];
  for (const [name, b, want] of vectors) {
    it(`${name} → ${want.toString(16).padStart(8, '0')}`, () => expect(hash(b)).to.equal(want));
  }

  it('hashes the range given, wherever it sits in the buffer (unaligned starts)', () => {
    for (const pad of [1, 2, 3, 5, 13]) {
      const b = Buffer.alloc(pad + 301 + 7, 0xee);
      bytes301.copy(b, pad);
      expect(hash(b, pad, pad + 301)).to.equal(0xd7b83809);
      expect(hash(b, pad, pad + 3)).to.equal(hash(bytes301, 0, 3));
    }
  });

  it('a single changed bit, a zeroed tail or a cut changes the checksum', () => {
    const base = hash(bytes301);
    for (let i = 0; i < 301; i += 7) {
      const c = Buffer.from(bytes301);
      c[i]! ^= 1 << (i % 8);
      expect(hash(c), `bit flipped at byte ${i}`).to.not.equal(base);
    }
    const zeroed = Buffer.from(bytes301);
    zeroed.fill(0, 256);
    expect(hash(zeroed)).to.not.equal(base);
    expect(hash(bytes301, 0, 300)).to.not.equal(base);
  });
});
