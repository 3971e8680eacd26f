import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggregatedFeed, BarAggregator, CsvFeed, parseTimestamp, ReplayFeed, type Bar, type FeedEvent } from '@tradewire/core';
import { fixtures } from './helpers.js';

async function collect(feed: AsyncIterable<FeedEvent> & { start(): Promise<void> }): Promise<FeedEvent[]> {
  await feed.start();
  const out: FeedEvent[] = [];
  for await (const e of feed) out.push(e);
  return out;
}

describe('CsvFeed on the real fixture files', () => {
  it('reads the gzip CME 6E minute bars (29,996 rows) with exact first/last values', async () => {
    const feed = new CsvFeed({ path: fixtures('market', '6EH4.XCME_1min_bars_20240101_20240131.csv.gz'), symbol: '6EH4' });
    const ev = await collect(feed);
    expect(ev).to.have.length(29_996);
    expect(ev[0]![0]).to.equal(Date.UTC(2024, 0, 1, 23, 1));
    expect(ev[0]![1]['6EH4']).to.deep.equal({ open: 1.1076, high: 1.10785, low: 1.1076, close: 1.1078, volume: 205 });
    expect(ev[0]![2].periodMs ?? ev[1]![2].periodMs).to.equal(60_000);
    for (let i = 1; i < ev.length; i++) if (ev[i]![0] < ev[i - 1]![0]) expect.fail(`row ${i} goes back in time`);
  });

  it('reads the plain BTC perp file with fractional-second timestamps and fractional volume', async () => {
    const ev = await collect(new CsvFeed({ path: fixtures('market', 'btc-perp-20211231-20220201_1m.csv'), symbol: 'BTC' }));
    expect(ev).to.have.length(45_031);
    expect(ev[0]![0]).to.equal(Date.UTC(2021, 11, 31, 23, 1));
    expect((ev[0]![1]['BTC'] as Bar).volume).to.equal(2300413.7295);
    expect((ev[0]![1]['BTC'] as Bar).close).to.equal(46377);
  });

  it('names the line of a bad row, or skips and counts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-csv-'));
    const f = join(dir, 'x.csv');
    writeFileSync(f, 'time,open,high,low,close,volume\n2024-01-01T00:00:00Z,1,2,1,1.5,10\n2024-01-01T00:01:00Z,1,abc,1,1.5,10\n2024-01-01T00:02:00Z,1,2,1,1.5,10\n');
    try { await collect(new CsvFeed({ path: f })); expect.fail(); } catch (e) { expect((e as Error).message).to.contain('x.csv:3').and.contain('high'); }
    const skip = new CsvFeed({ path: f, onBadRow: 'skip' });
    expect(await collect(skip)).to.have.length(2);
    expect(skip.badRows).to.equal(1);
  });

  it('parses timestamp formats', () => {
    expect(parseTimestamp('2024-01-01 23:01:00')).to.equal(Date.UTC(2024, 0, 1, 23, 1));
    expect(parseTimestamp('2024-01-01T23:01:00+01:00')).to.equal(Date.UTC(2024, 0, 1, 22, 1));
    expect(parseTimestamp('1704150060')).to.equal(1704150060_000);
    expect(parseTimestamp('1704150060000', 'unix-ms')).to.equal(1704150060_000);
    expect(parseTimestamp('1704150060000000000')).to.equal(1704150060_000);
  });
});

describe('ReplayFeed validation', () => {
  const bar = (close: number): { open: number; high: number; low: number; close: number; volume: number } => ({ open: close, high: close, low: close, close, volume: 1 });
  const events: FeedEvent[] = [[1_000, { A: bar(1) }, {}], [2_000, { A: bar(Number.NaN) }, {}], [2_000, { A: bar(2) }, {}], [1_500, { A: bar(3) }, {}], [3_000, { A: bar(4) }, {}]];
  const drain = (f: ReplayFeed): number[] => {
    const it = f.syncIterator()!;
    const out: number[] = [];
    for (let r = it.next(); !r.done; r = it.next()) out.push((r.value[1]['A'] as Bar).close);
    return out;
  };

  it('trusts events built in code by default: every event is handed out as given', () => {
    const f = new ReplayFeed(events);
    expect(drain(f)).to.deep.equal([1, Number.NaN, 2, 3, 4]);
    expect(f.dropped).to.equal(0);
  });

  it('with validate: data without a price and a late record are dropped and counted, in the sync and async paths', async () => {
    const f = new ReplayFeed(events, 'checked', { validate: true });
    expect(drain(f)).to.deep.equal([1, 2, 4]);
    expect(f.dropped).to.equal(2);
    const g = new ReplayFeed(events, 'checked', { validate: true });
    expect((await collect(g)).map((e) => (e[1]['A'] as Bar).close)).to.deep.equal([1, 2, 4]);
    expect(g.dropped).to.equal(2);
  });
});

