import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterRegistry, BarAggregator, isBar, isQuote, isTrade, type FeedEvent, type Bar } from '@tradewire/core';
import {
  DataBentoFeed, decodeDbn, decodeDbnFile, readDbnFile, dumpDbn, encodeDbn, inspectDbn, pxToNumber, recordToJson, RType, databentoFeed, nsToIso,
  type EncodeMetadata, type EncodeRecord, type OhlcvMsg, type TradeMsg,
} from '@tradewire/feed-databento';
import { fixture, fixturePath, loadExpected } from './helpers.js';

async function collect(feed: DataBentoFeed): Promise<FeedEvent[]> {
  await feed.start();
  const out: FeedEvent[] = [];
  for await (const ev of feed) out.push(ev);
  await feed.stop();
  return out;
}

const tmp = mkdtempSync(join(tmpdir(), 'tw-dbn-'));
function writeTmp(name: string, bytes: Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

const MD: EncodeMetadata = {
  dataset: 'GLBX.MDP3', schema: 'ohlcv-1s', start: 1609160400000000000n, end: 1609200000000000000n, stype_in: 'raw_symbol', stype_out: 'instrument_id',
  symbols: ['ESH1', 'NQH1'],
  mappings: [
    { raw_symbol: 'ESH1', intervals: [{ start_date: '2020-12-28', end_date: '2020-12-29', symbol: '5482' }] },
    { raw_symbol: 'NQH1', intervals: [{ start_date: '2020-12-28', end_date: '2020-12-29', symbol: '7000' }] },
  ],
};

/** deterministic pseudo-random 1s bars for two instruments over ~5 minutes */
function secondBars(): EncodeRecord[] {
  const out: EncodeRecord[] = [];
  let seed = 12345;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (let s = 0; s < 300; s += 1 + Math.floor(rnd() * 3)) {
    for (const [id, base] of [[5482, 3700], [7000, 12800]] as const) {
      if (rnd() < 0.2) continue;
      const o = base + Math.round(rnd() * 40) / 4;
      const c = base + Math.round(rnd() * 40) / 4;
      const h = Math.max(o, c) + 0.25, l = Math.min(o, c) - 0.25;
      const px = (x: number): bigint => BigInt(Math.round(x * 4)) * 250_000_000n;
      out.push({ rtype: RType.OHLCV_1S, publisher_id: 1, instrument_id: id, ts_event: 1609160400000000000n + BigInt(s) * 1_000_000_000n, open: px(o), high: px(h), low: px(l), close: px(c), volume: BigInt(1 + Math.floor(rnd() * 20)) });
    }
  }
  return out;
}

describe('feed-databento: DataBentoFeed.fromFile', () => {
  it('decodeDbnFile / readDbnFile stream a file', async () => {
    const { metadata, records } = await decodeDbnFile(fixturePath('test_data.definition.v3.dbn.zst'));
    expect(metadata!.schema).to.equal('definition');
    expect(records).to.have.length(2);
    let n = 0;
    for await (const r of readDbnFile(fixturePath('test_data.mbo.v1.dbn'))) { expect(r.rtype).to.equal(0xa0); n++; }
    expect(n).to.equal(2);
  });

  it('OHLCV-1m fixture → bars named from the metadata mappings, ns timestamp in context', async () => {
    const feed = DataBentoFeed.fromFile(fixturePath('test_data.ohlcv-1m.v3.dbn.zst'));
    expect(feed.kind).to.equal('pull');
    expect(feed.name).to.equal('databento');
    const evs = await collect(feed);
    expect(evs).to.have.length(2);
    const [ts, data, ctx] = evs[0]!;
    expect(ts).to.equal(1609160400000);
    expect(data['ESH1']).to.deep.equal({ open: 372025, high: 372150, low: 372025, close: 372100, volume: 353 });
    expect(ctx.tsNs).to.equal(1609160400000000000n);
    expect(ctx.source).to.be.a('string');
    expect(ctx.periodMs).to.equal(60_000);
    expect(evs[1]![1]['ESH1']).to.deep.equal({ open: 372100, high: 372150, low: 372100, close: 372150, volume: 152 });
  });

  it('symbols filter, and the sync iterator yields the same events', async () => {
    expect(await collect(DataBentoFeed.fromFile(fixturePath('test_data.ohlcv-1m.v3.dbn.zst'), { symbols: ['NQH1'] }))).to.have.length(0);
    const f = DataBentoFeed.fromFile(fixturePath('test_data.mbp-1.v2.dbn.zst'));
    const it = f.syncIterator()!;
    const sync: FeedEvent[] = [];
    for (let r = it.next(); !r.done; r = it.next()) sync.push(r.value);
    expect(sync).to.deep.equal(await collect(DataBentoFeed.fromFile(fixturePath('test_data.mbp-1.v2.dbn.zst'))));
    expect(DataBentoFeed.fromFile(fixturePath('test_data.mbp-1.v2.dbn.zst'), { replaySpeed: 2 }).syncIterator()).to.equal(undefined);
  });

  it('maps trades → Trade, MBP-1 → Quote, TBBO → Trade with the book in context, MBO → fills only', async () => {
    const t = await collect(DataBentoFeed.fromFile(fixturePath('test_data.trades.v3.dbn.zst')));
    const rec = decodeDbn(fixture('test_data.trades.v3.dbn.zst')).records[0] as unknown as TradeMsg;
    expect(t).to.have.length(2);
    expect(isTrade(t[0]![1]['ESH1'])).to.equal(true);
    expect(t[0]![1]['ESH1']).to.include({ price: pxToNumber(rec.price), size: rec.size });
    expect(t[0]![2].tsNs).to.equal(rec.ts_recv);
    const q = await collect(DataBentoFeed.fromFile(fixturePath('test_data.mbp-1.v3.dbn.zst')));
    expect(isQuote(q[0]![1]['ESH1'])).to.equal(true);
    const tb = await collect(DataBentoFeed.fromFile(fixturePath('test_data.tbbo.v3.dbn.zst')));
    expect(isTrade(tb[0]![1]['ESH1'])).to.equal(true);
    expect(tb[0]![2].bid).to.be.a('number');
    const mbo = await collect(DataBentoFeed.fromFile(fixturePath('python/GLBX.MDP3/test_data.mbo.dbn.zst')));
    for (const e of mbo) expect(isTrade(Object.values(e[1])[0])).to.equal(true);
  });

  it('live-style stream: symbol-mapping records name the instruments', async () => {
    const evs = await collect(DataBentoFeed.fromFile(fixturePath('python/LIVE/test_data.live.dbn.zst')));
    expect(evs.length).to.be.greaterThan(0);
    for (const e of evs) expect(Object.keys(e[1])).to.deep.equal(['ESZ4']);
  });

  it('bars of several instruments with the same timestamp are merged into one event', async () => {
    const p = writeTmp('two.dbn', encodeDbn(MD, secondBars()));
    const evs = await collect(DataBentoFeed.fromFile(p));
    expect(evs.some((e) => Object.keys(e[1]).length === 2)).to.equal(true);
    for (let i = 1; i < evs.length; i++) expect(evs[i]![0]).to.be.greaterThan(evs[i - 1]![0]);
  });

  it('replaySpeed paces events (0 = no waiting)', async function () {
    this.timeout(10_000);
    const recs = [0, 1, 2].map((i) => ({ rtype: RType.OHLCV_1M, instrument_id: 5482, ts_event: 1609160400000000000n + BigInt(i) * 60_000_000_000n, open: 1_000000000n, high: 1_000000000n, low: 1_000000000n, close: 1_000000000n, volume: 1n }));
    const p = writeTmp('paced.dbn', encodeDbn({ ...MD, schema: 'ohlcv-1m' }, recs));
    let t = Date.now();
    expect(await collect(DataBentoFeed.fromFile(p, { replaySpeed: 600 }))).to.have.length(3); // 60 s / 600 = 100 ms per step
    expect(Date.now() - t).to.be.within(180, 2000);
    t = Date.now();
    await collect(DataBentoFeed.fromFile(p, { replaySpeed: 0 }));
    expect(Date.now() - t).to.be.below(150);
  });

  it('stop() ends a paced wait over a gap at once (a weekend at replaySpeed 1)', async function () {
    this.timeout(10_000); // without the abort it would wait the 49 hours
    const recs = [0n, 49n * 3_600n].map((s) => ({ rtype: RType.OHLCV_1M, instrument_id: 5482, ts_event: 1609160400000000000n + s * 1_000_000_000n, open: 1_000000000n, high: 1_000000000n, low: 1_000000000n, close: 1_000000000n, volume: 1n }));
    const feed = DataBentoFeed.fromFile(writeTmp('gap.dbn', encodeDbn({ ...MD, schema: 'ohlcv-1m' }, recs)), { replaySpeed: 1 });
    await feed.start();
    const it = feed[Symbol.asyncIterator]();
    expect((await it.next()).done).to.equal(false);
    const second = it.next();
    const t0 = Date.now();
    setTimeout(() => { void feed.stop(); }, 50);
    expect((await second).done).to.equal(true);
    expect(Date.now() - t0).to.be.below(2_000);
  });

  it('with BarAggregator produces the same 1-minute bars as aggregating the decoded file directly', async () => {
    const p = writeTmp('agg.dbn', encodeDbn(MD, secondBars()));
    // via the feed
    const agg = new BarAggregator({ periodMs: 60_000 });
    const viaFeed: FeedEvent[] = [];
    for await (const ev of DataBentoFeed.fromFile(p)) viaFeed.push(...agg.push(ev[0], ev[1], ev[2]));
    viaFeed.push(...agg.flushAll());
    // directly from the decoded records
    const names: Record<number, string> = { 5482: 'ESH1', 7000: 'NQH1' };
    const direct = new Map<string, Bar>();
    for (const r of decodeDbn(new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(p)))).records as unknown as OhlcvMsg[]) {
      const ms = Number(r.ts_event! / 1_000_000n);
      const key = `${Math.floor(ms / 60_000) * 60_000}|${names[r.instrument_id]}`;
      const b = direct.get(key);
      const o = pxToNumber(r.open)!, h = pxToNumber(r.high)!, l = pxToNumber(r.low)!, c = pxToNumber(r.close)!, v = Number(r.volume);
      if (!b) direct.set(key, { open: o, high: h, low: l, close: c, volume: v });
      else { b.high = Math.max(b.high, h); b.low = Math.min(b.low, l); b.close = c; b.volume += v; }
    }
    const fromFeed = new Map<string, Bar>();
    for (const [ts, data] of viaFeed) for (const [sym, bar] of Object.entries(data)) { expect(isBar(bar)).to.equal(true); fromFeed.set(`${ts}|${sym}`, bar as Bar); }
    expect(fromFeed.size).to.equal(direct.size);
    expect(fromFeed.size).to.be.greaterThan(8);
    for (const [k, b] of direct) expect(fromFeed.get(k), k).to.deep.equal(b);
  });

  it('is registered as feed `databento` with a config selecting file/historical/live', async () => {
    const reg = new AdapterRegistry().register(databentoFeed);
    const feed = await reg.create('feed', 'databento', { source: 'file', path: fixturePath('test_data.ohlcv-1h.v3.dbn.zst') });
    expect(feed.kind).to.equal('pull');
    const evs: FeedEvent[] = [];
    await feed.start();
    for await (const e of feed) evs.push(e);
    expect(evs).to.have.length(2);
    const viaPath = await reg.create('feed', 'databento', { path: fixturePath('test_data.ohlcv-1h.v3.dbn.zst'), replaySpeed: 0 });
    expect(viaPath.kind).to.equal('pull');
    const viaMode = await reg.create('feed', 'databento', { mode: 'file', path: fixturePath('test_data.ohlcv-1h.v3.dbn.zst') });
    expect(viaMode.kind).to.equal('pull');
    let err: unknown;
    try { await reg.create('feed', 'databento', { source: 'file', path: '/nonexistent/x.dbn' }); } catch (e) { err = e; }
    expect((err as { code: string; message: string }).message).to.contain('not found');
    err = undefined;
    try { await reg.create('feed', 'databento', { source: 'ftp', path: 'x' }); } catch (e) { err = e; }
    expect((err as { code: string }).code).to.match(/CONFIG/);
    err = undefined;
    const saved = process.env['DATABENTO_API_KEY'];
    delete process.env['DATABENTO_API_KEY'];
    try { await reg.create('feed', 'databento', { source: 'historical', dataset: 'GLBX.MDP3', schema: 'trades', start: '2020-12-28' }); } catch (e) { err = e; }
    if (saved !== undefined) process.env['DATABENTO_API_KEY'] = saved;
    expect((err as { code: string }).code).to.equal('CONFIG_INVALID');
  });
});

