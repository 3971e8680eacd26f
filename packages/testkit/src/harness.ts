/**
 * The interface between the broker conformance suite and an adapter under test. An adapter author
 * writes ONE factory that starts a fresh fake venue (loopback, real protocol), builds the adapter
 * against it and returns a `BrokerHarness`. See README.md for a worked example.
 */
import type { BrokerProtocol, Order, OrderIntent } from '@tradewire/core';
import type { VenueLedgerSnapshot } from './venue-ledger.js';

/** What the suite can do to the venue. Required members are needed by every case; optional ones enable more cases. */
export interface VenueControl {
  /**
   * Moves the venue's price for `asset`. Resting orders that become marketable fill. `liquidity`
   * caps the quantity that can execute at this price event (a smaller number forces a partial
   * fill; undefined = unlimited). Resolves when the venue has processed the move (the adapter's
   * events may follow asynchronously: the suite waits for them).
   */
  setPrice(asset: string, price: number, liquidity?: number): Promise<void>;
  /** The venue's own books, read from the venue (never from the adapter under test). */
  ledger(): Promise<VenueLedgerSnapshot>;
  /**
   * Arranges for the next order on `asset` to be rejected by the venue and returns the order
   * fields to use (e.g. `{}` after scripting a rejection, or `{ quantity: 1e9 }` for a venue that
   * rejects on buying power).
   */
  prepareRejection(asset: string): Promise<Partial<Pick<OrderIntent, 'quantity' | 'limitPrice' | 'asset'>>>;
  /** Optional: cut the connection from the venue side and refuse new ones until `restoreConnection`. (TB19) */
  dropConnection?(): Promise<void>;
  restoreConnection?(): Promise<void>;
  /** Optional: the venue accepts the next order but its acknowledgement (and pushes about it) never arrive. (TB18) */
  loseNextAcknowledgement?(): Promise<void>;
  /** Optional: the venue reports the next order's executions before its acknowledgement, which then arrives stale. (TB20) */
  reorderNext?(): Promise<void>;
  /**
   * Optional: the venue answers the next read (positions, orders, account) or the next submit with
   * its rate-limit error (HTTP 429, IB error 100 …), with its Retry-After if it has one. (TB21)
   */
  rateLimitNext?(what: 'read' | 'submit'): Promise<void>;
  /** Optional: make the venue send every execution again (as at session start or after a reconnect). (TB17) */
  replayExecutions?(): Promise<void>;
}

/** One adapter + venue pair, fresh for each case. */
export interface BrokerHarness {
  /** the adapter under test, NOT yet connected (the suite calls connect()) */
  broker: BrokerProtocol;
  venue: VenueControl;
  /** the asset the suite trades; its venue price is already 100 and the account holds `startingCash` and no positions */
  asset: string;
  startingCash: number;
  /**
   * Optional: a second adapter instance on the same venue, as after a process restart (not
   * connected). Needed by TB16; absent means the adapter's state cannot outlive its instance.
   */
  restart?(): Promise<BrokerProtocol>;
  /** Optional (TB24): secret values the adapter was configured with, and every log line it wrote. */
  secrets?: readonly string[];
  logLines?(): readonly string[];
  /** stops the adapter(s) and the venue */
  close(): Promise<void>;
}

export type BrokerHarnessFactory = () => Promise<BrokerHarness>;

export interface BrokerConformanceOptions {
  /** how long to wait for an asynchronous outcome (ms, default 5000) */
  waitMs?: number;
  /** mocha timeout per case (ms, default 20000) */
  caseTimeoutMs?: number;
}

/** What a case receives: the harness plus recorded adapter events. */
export interface CaseContext {
  h: BrokerHarness;
  orders: Order[];
  fills: import('@tradewire/core').Fill[];
  errors: unknown[];
  waitMs: number;
}
