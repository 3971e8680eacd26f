/**
 * Core's pull feeds against the feed conformance suite: ReplayFeed (typed events from memory) and
 * CsvFeed (a CSV file written per case into a temp directory). Their "venue" is the input itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvFeed, MemoryLogger, ReplayFeed, type FeedEvent, type MarketData } from '@tradewire/core';
import { describeFeedConformance, type FeedHarness, type FeedScenario, type VenueDataRecord } from '@tradewire/testkit';

/** A venue record as the typed datum ReplayFeed carries; a "no price" sentinel is NaN. */
function typed(r: VenueDataRecord): MarketData {
  const n = (x: number | undefined): number => x ?? Number.NaN;
  if (r.kind === 'bar') return { open: n(r.open), high: n(r.high), low: n(r.low), close: n(r.close), volume: r.volume };
  if (r.kind === 'trade') return { price: n(r.price), size: r.size };
  return { bid: n(r.bid), ask: n(r.ask), bidSize: r.bidSize, askSize: r.askSize };
}

async function replayHarness(s: FeedScenario): Promise<FeedHarness> {
  const events: FeedEvent[] = [];
  for (const r of s.records) if (r.kind !== 'malformed') events.push([r.ts, { [r.symbol]: typed(r) }, { source: 'replay' }]);
  const logger = new MemoryLogger();
  const feed = new ReplayFeed(events, 'replay', { symbols: s.symbols, logger, validate: true });
  return {
    feed, venue: {},
    dropped: () => feed.dropped,
    logLines: () => logger.entries.map((e) => `${e.msg} ${JSON.stringify(e.fields)}`),
    close: async () => { await feed.stop(); },
  };
}

async function csvHarness(s: FeedScenario): Promise<FeedHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-csv-conf-'));
  const path = join(dir, 'bars.csv');
  const cell = (x: number | undefined): string => (x === undefined ? '' : String(x));
  const lines = ['timestamp,symbol,open,high,low,close,volume'];
  for (const r of s.records) {
    if (r.kind === 'malformed') lines.push(`${new Date(r.ts).toISOString()},AAA,not-a-number,#,,?`);
    else if (r.kind === 'bar') lines.push([new Date(r.ts).toISOString(), r.symbol, cell(r.open), cell(r.high), cell(r.low), cell(r.close), r.volume].join(','));
    else throw new Error(`csv carries bars only, got ${r.kind}`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
  const logger = new MemoryLogger();
  const feed = new CsvFeed({ path, symbols: [...s.symbols], onBadRow: 'skip' }, logger);
  return {
    feed, venue: {},
    dropped: () => feed.badRows,
    logLines: () => logger.entries.map((e) => `${e.msg} ${JSON.stringify(e.fields)}`),
    close: async () => { await feed.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}

describeFeedConformance('replay (core ReplayFeed)', { traits: { records: ['bar', 'trade', 'quote'], reconnects: false, typedInput: true }, create: replayHarness }, { waitMs: 2_000 });
describeFeedConformance('csv (core CsvFeed)', { traits: { records: ['bar'], reconnects: false }, create: csvHarness }, { waitMs: 2_000 });