describe('feed-databento: inspectDbn / dumpDbn', () => {
  it('inspect returns exactly the documented shape', async () => {
    const r = await inspectDbn(fixturePath('test_data.ohlcv-1m.v3.dbn.zst'));
    expect(r).to.deep.equal({
      version: 3, dataset: 'GLBX.MDP3', schema: 'ohlcv-1m', start: '2020-12-28T13:00:00.000000000Z', end: '2020-12-29T00:00:00.000000000Z',
      symbols: ['ESH1'], recordCount: 2, countsByRtype: { 'ohlcv-1m': 2 },
    });
    const live = await inspectDbn(fixturePath('python/LIVE/test_data.live.dbn.zst'));
    expect(live.schema).to.equal(null);
    expect(live.end).to.equal(null);
    expect(live.recordCount).to.equal(46);
    expect(live.countsByRtype['symbol-mapping']).to.equal(20);
    const frag = await inspectDbn(fixturePath('multi-frame.definition.v1.dbn.frag.zst'), { fragmentVersion: 1 });
    expect(frag).to.include({ version: 1, dataset: null, recordCount: 8 });
    expect(nsToIso(1609160400000000001n)).to.equal('2020-12-28T13:00:00.000000001Z');
  });

  it('dump writes expected.json-shaped JSON lines for every fixture, honouring limit', async () => {
    for (const e of loadExpected()) {
      if (e.format.startsWith('dbz')) continue;
      const lines: string[] = [];
      const opts = e.format.startsWith('dbn fragment') ? { fragmentVersion: e.version! } : {};
      const n = await dumpDbn(fixturePath(e.file), opts, (l) => lines.push(l));
      expect(n, e.file).to.equal(e.record_count);
      const want = e.records ?? [];
      for (let i = 0; i < want.length; i++) expect(JSON.parse(lines[i]!), e.file).to.deep.equal(want[i]);
    }
    const lines: string[] = [];
    expect(await dumpDbn(fixturePath('python/LIVE/test_data.live.dbn.zst'), { limit: 3 }, (l) => lines.push(l))).to.equal(3);
    expect(lines).to.have.length(3);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first['ts_event']).to.be.a('string');
    expect(recordToJson(decodeDbn(fixture('python/LIVE/test_data.live.dbn.zst')).records[0]!)).to.deep.equal(first);
  });
});
