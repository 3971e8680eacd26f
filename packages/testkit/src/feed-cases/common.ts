/** Helpers shared by the feed conformance cases: scenarios, a background reader, comparisons with the venue. */
import { expect } from 'chai';
import { isBar, isQuote, isTrade, type DataFeedProtocol, type FeedEvent, type MarketData } from '@tradewire/core';
import type { FeedCaseContext, FeedHarness, FeedRecordKind, FeedScenario, VenueBar, VenueDataRecord, VenueQuote, VenueRecord, VenueTrade } from '../feed-harness.js';
import { eventually, settle } from '../eventually.js';

export type FeedGet = () => FeedCaseContext;

/** The start of the next full hour: every case's venue time starts here (in the near future, so no wall-clock flush closes its bars early). */
export function baseTime(): number { return (Math.floor(Date.now() / 3_600_000) + 1) * 3_600_000; }

export const barPeriod = (c: FeedCaseContext): number => c.factory.traits.barPeriodMs ?? 60_000;
/** The record kind a case uses for plain data: bars when the feed carries them, else trades, else quotes. */
export function primaryKind(c: FeedCaseContext): FeedRecordKind {
  const r = c.factory.traits.records;
  return r.includes('bar') ? 'bar' : r.includes('trade') ? 'trade' : 'quote';
}

export function bar(symbol: string, ts: number, close: number, volume = 10): VenueBar {
  return { kind: 'bar', symbol, ts, open: close - 0.5, high: close + 1, low: close - 1, close, volume };
}
export function trade(symbol: string, ts: number, price: number, size = 3): VenueTrade { return { kind: 'trade', symbol, ts, price, size }; }
export function quote(symbol: string, ts: number, bid: number | undefined, ask: number | undefined): VenueQuote { return { kind: 'quote', symbol, ts, bid, ask, bidSize: 5, askSize: 7 }; }

/** One datum of the primary kind for `symbol` in step `i` (bars: period i; ticks: i seconds in). */
export function datum(c: FeedCaseContext, kind: FeedRecordKind, symbol: string, t0: number, i: number, price: number): VenueDataRecord {
  if (kind === 'bar') return bar(symbol, t0 + i * barPeriod(c), price);
  if (kind === 'trade') return trade(symbol, t0 + i * 1_000, price);
  return quote(symbol, t0 + i * 1_000, price - 0.25, price + 0.25);
}

export function scenario(c: FeedCaseContext, symbols: readonly string[], records: readonly VenueRecord[]): FeedScenario {
  return { symbols, records, barPeriodMs: barPeriod(c) };
}

export async function harness(c: FeedCaseContext, s: FeedScenario): Promise<FeedHarness> {
  const h = await c.factory.create(s);
  c.open.push(h);
  return h;
}

/** A copy of an event (adapters may reuse their objects between events). */
export function copyEvent(ev: FeedEvent): FeedEvent {
  const data: Record<string, MarketData> = {};
  for (const [k, v] of Object.entries(ev[1])) data[k] = { ...v };
  return [ev[0], data, { ...ev[2] }];
}

/** Reads a feed in the background from `start()` on, recording copies of its events. */
export class FeedReader {
  readonly events: FeedEvent[] = [];
  error: unknown;
  done = false;
  #loop: Promise<void> = Promise.resolve();
  constructor(readonly feed: DataFeedProtocol, readonly waitMs: number) {}

