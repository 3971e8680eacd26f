/**
 * DataBentoFeed against the feed conformance suite: the file source (a DBN file written per case,
 * metadata modelled on the ohlcv-1s fixture, OHLCV-1s bars), the live source against the fake
 * gateway (trades; the venue streams what the suite emits) and the historical request against the
 * fake Historical API (TF11).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger } from '@tradewire/core';
import { DataBentoFeed, decodeDbn } from '@tradewire/feed-databento';
import { describeFeedConformance, secretCanary, type FeedHarness, type FeedScenario, type VenueRecord } from '@tradewire/testkit';
import { concat, encodeVenueRecord, heartbeatRecord, historicalDbn, liveSessionStart } from './fakes/dbn-venue.js';
import { FakeHistoricalServer } from './fakes/historical-server.js';
import { FakeLiveGateway } from './fakes/live-gateway.js';
import { fixture } from './helpers.js';

const template = (() => {
  const md = decodeDbn(fixture('test_data.ohlcv-1s.v3.dbn.zst')).metadata!;
  return { dataset: md.dataset, schema: md.schema, stype_in: 'raw_symbol', stype_out: 'instrument_id' };
})();

const lines = (logger: MemoryLogger) => (): string[] => logger.entries.map((e) => `${e.msg} ${JSON.stringify(e.fields)}`);
const startOf = (s: FeedScenario): number => Math.min(...s.records.map((r) => r.ts), Date.now());

async function fileHarness(s: FeedScenario): Promise<FeedHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-dbn-conf-'));
  const path = join(dir, 'scenario.ohlcv-1s.dbn');
  const symbols = [...new Set(s.records.flatMap((r) => (r.kind === 'malformed' ? [] : [r.symbol])))];
  writeFileSync(path, historicalDbn(template, symbols, startOf(s), s.records));
  const logger = new MemoryLogger();
  const feed = DataBentoFeed.fromFile(path, { symbols: s.symbols, logger });
  return {
    feed, venue: {},
    dropped: () => feed.dropped,
    logLines: lines(logger),
    close: async () => { await feed.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}

async function liveHarness(s: FeedScenario): Promise<FeedHarness> {
  const key = `db-${secretCanary('conf').value.slice(0, 24)}FFFFF`.slice(0, 32);
  let now = startOf(s);
  const advance = (rs: readonly VenueRecord[]): void => { for (const r of rs) now = Math.max(now, r.ts + 1); };
  let subscribed: string[] = [];
  const wanted = (rs: readonly VenueRecord[]): Uint8Array => concat(rs.filter((r) => r.kind === 'malformed' || subscribed.includes(r.symbol)).map(encodeVenueRecord));
  const gw = new FakeLiveGateway(key, (i) => {
    const payload = i === 0 ? concat([liveSessionStart(now, s.symbols), wanted(s.records)]) : liveSessionStart(now, s.symbols);
    if (i === 0) advance(s.records);
    return { payload, after: 'heartbeat', heartbeatBytes: heartbeatRecord(now), heartbeatMs: 60 };
  });
  // the venue streams only what was subscribed (read from the session's subscription lines)
  const sessionSymbols = (): string[] => gw.sessions.at(-1)?.subscriptions.flatMap((l) => (l['symbols'] ?? '').split(',')).filter((x) => x !== '') ?? [];
  const port = await gw.listen();
  const logger = new MemoryLogger();
  const feed = DataBentoFeed.fromLive({
    apiKey: key, dataset: 'GLBX.MDP3', schema: 'trades', symbols: s.symbols, host: '127.0.0.1', port,
    heartbeatIntervalS: 0, heartbeatMarginMs: 400, reconnect: { initialDelayMs: 20, maxDelayMs: 100 }, logger,
  });
  subscribed = [...s.symbols];
  return {
    feed,
    venue: {
      emit: async (rs) => { subscribed = sessionSymbols(); gw.send(wanted(rs)); advance(rs); },
      dropConnection: async () => { gw.dropAll(); },
      goSilent: async () => { gw.silence(); },
      sessions: () => gw.startedSessions,
      subscribedSymbols: sessionSymbols,
    },
    dropped: () => feed.dropped,
    logLines: lines(logger),
    secrets: [key],
    close: async () => { await feed.stop(); await gw.close(); },
  };
}

/** The file harness plus a historical request against the fake Historical API, which serves the scenario's records in the asked range. */
async function historicalHarness(s: FeedScenario): Promise<FeedHarness> {
  const h = await fileHarness(s);
  const key = 'db-histconformancekey0000FFFFF00';
  const server = new FakeHistoricalServer(key);
  const baseUrl = await server.listen();
  server.respond = (form) => {
    const from = Number(BigInt(form['start'] ?? '0') / 1_000_000n);
    const to = form['end'] === undefined ? Infinity : Number(BigInt(form['end']) / 1_000_000n);
    const syms = (form['symbols'] ?? '').split(',');
    const rs = s.records.filter((r) => r.kind !== 'malformed' && syms.includes(r.symbol) && r.ts >= from && r.ts < to);
    return { kind: 'ok', body: historicalDbn(template, syms, startOf(s), rs) };
  };
  return {
    ...h,
    history: async ({ symbols, from, to }) => DataBentoFeed.fromHistorical({ apiKey: key, dataset: 'GLBX.MDP3', schema: 'ohlcv-1s', symbols, start: from, end: to, baseUrl }),
    close: async () => { await h.close(); await server.close(); },
  };
}

describeFeedConformance('databento file (DataBentoFeed.fromFile, OHLCV-1s DBN)', {
  traits: { records: ['bar'], barPeriodMs: 1_000, reconnects: false },
  create: historicalHarness,
}, { waitMs: 3_000 });

describeFeedConformance('databento live (DataBentoFeed.fromLive, fake gateway)', {
  traits: { records: ['trade'], reconnects: true, backfill: false },
  create: liveHarness,
}, { waitMs: 3_000 });
