import { expect } from 'chai';
import { CountingId, SessionClientOrderIdGenerator } from '@tradewire/core';

describe('CountingId', () => {
  const concat = (prefix: string, n: number, width: number): string => prefix + n.toString(36).padStart(width, '0');

  it('counts exactly like prefix + n.toString(36) (padded), through every carry and digit-count change', () => {
    for (const width of [1, 4]) {
      const ids = new CountingId('twAb3', width);
      for (let n = 1; n <= 50_000; n++) expect(ids.next()).to.equal(concat('twAb3', n, width));
      // around the places where a carry runs through every digit
      for (const start of [36 ** 2 - 3, 36 ** 4 - 3, 36 ** 5 - 3, 36 ** 9 - 3, Number.MAX_SAFE_INTEGER - 5]) {
        ids.set(start);
        for (let n = start + 1; n <= Math.min(start + 6, Number.MAX_SAFE_INTEGER); n++) expect(ids.next()).to.equal(concat('twAb3', n, width));
      }
    }
  });

  it('set() jumps (down as well as up); bad widths, counters and prefixes are refused', () => {
    const ids = new CountingId('p', 1);
    ids.set(1_000_000);
    expect(ids.next()).to.equal(`p${(1_000_001).toString(36)}`);
    ids.set(0);
    expect(ids.next()).to.equal('p1');
    expect(() => ids.set(-1)).to.throw(RangeError, /non-negative/);
    expect(() => ids.set(1.5)).to.throw(RangeError);
    expect(() => new CountingId('p', 0)).to.throw(RangeError, /width/);
    expect(() => new CountingId('é')).to.throw(RangeError, /ASCII/);
  });

  it('the session generator keeps its format: tw + run id + base-36 counter padded to 4', () => {
    const g = new SessionClientOrderIdGenerator('run1');
    expect([g.next(), g.next()]).to.deep.equal(['twrun10001', 'twrun10002']);
    for (let i = 3; i <= 36 ** 4; i++) g.next();
    expect(g.next()).to.equal(`twrun1${(36 ** 4 + 1).toString(36)}`);
  });
});
