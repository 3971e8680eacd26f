import { expect } from 'chai';
import { isTradingError } from '@tradewire/core';
import {
  DbnStream, decodeDbn, metadataToJson, recordToJson, rtypeName, type DbnRecord,
} from '@tradewire/feed-databento';
import { fixture, loadExpected, type ExpectedEntry } from './helpers.js';

const entries = loadExpected();

function optsFor(e: ExpectedEntry): { fragmentVersion?: number } {
  return e.format.startsWith('dbn fragment') ? { fragmentVersion: e.version! } : {};
}

function decodeChunked(bytes: Uint8Array, chunk: number, opts: { fragmentVersion?: number }): DbnRecord[] {
  const s = new DbnStream(opts);
  const out: DbnRecord[] = [];
  const cb = (v: { toRecord(): DbnRecord }): void => { out.push(v.toRecord()); };
  for (let i = 0; i < bytes.length; i += chunk) s.write(bytes.subarray(i, i + chunk), cb);
  s.end(cb);
  return out;
}

describe('feed-databento: expected.json conformance', () => {
  it('covers all 171 fixtures', () => {
    expect(entries.length).to.equal(171);
  });

  for (const e of entries) {
    if (e.format.startsWith('dbz')) {
      it(`${e.file}: legacy DBZ is rejected with DBN_LEGACY_DBZ`, () => {
        let err: unknown;
        try { decodeDbn(fixture(e.file)); } catch (x) { err = x; }
        expect(isTradingError(err)).to.equal(true);
        expect((err as { code: string }).code).to.equal('DBN_LEGACY_DBZ');
        expect((err as { name: string }).name).to.equal('DbnError');
        expect((err as Error).message).to.match(/DBZ/);
      });
      continue;
    }
    it(`${e.file}: metadata, count and records match`, () => {
      const bytes = fixture(e.file);
      const { metadata, records } = decodeDbn(bytes, optsFor(e));
      if (e.metadata) {
        expect(metadata, 'metadata').to.not.equal(undefined);
        expect(metadataToJson(metadata!)).to.deep.equal(e.metadata);
      } else {
        expect(metadata).to.equal(undefined);
      }
      expect(records.length, 'record count').to.equal(e.record_count);
      const want = e.records ?? [];
      for (let i = 0; i < want.length; i++) {
        expect(recordToJson(records[i]!), `record ${i}`).to.deep.equal(want[i]);
      }
      if (e.record_count_by_rtype) {
        const counts: Record<string, number> = {};
        for (const r of records) counts[rtypeName(r.rtype)] = (counts[rtypeName(r.rtype)] ?? 0) + 1;
        expect(counts).to.deep.equal(e.record_count_by_rtype);
      }
      if (e.first_of_each_rtype) {
        for (const [name, rec] of Object.entries(e.first_of_each_rtype)) {
          const got = records.find((r) => rtypeName(r.rtype) === name);
          expect(got, name).to.not.equal(undefined);
          expect(recordToJson(got!), name).to.deep.equal(rec);
        }
      }
    });
    it(`${e.file}: identical result when fed in 1-, 7- and 4096-byte chunks`, () => {
      const bytes = fixture(e.file);
      const whole = decodeDbn(bytes, optsFor(e)).records.map(recordToJson);
      for (const c of [1, 7, 4096]) expect(decodeChunked(bytes, c, optsFor(e)).map(recordToJson)).to.deep.equal(whole);
    });
  }
});
