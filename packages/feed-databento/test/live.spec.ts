import { expect } from 'chai';
import { isTradingError, MemoryLogger, type FeedEvent } from '@tradewire/core';
import { DataBentoFeed, cramResponse, encodeDbn, encodeRecord, RType, subscriptionLines, type EncodeRecord } from '@tradewire/feed-databento';
import { FakeLiveGateway, type SessionPlan } from './fakes/live-gateway.js';
import { fixture } from './helpers.js';

const KEY = 'db-unittestapikey1234567890FFFFF';
const T0 = 1_700_000_000_000_000_000n;

function liveStream(startNs: bigint, records: EncodeRecord[]): Uint8Array {
  return encodeDbn({ dataset: 'GLBX.MDP3', schema: null, start: startNs, stype_in: null, stype_out: 'instrument_id', limit: 0n }, records);
}
const mapping = (ts: bigint): EncodeRecord => ({ rtype: RType.SYMBOL_MAPPING, instrument_id: 42, ts_event: ts, stype_in: 1, stype_in_symbol: 'ES.c.0', stype_out: 0, stype_out_symbol: 'ESZ4', start_ts: undefined, end_ts: undefined });
const trade = (ts: bigint, price: number, size = 1): EncodeRecord => ({
  rtype: RType.MBP_0, publisher_id: 1, instrument_id: 42, ts_event: ts, ts_recv: ts, price: BigInt(Math.round(price * 1e9)), size, action: 'T', side: 'B', flags: 128,
});
const heartbeat = encodeRecord({ rtype: RType.SYSTEM, ts_event: T0, msg: 'Heartbeat', code: 0 });

async function take(feed: DataBentoFeed, n: number, onEach?: (i: number) => Promise<void>): Promise<FeedEvent[]> {
  await feed.start();
  const out: FeedEvent[] = [];
  for await (const ev of feed) {
    out.push(ev);
    if (onEach) await onEach(out.length);
    if (out.length >= n) break;
  }
  await feed.stop();
  return out;
}

