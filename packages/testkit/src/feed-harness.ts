/**
 * The interface between the feed conformance suite and a feed adapter under test. An adapter author
 * writes ONE factory: its `traits` say which cases apply; `create(scenario)` starts a fresh fake
 * venue (loopback, real protocol) serving the scenario's records and builds the feed against it.
 * See README.md for worked examples.
 */
import type { DataFeedProtocol, FeedEvent } from '@tradewire/core';

/** A bar as the venue holds it. An `undefined` price is the venue's "no price" sentinel (DBN UNDEF_PRICE, IB -1, an empty CSV cell, NaN in memory). */
export interface VenueBar { kind: 'bar'; symbol: string; ts: number; open: number | undefined; high: number | undefined; low: number | undefined; close: number | undefined; volume: number }
/** A trade print; `price: undefined` is the venue's "no price" sentinel. */
export interface VenueTrade { kind: 'trade'; symbol: string; ts: number; price: number | undefined; size: number }
/** Top of book; a side `undefined` is the venue's "no price" sentinel for that side. */
export interface VenueQuote { kind: 'quote'; symbol: string; ts: number; bid: number | undefined; ask: number | undefined; bidSize: number; askSize: number }
/** A message the venue's format cannot parse (a garbage CSV row, an unknown DBN record, a truncated IB message …) that a reader can step over. */
export interface VenueMalformed { kind: 'malformed'; ts: number }
export type VenueRecord = VenueBar | VenueTrade | VenueQuote | VenueMalformed;
export type VenueDataRecord = VenueBar | VenueTrade | VenueQuote;
export type FeedRecordKind = VenueDataRecord['kind'];

/** What a case asks the venue to hold. */
export interface FeedScenario {
  /** the symbols the feed must be configured (subscribed) with */
  symbols: readonly string[];
  /**
   * Served first, in this order: a pull feed's whole input (file, memory, history); a push venue
   * sends them right after the subscription starts. Duplicates and late records are deliberate.
   */
  records: readonly VenueRecord[];
  /** the period of every bar record (ms) */
  barPeriodMs: number;
}

/** What the adapter/venue pair supports: the only way a case is skipped. */
export interface FeedTraits {
  /** record kinds the venue can serve and the adapter turns into events; without 'bar' the feed is tick-only (TF03 skipped) */
  records: readonly FeedRecordKind[];
  /** the period of the bars the venue serves (default 60 000); TF10 aggregates to one minute, or 5 periods when that is not longer */
  barPeriodMs?: number;
  /** the feed holds a connection it can lose and re-establish; false for a file or memory replay (TF06, TF07 skipped) */
  reconnects: boolean;
  /** with `reconnects`: the venue replays what was missed while down (TF06 then expects it; otherwise the gap must cover it) */
  backfill?: boolean;
  /** the input is typed in-memory events, not a wire or text format, so no message can be malformed (TF08 skipped) */
  typedInput?: boolean;
}

/** What the suite can do to the venue. Each optional control is required by the traits that need it. */
export interface FeedVenueControl {
  /** push venues (required for kind 'push'): send these records now, in order, on the live session */
  emit?(records: readonly VenueRecord[]): Promise<void>;
  /** `reconnects` (TF06): cut the connection from the venue side; later connections are accepted. Records emitted before the reconnect are "missed". */
  dropConnection?(): Promise<void>;
  /** `reconnects` (TF07): keep the connection open but send nothing at all (no data, no heartbeats) until the adapter reconnects */
  goSilent?(): Promise<void>;
  /** `reconnects` (TF06, TF07): sessions (connections with a subscription) the venue has served so far */
  sessions?(): number;
  /** optional (TF04): the symbols the adapter subscribed at the venue in the latest session */
  subscribedSymbols?(): readonly string[];
}

/** One feed + venue pair, fresh for each case. */
export interface FeedHarness {
  /** the adapter under test, NOT started, configured with `scenario.symbols` */
  feed: DataFeedProtocol;
  venue: FeedVenueControl;
  /**
   * Optional (TF11): the adapter's historical request for `symbols` over [from, to) ms against the
   * same venue (which holds the scenario's records), as a feed to read to its end. Absent: no history.
   */
  history?(request: { symbols: readonly string[]; from: number; to: number }): Promise<DataFeedProtocol>;
  /** Optional (TF08): how many messages the adapter counted as dropped (malformed, sentinel, duplicate, late) */
  dropped?(): number;
  /** Optional (TF08, TF12): everything the adapter logged; secret values it was configured with */
  logLines?(): readonly string[];
  secrets?: readonly string[];
  /** stops the feed (if still running) and the venue */
  close(): Promise<void>;
}

export interface FeedHarnessFactory {
  traits: FeedTraits;
  create(scenario: FeedScenario): Promise<FeedHarness>;
}

export interface FeedConformanceOptions {
  /** how long to wait for an asynchronous outcome (ms, default 5000) */
  waitMs?: number;
  /** mocha timeout per case (ms, default 15000) */
  caseTimeoutMs?: number;
}

/** What a case receives. */
export interface FeedCaseContext {
  factory: FeedHarnessFactory;
  waitMs: number;
  /** harnesses created by the case; the suite closes them after it */
  open: FeedHarness[];
}

export type { FeedEvent };
