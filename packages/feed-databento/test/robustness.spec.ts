import { expect } from 'chai';
import { isTradingError } from '@tradewire/core';
import {
  DbnStream, decodeDbn, encodeDbn, encodeMetadata, encodeRecord, recordToJson, pxToNumber, RType, UNDEF_PRICE,
  type EncodeMetadata, type DbnRecord,
} from '@tradewire/feed-databento';
import { decompress } from 'fzstd';
import { fixture } from './helpers.js';

const MD: EncodeMetadata = {
  dataset: 'GLBX.MDP3', schema: 'ohlcv-1m', start: 1609160400000000000n, end: 1609200000000000000n, limit: 0n,
  stype_in: 'raw_symbol', stype_out: 'instrument_id', symbols: ['ESH1'],
  mappings: [{ raw_symbol: 'ESH1', intervals: [{ start_date: '2020-12-28', end_date: '2020-12-29', symbol: '5482' }] }],
};
const bar = (i: number): { rtype: number; [k: string]: unknown } => ({
  rtype: RType.OHLCV_1M, publisher_id: 1, instrument_id: 5482, ts_event: 1609160400000000000n + BigInt(i) * 60_000_000_000n,
  open: 3720_000000000n, high: 3725_000000000n, low: 3719_000000000n, close: 3722_250000000n, volume: 10n + BigInt(i),
});