describe('feed-databento: Live client against a fake gateway', function () {
  this.timeout(20_000);
  let gw: FakeLiveGateway | undefined;
  afterEach(async () => { await gw?.close(); gw = undefined; });
  async function start(plan: (i: number) => SessionPlan): Promise<number> {
    gw = new FakeLiveGateway(KEY, plan);
    return gw.listen();
  }
  const base = (port: number): Parameters<typeof DataBentoFeed.fromLive>[0] => ({
    apiKey: KEY, dataset: 'GLBX.MDP3', schema: 'trades', symbols: ['ESZ4'], host: '127.0.0.1', port, reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
  });

  it('CRAM matches the published test vector', () => {
    expect(cramResponse('abcd1234', KEY)).to.equal('be87ce3d564b64481d4ad1902e2b41b26e3eef62b9de37d87eb4a1d4a5199b6f-FFFFF');
    const many = Array.from({ length: 1201 }, (_, i) => `S${i}`);
    const lines = subscriptionLines({ schema: 'mbo', symbols: many });
    expect(lines).to.have.length(3);
    expect(lines[0]).to.contain('is_last=0');
    expect(lines[2]).to.match(/is_last=1\n$/);
  });

  it('success: handshake, subscription, start_session, symbol mapping names the trades', async () => {
    const port = await start(() => ({ payload: liveStream(T0, [mapping(T0), trade(T0 + 1000n, 4500.25, 3), trade(T0 + 2_000_000n, 4500.5)]), after: 'silent' }));
    const feed = DataBentoFeed.fromLive({ ...base(port), start: T0 - 1_000_000_000n });
    expect(feed.kind).to.equal('push');
    const evs = await take(feed, 2);
    expect(evs[0]![1]).to.deep.equal({ ESZ4: { price: 4500.25, size: 3, side: 'BUY' } });
    expect(evs[0]![2].tsNs).to.equal(T0 + 1000n);
    expect(evs[0]![0]).to.equal(Number((T0 + 1000n) / 1_000_000n));
    expect(evs[1]![1]['ESZ4']).to.include({ price: 4500.5 });
    const s = gw!.sessions[0]!;
    expect(s.authLine).to.deep.include({ auth: cramResponse(s.challenge, KEY), dataset: 'GLBX.MDP3', encoding: 'dbn', compression: 'none', ts_out: '0' });
    expect(s.subscriptions[0]).to.deep.include({ schema: 'trades', stype_in: 'raw_symbol', symbols: 'ESZ4', start: String(T0 - 1_000_000_000n), snapshot: '0', is_last: '1' });
    expect(s.started).to.equal(true);
  });

  it('zstd session (the python LIVE fixture served as-is)', async () => {
    const port = await start(() => ({ payload: fixture('python/LIVE/test_data.live.dbn.zst'), chunkBytes: 50, after: 'silent' }));
    const evs = await take(DataBentoFeed.fromLive({ ...base(port), schema: 'mbp-1', symbols: [], compression: 'zstd' }), 5);
    expect(evs).to.have.length(5);
    for (const e of evs) expect(Object.keys(e[1])).to.deep.equal(['ESZ4']);
    expect(gw!.sessions[0]!.authLine!['compression']).to.equal('zstd');
  });

  it('auth failure → AUTHENTICATION error, not retried, key not leaked', async () => {
    const port = await start(() => ({ authFail: true }));
    let err: unknown;
    try { await take(DataBentoFeed.fromLive(base(port)), 1); } catch (e) { err = e; }
    expect(isTradingError(err)).to.equal(true);
    expect((err as { code: string }).code).to.equal('AUTHENTICATION');
    expect((err as Error).message).to.contain('Authentication failed');
    expect((err as Error).message + JSON.stringify(err)).to.not.contain(KEY);
    await new Promise((r) => setTimeout(r, 150));
    expect(gw!.sessions).to.have.length(1);
  });

  it('disconnect mid-stream → reconnect with backoff, gap reported in context, no replay start resent', async () => {
    const s1 = liveStream(T0, [mapping(T0), trade(T0 + 1_000_000n, 1), trade(T0 + 5_000_000n, 2), trade(T0 + 9_000_000n, 3)]);
    const T1 = T0 + 60_000_000_000n;
    const port = await start((i) => i === 0
      ? { payload: s1.subarray(0, s1.length - 20), chunkBytes: 64, after: 'close' } // cut inside the last record
      : { payload: liveStream(T1, [mapping(T1), trade(T1 + 1_000_000n, 4)]), after: 'silent' });
    const evs = await take(DataBentoFeed.fromLive({ ...base(port), start: T0 }), 3);
    expect(evs.map((e) => (e[1]['ESZ4'] as { price: number }).price)).to.deep.equal([1, 2, 4]);
    expect(evs[0]![2].gap).to.equal(undefined);
    expect(evs[2]![2].gap).to.deep.equal({ from: Number((T0 + 5_000_000n) / 1_000_000n), to: Number(T1 / 1_000_000n), reason: 'disconnect' });
    expect(gw!.sessions).to.have.length(2);
    expect(gw!.sessions[1]!.subscriptions[0]!['start']).to.equal(undefined);
    expect(gw!.sessions[0]!.subscriptions[0]!['start']).to.equal(String(T0));
  });

  it('heartbeat timeout → reconnect; heartbeats keep a quiet session alive', async () => {
    const T1 = T0 + 120_000_000_000n;
    const port = await start((i) => i === 0
      ? { payload: liveStream(T0, [mapping(T0), trade(T0 + 1_000_000n, 1)]), after: 'silent' }
      : { payload: liveStream(T1, [mapping(T1), trade(T1 + 1_000_000n, 2)]), after: 'silent' });
    const evs = await take(DataBentoFeed.fromLive({ ...base(port), heartbeatIntervalS: 0, heartbeatMarginMs: 300 }), 2);
    expect(evs[1]![2].gap).to.include({ reason: 'heartbeat_timeout' });
    await gw!.close();

    const port2 = await start(() => ({ payload: liveStream(T0, [mapping(T0), trade(T0 + 1_000_000n, 1)]), after: 'heartbeat', heartbeatBytes: heartbeat, heartbeatMs: 80 }));
    const feed = DataBentoFeed.fromLive({ ...base(port2), heartbeatIntervalS: 0, heartbeatMarginMs: 300 });
    await feed.start();
    const it = feed[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setTimeout(r, 900));
    expect(gw!.sessions).to.have.length(1);
    await feed.stop();
    await it.return?.();
  });

  it('slow reader: backpressure pauses the socket, nothing is lost or reordered', async () => {
    const N = 20_000;
    const recs: EncodeRecord[] = [mapping(T0), { rtype: RType.SYSTEM, ts_event: T0, msg: 'slow reader: 1000 records behind', code: 2 }];
    for (let i = 0; i < N; i++) recs.push(trade(T0 + BigInt(i) * 1_000_000n, 1 + i / 100));
    const port = await start(() => ({ payload: liveStream(T0, recs), chunkBytes: 64 * 1024, after: 'silent' }));
    const logger = new MemoryLogger();
    const evs = await take(DataBentoFeed.fromLive({ ...base(port), highWaterMark: 500, heartbeatIntervalS: 0, heartbeatMarginMs: 2000, logger }), N, async (i) => {
      if (i % 2000 === 0) await new Promise((r) => setTimeout(r, 30));
    });
    expect(evs).to.have.length(N);
    for (let i = 0; i < N; i++) expect((evs[i]![1]['ESZ4'] as { price: number }).price).to.equal(Math.round((1 + i / 100) * 1e9) / 1e9);
    expect(gw!.sessions).to.have.length(1);
    expect(logger.entries.some((e) => e.level === 'warn' && /slow reader/i.test(e.msg))).to.equal(true);
  });

  it('gateway ErrorMsg with an auth code is fatal; other gateway errors are logged', async () => {
    const port = await start(() => ({ payload: liveStream(T0, [mapping(T0), { rtype: RType.ERROR, ts_event: T0, err: 'symbol resolution failed', code: 4, is_last: 1 }, trade(T0 + 1n, 7), { rtype: RType.ERROR, ts_event: T0, err: 'API key deactivated', code: 2, is_last: 1 }]), after: 'silent' }));
    const logger = new MemoryLogger();
    const feed = DataBentoFeed.fromLive({ ...base(port), logger });
    await feed.start();
    const got: FeedEvent[] = [];
    let err: unknown;
    try { for await (const e of feed) got.push(e); } catch (e) { err = e; }
    expect(got).to.have.length(1);
    expect((err as { code: string }).code).to.equal('AUTHENTICATION');
    expect(logger.entries.some((e) => e.level === 'error' && e.fields['msg'] === 'symbol resolution failed')).to.equal(true);
  });
});
