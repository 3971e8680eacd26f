/**
 * IBDataFeed (5-second real-time bars) against the feed conformance suite, driven through the fake
 * TWS over the real wire protocol: the venue serves the scenario's bars as realtimeBar messages once
 * the feed has subscribed every scenario symbol (reqRealTimeBars), "no price" as IB writes it (-1,
 * Double.MAX), a malformed message as a truncated realtimeBar (the client's decoder reports 505),
 * drops the sockets (TF06) and goes half-open (TF07: caught by the feed's reqCurrentTime probe).
 * Ticks (reqMktData) carry no venue timestamp (the feed stamps them on receipt), so the venue
 * records are bars only. IB has no historical request in this feed (TF11) and no secret (TF12).
 */
import { MemoryLogger } from '@tradewire/core';
import { IBConnectionPool, IBDataFeed, IBFeedConfig } from '@tradewire/broker-ib';
import { describeFeedConformance, type FeedHarness, type FeedScenario, type VenueRecord } from '@tradewire/testkit';
import { FakeTws } from './fake-tws/fake-tws.js';
import type { Field } from './fake-tws/framing.js';
import type { TwsSession } from './fake-tws/session.js';
import { msg } from './fake-tws/wire.js';

/** IB's "no price": -1 for a missing bar price, Double.MAX when the whole bar has none. */
function barFields(reqId: number, r: Extract<VenueRecord, { kind: 'bar' }>): Field[] {
  const none = r.open === undefined && r.high === undefined && r.low === undefined && r.close === undefined;
  const px = (v: number | undefined): number => v ?? (none ? Number.MAX_VALUE : -1);
  return msg.realtimeBar(reqId, Math.floor(r.ts / 1000), { open: px(r.open), high: px(r.high), low: px(r.low), close: px(r.close), volume: r.volume });
}

/** Writes the records on `session`: bars to the request of their symbol, a malformed one as a truncated realtimeBar. */
function serve(session: TwsSession, records: readonly VenueRecord[]): void {
  for (const r of records) {
    if (r.kind === 'malformed') {
      const reqId = session.bars.keys().next().value;
      if (reqId !== undefined) session.send([50, 3, reqId, Math.floor(r.ts / 1000)]); // ends after the time: no prices
      continue;
    }
    if (r.kind !== 'bar') throw new Error(`the IB venue serves bars only, not ${r.kind}`);
    for (const [reqId, sym] of session.bars) if (sym === r.symbol) session.send(barFields(reqId, r));
  }
}

async function create(s: FeedScenario): Promise<FeedHarness> {
  const tws = await FakeTws.start();
  const barSessions = new Set<TwsSession>();
  let served = false;
  tws.onRealTimeBars = (session) => {
    barSessions.add(session);
    const subscribed = [...session.bars.values()];
    if (served || !s.symbols.every((sym) => subscribed.includes(sym))) return;
    served = true;
    serve(session, s.records);
  };
  const logger = new MemoryLogger();
  const feed = new IBDataFeed(IBFeedConfig.parse({
    port: tws.port, clientId: 7, symbols: [...s.symbols], data: 'bars', heartbeatMs: 100,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
  }), { logger, pool: new IBConnectionPool() });
  const live = (): TwsSession[] => [...tws.sessions].filter((x) => x.open && x.bars.size > 0);
  return {
    feed,
    venue: {
      emit: async (rs) => { for (const x of live()) serve(x, rs); },
      dropConnection: async () => { tws.dropConnections(); },
      goSilent: async () => { tws.goSilent(); },
      sessions: () => barSessions.size,
      subscribedSymbols: () => [...(live().at(-1)?.bars.values() ?? [])],
    },
    dropped: () => feed.dropped,
    logLines: () => logger.entries.map((e) => `${e.msg} ${JSON.stringify(e.fields)}`),
    close: async () => { await feed.stop(); await tws.close(); },
  };
}

describeFeedConformance('ib (IBDataFeed, 5-second real-time bars, fake TWS)', {
  traits: { records: ['bar'], barPeriodMs: 5_000, reconnects: true, backfill: false },
  create,
}, { waitMs: 3_000 });