function catchErr(fn: () => unknown): { code: string; offset: number; name: string; message: string } {
  try { fn(); } catch (e) {
    expect(isTradingError(e), String(e)).to.equal(true);
    const d = (e as { details: { offset: number } }).details;
    expect(d.offset).to.be.a('number');
    return { code: (e as { code: string }).code, offset: d.offset, name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('expected an error');
}

describe('feed-databento: malformed input', () => {
  const good = encodeDbn(MD, [bar(0), bar(1), bar(2)]);
  const recStart = good.length - 3 * 56;

  it('encoder output decodes back (v3, metadata padded to 8)', () => {
    expect(recStart % 8).to.equal(0);
    const { metadata, records } = decodeDbn(good);
    expect(metadata!.version).to.equal(3);
    expect(metadata!.records_start_offset).to.equal(recStart);
    expect(records).to.have.length(3);
    expect((records[2] as unknown as { close: bigint }).close).to.equal(3722_250000000n);
  });

  it('record length 0 → DBN_BAD_RECORD_LENGTH at the record offset', () => {
    const b = good.slice(); b[recStart + 56] = 0;
    const e = catchErr(() => decodeDbn(b));
    expect(e.code).to.equal('DBN_BAD_RECORD_LENGTH');
    expect(e.name).to.equal('DbnError');
    expect(e.offset).to.equal(recStart + 56);
  });

  it('length past the end of the input → DBN_TRUNCATED_RECORD', () => {
    const b = good.slice(); b[recStart + 112] = 200; b[recStart + 113] = 0xff; // unknown rtype, so mismatch check does not fire first
    const e = catchErr(() => decodeDbn(b, { unknownRtype: 'skip' }));
    expect(e.code).to.equal('DBN_TRUNCATED_RECORD');
    expect(e.offset).to.equal(recStart + 112);
  });

  it('length not matching the struct → DBN_RECORD_LENGTH_MISMATCH', () => {
    const b = good.slice(); b[recStart] = 20;
    const e = catchErr(() => decodeDbn(b));
    expect(e.code).to.equal('DBN_RECORD_LENGTH_MISMATCH');
    expect(e.offset).to.equal(recStart);
  });

  it('unknown rtype → DBN_UNKNOWN_RTYPE (or skipped on request)', () => {
    const b = good.slice(); b[recStart + 57] = 0x99;
    const e = catchErr(() => decodeDbn(b));
    expect(e.code).to.equal('DBN_UNKNOWN_RTYPE');
    expect(e.offset).to.equal(recStart + 57);
    expect(decodeDbn(b, { unknownRtype: 'skip' }).records).to.have.length(2);
  });

  it('truncated record → DBN_TRUNCATED_RECORD at the record start', () => {
    const e = catchErr(() => decodeDbn(good.subarray(0, good.length - 10)));
    expect(e.code).to.equal('DBN_TRUNCATED_RECORD');
    expect(e.offset).to.equal(recStart + 112);
  });

  it('truncated metadata / empty input → DBN_TRUNCATED_METADATA', () => {
    expect(catchErr(() => decodeDbn(good.subarray(0, 50))).code).to.equal('DBN_TRUNCATED_METADATA');
    expect(catchErr(() => decodeDbn(new Uint8Array(0))).code).to.equal('DBN_TRUNCATED_METADATA');
  });

  it('unsupported versions (0, 4, 255) → DBN_UNSUPPORTED_VERSION', () => {
    for (const v of [0, 4, 255]) {
      const b = good.slice(); b[3] = v;
      const e = catchErr(() => decodeDbn(b));
      expect(e.code).to.equal('DBN_UNSUPPORTED_VERSION');
      expect(e.offset).to.equal(3);
    }
    expect(catchErr(() => new DbnStream({ fragmentVersion: 4 })).code).to.equal('DBN_UNSUPPORTED_VERSION');
  });

  it('bad magic → DBN_BAD_MAGIC; metadata counts past the end → DBN_BAD_METADATA', () => {
    expect(catchErr(() => decodeDbn(new TextEncoder().encode('hello world, not DBN at all'))).code).to.equal('DBN_BAD_MAGIC');
    const b = good.slice();
    new DataView(b.buffer).setUint32(112, 0xffffffff, true); // symbols count
    expect(catchErr(() => decodeDbn(b)).code).to.equal('DBN_BAD_METADATA');
    const c = good.slice();
    new DataView(c.buffer).setUint32(4, 10, true);
    expect(catchErr(() => decodeDbn(c)).code).to.equal('DBN_BAD_METADATA');
  });

  it('truncated zstd → DBN_ZSTD_TRUNCATED; corrupt zstd → DBN_ZSTD_INVALID', () => {
    const z = fixture('test_data.mbo.v3.dbn.zst');
    for (const cut of [5, 20, z.length - 1, z.length - 4]) {
      const e = catchErr(() => decodeDbn(z.subarray(0, cut)));
      expect(e.code, `cut ${cut}`).to.match(/^DBN_(ZSTD_TRUNCATED|TRUNCATED_RECORD|TRUNCATED_METADATA)$/);
    }
    expect(catchErr(() => decodeDbn(z.subarray(0, z.length - 1))).code).to.equal('DBN_ZSTD_TRUNCATED');
    const m = fixture('multi-frame.definition.v1.dbn.frag.zst');
    expect(catchErr(() => decodeDbn(m.subarray(0, m.length - 3), { fragmentVersion: 1 })).code).to.equal('DBN_ZSTD_TRUNCATED');
    const bad = z.slice(); for (let i = 4; i < bad.length; i++) bad[i] = 0xff;
    expect(catchErr(() => decodeDbn(bad)).code).to.match(/^DBN_ZSTD_(INVALID|TRUNCATED)$/);
  });

  it('multi-frame zstd fragments decode across frames, fed in any chunking', () => {
    const m = fixture('multi-frame.definition.v1.dbn.frag.zst');
    expect(decodeDbn(m, { fragmentVersion: 1 }).records).to.have.length(8);
    const s = new DbnStream({ fragmentVersion: 1 });
    let n = 0;
    for (let i = 0; i < m.length; i += 3) s.write(m.subarray(i, i + 3), () => { n++; });
    s.end();
    expect(n).to.equal(8);
  });
});

describe('feed-databento: codec details', () => {
  it('UNDEF_PRICE / UNDEF_TIMESTAMP decode as undefined, and back as the sentinel', () => {
    const b = encodeDbn(MD, [{ ...bar(0), open: undefined, ts_event: undefined }]);
    const r = decodeDbn(b).records[0] as unknown as { open: bigint | undefined; ts_event: bigint | undefined; close: bigint };
    expect(r.open).to.equal(undefined);
    expect(r.ts_event).to.equal(undefined);
    expect(pxToNumber(r.close)).to.equal(3722.25);
    expect(pxToNumber(UNDEF_PRICE)).to.equal(undefined);
    const j = recordToJson(r as unknown as DbnRecord);
    expect(j['open']).to.equal('9223372036854775807');
    expect(j['ts_event']).to.equal('18446744073709551615');
  });

  it('ts_out records carry the trailing timestamp', () => {
    const b = encodeDbn({ ...MD, ts_out: true }, [{ ...bar(0), ts_out: 1609160400000000123n }]);
    const { metadata, records } = decodeDbn(b);
    expect(metadata!.ts_out).to.equal(true);
    expect(records[0]!.length).to.equal(16);
    expect(records[0]!.ts_out).to.equal(1609160400000000123n);
    expect(recordToJson(records[0]!)['ts_out']).to.equal('1609160400000000123');
  });

  it('error / system / symbol-mapping records in v1, v2 and v3 layouts', () => {
    for (const version of [1, 2, 3]) {
      const recs = [
        { rtype: RType.ERROR, ts_event: 1n, err: 'Authentication failed.', code: 1, is_last: 1 },
        { rtype: RType.SYSTEM, ts_event: 2n, msg: 'Heartbeat', code: 0 },
        { rtype: RType.SYMBOL_MAPPING, instrument_id: 42, ts_event: 3n, stype_in: 1, stype_in_symbol: 'ES.FUT', stype_out: 0, stype_out_symbol: 'ESZ4', start_ts: 10n, end_ts: undefined },
      ];
      const b = encodeDbn({ ...MD, schema: null, stype_in: null, symbols: [], mappings: [] }, recs, { version });
      const { metadata, records } = decodeDbn(b);
      expect(metadata!.version).to.equal(version);
      expect(metadata!.schema).to.equal(null);
      expect(records.map((r) => r.length * 4)).to.deep.equal(version === 1 ? [80, 80, 80] : [320, 320, 176]);
      const [e, s, m] = records.map(recordToJson);
      expect(e!['err']).to.equal('Authentication failed.');
      expect(s!['msg']).to.equal('Heartbeat');
      expect(m!['stype_out_symbol']).to.equal('ESZ4');
      expect(m!['end_ts']).to.equal('18446744073709551615');
      if (version > 1) { expect(e!['code']).to.equal(1); expect(m!['stype_in']).to.equal(1); }
      expect(e!['struct']).to.equal(version === 1 ? 'ErrorMsgV1' : 'ErrorMsg');
    }
  });

  it('every fixture record re-encodes to identical bytes (v3 fixtures)', () => {
    for (const f of ['test_data.mbo.v3.dbn.zst', 'test_data.mbp-10.v3.dbn.zst', 'test_data.definition.v3.dbn.zst', 'test_data.statistics.v3.dbn.zst',
      'test_data.imbalance.v3.dbn.zst', 'test_data.status.v3.dbn.zst', 'test_data.cbbo-1s.v3.dbn.zst', 'test_data.cmbp-1.v3.dbn.zst',
      'test_data.bbo-1m.v3.dbn.zst', 'python/LIVE/test_data.live.dbn.zst']) {
      const raw = decompress(fixture(f));
      const { metadata, records } = decodeDbn(raw);
      const re = encodeDbn(metadata!, records);
      // records are byte-identical; metadata identical apart from reserved bytes
      expect(Buffer.from(re.subarray(metadata!.records_start_offset)).equals(Buffer.from(raw.subarray(metadata!.records_start_offset))), f).to.equal(true);
      expect(encodeMetadata(metadata!).length).to.equal(metadata!.records_start_offset);
    }
  });

  it('single-record encode is accepted as a v3 fragment', () => {
    const r = encodeRecord(bar(5));
    const { records } = decodeDbn(r, { fragmentVersion: 3 });
    expect(records[0]!.instrument_id).to.equal(5482);
  });
});