  async start(): Promise<this> {
    await this.feed.start();
    this.#loop = (async () => {
      try { for await (const ev of this.feed) this.events.push(copyEvent(ev)); } catch (e) { this.error = e; } finally { this.done = true; }
    })();
    return this;
  }

  /** Waits until `pred(events)` holds (a failure of the feed fails at once). */
  async waitFor(pred: (evs: readonly FeedEvent[]) => boolean, what: string): Promise<FeedEvent[]> {
    return eventually(() => {
      if (this.error) throw new Error(`feed failed while waiting for ${what}: ${String(this.error)}`);
      if (!pred(this.events)) throw new Error(`${what}: not after ${this.events.length} events${this.done ? ' (iteration ended)' : ''}`);
      return this.events;
    }, this.waitMs);
  }

  /** Waits until the entries of `symbols` cover `n` items. */
  async waitEntries(n: number, what: string): Promise<Entry[]> {
    await this.waitFor((evs) => entries(evs).length >= n, `${what} (${n} entries)`);
    return entries(this.events);
  }

  /** Pull feeds: waits for the end of the input. */
  async untilDone(): Promise<FeedEvent[]> {
    await eventually(() => { if (!this.done) throw new Error(`iteration not ended after ${this.events.length} events`); }, this.waitMs);
    if (this.error) throw this.error;
    return this.events;
  }

  /** Calls `stop()` and resolves how long the iteration took to end (ms), or Infinity after 1 s. */
  async stop(): Promise<number> {
    const t = Date.now();
    await this.feed.stop();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await Promise.race([this.#loop.then(() => true), new Promise<false>((r) => { timer = setTimeout(() => r(false), 1_000); })]);
    if (timer) clearTimeout(timer);
    return ended ? Date.now() - t : Infinity;
  }
}

/** One symbol's datum in one event. */
export interface Entry { symbol: string; ts: number; data: MarketData; context: FeedEvent[2] }

export function entries(evs: readonly FeedEvent[]): Entry[] {
  const out: Entry[] = [];
  for (const [ts, data, context] of evs) for (const [symbol, d] of Object.entries(data)) out.push({ symbol, ts, data: d, context });
  return out;
}

/** Entries the adapter did not flag as duplicate or late (`context.duplicate` / `context.late`). */
export const unflagged = (es: readonly Entry[]): Entry[] => es.filter((e) => e.context['duplicate'] !== true && e.context['late'] !== true);

const near = (a: number | undefined, b: number | undefined, what: string): void => {
  expect(typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what}: ${String(a)} vs venue ${String(b)}`).to.equal(true);
};

/** The entry equals the venue record: symbol, timestamp and every price/size field. */
export function expectEntryIs(e: Entry | undefined, r: VenueDataRecord, what: string): void {
  expect(e, `${what}: an event for ${r.symbol}@${r.ts}`).to.not.equal(undefined);
  if (!e) return;
  expect([e.symbol, e.ts], `${what}: symbol and timestamp`).to.deep.equal([r.symbol, r.ts]);
  if (r.kind === 'bar') {
    expect(isBar(e.data), `${what}: a bar`).to.equal(true);
    if (!isBar(e.data)) return;
    near(e.data.open, r.open, `${what} open`); near(e.data.high, r.high, `${what} high`); near(e.data.low, r.low, `${what} low`);
    near(e.data.close, r.close, `${what} close`); near(e.data.volume, r.volume, `${what} volume`);
  } else if (r.kind === 'trade') {
    expect(isTrade(e.data), `${what}: a trade`).to.equal(true);
    if (!isTrade(e.data)) return;
    near(e.data.price, r.price, `${what} price`); near(e.data.size, r.size, `${what} size`);
  } else {
    expect(isQuote(e.data), `${what}: a quote`).to.equal(true);
    if (!isQuote(e.data)) return;
    if (r.bid !== undefined) near(e.data.bid, r.bid, `${what} bid`);
    if (r.ask !== undefined) near(e.data.ask, r.ask, `${what} ask`);
  }
}

/** The entries equal the venue records one to one, in order. */
export function expectEntriesAre(es: readonly Entry[], rs: readonly VenueDataRecord[], what: string): void {
  expect(es.map((e) => `${e.symbol}@${e.ts}`), `${what}: symbols and timestamps`).to.deep.equal(rs.map((r) => `${r.symbol}@${r.ts}`));
  rs.forEach((r, i) => expectEntryIs(es[i], r, `${what} #${i}`));
}

/** Every number in the datum is finite (a quote side may be absent or NaN: no price). */
export function expectFinite(e: Entry): void {
  for (const [k, v] of Object.entries(e.data)) {
    if (isQuote(e.data) && (k === 'bid' || k === 'ask' || k === 'bidSize' || k === 'askSize')) continue;
    if (typeof v === 'number') expect(Number.isFinite(v), `${e.symbol}@${e.ts} ${k} finite (${v})`).to.equal(true);
  }
  if (isQuote(e.data)) expect(Number.isFinite(e.data.bid) || Number.isFinite(e.data.ask), `${e.symbol}@${e.ts}: a quote with a price`).to.equal(true);
}

/**
 * Reads a pull feed to its end, or a push feed until the entry for `last` (the scenario's last
 * good record) arrived, then a little longer (anything wrongly emitted after it shows up too).
 */
export async function readAll(c: FeedCaseContext, h: FeedHarness, last: VenueDataRecord): Promise<{ reader: FeedReader; entries: Entry[] }> {
  const reader = await new FeedReader(h.feed, c.waitMs).start();
  if (h.feed.kind === 'pull') await reader.untilDone();
  else {
    await reader.waitFor((evs) => entries(evs).some((e) => e.symbol === last.symbol && e.ts === last.ts), `the entry for ${last.symbol}@${last.ts}`);
    await settle(150);
  }
  return { reader, entries: entries(reader.events) };
}

export const of = (es: readonly Entry[], symbol: string): Entry[] => es.filter((e) => e.symbol === symbol);
export const dataOnly = (rs: readonly VenueRecord[]): VenueDataRecord[] => rs.filter((r): r is VenueDataRecord => r.kind !== 'malformed');

/** Push feeds only: the venue's emit control (required). */
export function emitter(h: FeedHarness): (rs: readonly VenueRecord[]) => Promise<void> {
  const emit = h.venue.emit;
  if (!emit) throw new Error('push feed harness without venue.emit()');
  return (rs) => emit.call(h.venue, rs);
}

export const activeTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