describe('paced replay (speed > 0)', () => {
  it('stop() ends a wait over a gap in the data at once (a weekend at speed 1 is two days)', async function () {
    this.timeout(10_000); // without the abort it would wait the 49 hours
    const t = Date.UTC(2024, 0, 5, 22);
    const bar = { open: 1, high: 1, low: 1, close: 1, volume: 1 };
    const events: FeedEvent[] = [[t, { A: bar }, {}], [t + 49 * 3_600_000, { A: bar }, {}]];
    for (const feed of [new ReplayFeed(events, 'gap', { speed: 1 }), new CsvFeed({ path: csvOf(events), symbol: 'A', speed: 1 })]) {
      await feed.start();
      const it = feed[Symbol.asyncIterator]();
      expect((await it.next()).done).to.equal(false); // the first event comes at once
      const second = it.next(); // waits for the Sunday bar
      const t0 = Date.now();
      setTimeout(() => { void feed.stop(); }, 50);
      expect((await second).done, feed.name).to.equal(true);
      expect(Date.now() - t0, feed.name).to.be.below(2_000);
    }
  });
});

/** A csv file of `events` (one symbol), in a temp dir. */
function csvOf(events: FeedEvent[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tw-paced-')), 'bars.csv');
  writeFileSync(file, ['timestamp,open,high,low,close,volume', ...events.map(([ts, d]) => { const b = (d as Record<string, Bar>)['A']!; return `${new Date(ts).toISOString()},${b.open},${b.high},${b.low},${b.close},${b.volume}`; })].join('\n'));
  return file;
}

describe('BarAggregator', () => {
  const t = (m: number, s: number): number => Date.UTC(2024, 0, 1, 10, m, s);
  it('emits a minute bar once, when a tick of the next minute arrives', () => {
    const a = new BarAggregator({ periodMs: 60_000 });
    expect(a.push(t(0, 1), { X: { price: 10, size: 1 } })).to.deep.equal([]);
    a.push(t(0, 30), { X: { price: 12, size: 2 } });
    a.push(t(0, 59), { X: { price: 9, size: 3 } });
    const out = a.push(t(1, 0), { X: { price: 11, size: 1 } });
    expect(out).to.have.length(1);
    expect(out[0]![0]).to.equal(t(0, 0));
    expect(out[0]![1]['X']).to.deep.equal({ open: 10, high: 12, low: 9, close: 9, volume: 6 });
    expect(a.push(t(0, 40), { X: { price: 99, size: 1 } })).to.deep.equal([]); // late: dropped
  });

  it('flushes the last bar of a session after the timeout, not before', () => {
    const a = new BarAggregator({ periodMs: 60_000, flushAfterMs: 5_000 });
    a.push(t(5, 10), { X: { price: 10, size: 1 } });
    expect(a.flush(t(6, 4))).to.deep.equal([]);
    const out = a.flush(t(6, 5));
    expect(out).to.have.length(1);
    expect(a.pending).to.equal(0);
  });

  it('turns 5-second bars into the same minute bars as computed directly', async () => {
    const fives: FeedEvent[] = [];
    for (let i = 0; i < 36; i++) { const p = 100 + Math.sin(i) * 3; fives.push([t(0, 0) + i * 5000, { X: { open: p, high: p + 1, low: p - 1, close: p + 0.5, volume: i } }, {}]); }
    const out = await collect(new AggregatedFeed(new ReplayFeed(fives), { periodMs: 60_000 }));
    expect(out).to.have.length(3);
    const first = fives.slice(0, 12).map((e) => e[1]['X'] as Bar);
    expect(out[0]![1]['X']).to.deep.equal({
      open: first[0]!.open, high: Math.max(...first.map((b) => b.high)), low: Math.min(...first.map((b) => b.low)),
      close: first[11]!.close, volume: first.reduce((s, b) => s + b.volume, 0),
    });
  });
});
