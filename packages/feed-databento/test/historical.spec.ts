import { expect } from 'chai';
import { MemoryLogger, isTradingError, type FeedEvent } from '@tradewire/core';
import { DataBentoFeed, HistoricalClient, DbnStream, encodeDbn, RType } from '@tradewire/feed-databento';
import { FakeHistoricalServer } from './fakes/historical-server.js';
import { fixture } from './helpers.js';

const KEY = 'db-unittestapikey1234567890FFFFF';

async function collect(feed: DataBentoFeed): Promise<FeedEvent[]> {
  await feed.start();
  const out: FeedEvent[] = [];
  for await (const ev of feed) out.push(ev);
  return out;
}
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown>; retryAfterMs?: number }> {
  try { await p; } catch (e) {
    expect(isTradingError(e), String(e)).to.equal(true);
    return e as never;
  }
  throw new Error('expected a failure');
}

describe('feed-databento: Historical client against a fake server', function () {
  this.timeout(20_000);
  let server: FakeHistoricalServer;
  let baseUrl: string;
  beforeEach(async () => { server = new FakeHistoricalServer(KEY); baseUrl = await server.listen(); });
  afterEach(async () => { await server.close(); });

  const opts = (): Parameters<typeof DataBentoFeed.fromHistorical>[0] => ({
    apiKey: KEY, baseUrl, dataset: 'GLBX.MDP3', schema: 'ohlcv-1m', symbols: ['ESH1'], start: '2020-12-28T13:00', end: 1609200000000000000n,
  });

  it('success: streams the zstd DBN body into bars; request is form-encoded with Basic auth', async () => {
    server.scenario = { kind: 'ok', body: fixture('test_data.ohlcv-1m.v3.dbn.zst') };
    const evs = await collect(DataBentoFeed.fromHistorical(opts()));
    expect(evs).to.have.length(2);
    expect(evs[0]![1]['ESH1']).to.include({ open: 372025, close: 372100 });
    const r = server.requests[0]!;
    expect(r.auth).to.equal(`Basic ${Buffer.from(`${KEY}:`).toString('base64')}`);
    expect(r.form).to.deep.include({ dataset: 'GLBX.MDP3', schema: 'ohlcv-1m', symbols: 'ESH1', start: '2020-12-28T13:00', end: '1609200000000000000', stype_in: 'raw_symbol', stype_out: 'instrument_id', encoding: 'dbn', compression: 'zstd' });
  });

  it('auth failure → AUTHENTICATION error with status and message, key never included', async () => {
    server.scenario = { kind: 'auth' };
    const feed = DataBentoFeed.fromHistorical({ ...opts(), apiKey: 'db-wrongkeywrongkeywrongkey12345' });
    const e = await failure(collect(feed));
    expect(e.code).to.equal('AUTHENTICATION');
    expect(e.details['status']).to.equal(401);
    expect(e.message).to.contain('401').and.contain('Authorization failed');
    expect(JSON.stringify(e) + e.message + String((e as unknown as Error).stack)).to.not.contain('wrongkey');
  });

  it('structured error bodies are mapped (422 → DataError with case)', async () => {
    server.scenario = { kind: 'error', status: 422, body: JSON.stringify({ detail: { case: 'data_start_before_available_start', message: 'start before available start', status_code: 422, docs: 'https://x' } }) };
    const e = await failure(collect(DataBentoFeed.fromHistorical(opts())));
    expect(e.code).to.equal('DATABENTO_HTTP_422');
    expect(e.details).to.include({ status: 422, case: 'data_start_before_available_start' });
    expect(e.message).to.contain('start before available start');
    server.scenario = { kind: 'error', status: 503, body: 'upstream offline' };
    const e2 = await failure(collect(DataBentoFeed.fromHistorical(opts())));
    expect(e2.code).to.equal('VENUE_UNAVAILABLE');
    expect(e2.message).to.contain('503').and.contain('upstream offline');
  });

  it('429 honours Retry-After then succeeds; gives up with RATE_LIMIT after maxRetries', async () => {
    server.scenario = { kind: 'rate-limit', times: 2, retryAfter: '0.3', then: { kind: 'ok', body: fixture('test_data.ohlcv-1m.v3.dbn.zst') } };
    const logger = new MemoryLogger();
    const t = Date.now();
    const evs = await collect(DataBentoFeed.fromHistorical({ ...opts(), logger }));
    expect(evs).to.have.length(2);
    expect(Date.now() - t).to.be.at.least(550);
    expect(server.requests).to.have.length(3);
    server.scenario = { kind: 'rate-limit', times: 10, retryAfter: '0.05', then: { kind: 'auth' } };
    const e = await failure(collect(DataBentoFeed.fromHistorical({ ...opts(), maxRetries: 1 })));
    expect(e.code).to.equal('RATE_LIMIT');
    expect(e.retryAfterMs).to.equal(50);
    expect(e.details['status']).to.equal(429);
  });

  it('a disconnect mid-stream raises a typed truncation error', async () => {
    const big = fixture('python/LIVE/test_data.live.dbn.zst');
    server.scenario = { kind: 'disconnect', body: big, afterBytes: Math.floor(big.length / 2) };
    const e = await failure(collect(DataBentoFeed.fromHistorical(opts())));
    expect(e.code).to.match(/^(DBN_ZSTD_TRUNCATED|DBN_TRUNCATED_RECORD|NETWORK)$/);
  });

  it('a slow server (tiny chunks with pauses) still decodes every record', async () => {
    const recs = Array.from({ length: 500 }, (_, i) => ({ rtype: RType.OHLCV_1M, instrument_id: 5482, ts_event: 1609160400000000000n + BigInt(i) * 60_000_000_000n, open: 1_000000000n, high: 2_000000000n, low: 1_000000000n, close: 2_000000000n, volume: BigInt(i) }));
    const body = encodeDbn({ dataset: 'GLBX.MDP3', schema: 'ohlcv-1m', start: 1609160400000000000n, stype_in: 'raw_symbol', stype_out: 'instrument_id', symbols: ['ESH1'], mappings: [{ raw_symbol: 'ESH1', intervals: [{ start_date: '2020-12-28', end_date: '2021-01-30', symbol: '5482' }] }] }, recs);
    server.scenario = { kind: 'ok', body, chunkBytes: 997, delayMs: 2 };
    const evs = await collect(DataBentoFeed.fromHistorical(opts()));
    expect(evs).to.have.length(500);
    expect(evs[499]![1]['ESH1']).to.include({ volume: 499 });
  });

  it('a slow reader gets every record (HTTP backpressure, nothing buffered without bound)', async () => {
    const N = 50_000;
    const recs = Array.from({ length: N }, (_, i) => ({ rtype: RType.OHLCV_1M, instrument_id: 5482, ts_event: 1609160400000000000n + BigInt(i) * 60_000_000_000n, open: 1_000000000n, high: 2_000000000n, low: 1_000000000n, close: 2_000000000n, volume: BigInt(i) }));
    const body = encodeDbn({ dataset: 'GLBX.MDP3', schema: 'ohlcv-1m', start: 1609160400000000000n, stype_in: 'raw_symbol', stype_out: 'instrument_id', symbols: ['ESH1'], mappings: [{ raw_symbol: 'ESH1', intervals: [{ start_date: '2020-12-28', end_date: '2030-01-01', symbol: '5482' }] }] }, recs);
    server.scenario = { kind: 'ok', body, chunkBytes: 64 * 1024 };
    const feed = DataBentoFeed.fromHistorical(opts());
    await feed.start();
    let n = 0;
    for await (const ev of feed) {
      expect(ev[1]['ESH1']).to.include({ volume: n });
      n++;
      if (n % 5000 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(n).to.equal(N);
  });

  it('HistoricalClient.getRange returns the raw body stream', async () => {
    server.scenario = { kind: 'ok', body: fixture('test_data.trades.v3.dbn.zst'), chunkBytes: 10 };
    const body = await new HistoricalClient({ apiKey: KEY, baseUrl }).getRange({ dataset: 'GLBX.MDP3', schema: 'trades', start: 1609160400000000000n });
    const s = new DbnStream();
    let n = 0;
    for await (const c of body) s.write(c, () => { n++; });
    s.end();
    expect(n).to.equal(2);
    expect(s.metadata!.schema).to.equal('trades');
  });
});
