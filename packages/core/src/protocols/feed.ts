import type { FeedEvent } from '../domain/market-data.js';

/**
 * A source of market data. Iterate it after `start()`; `stop()` ends the iteration.
 *
 * `kind` tells the engine how to consume it:
 * - `'pull'`: historical data; the engine reads the next event only when it is ready (natural
 *   backpressure, nothing is conflated or dropped). `syncIterator()` may be offered for speed.
 * - `'push'`: live data arriving on its own schedule; the engine pumps it into its bounded queue
 *   and conflates per symbol when the strategy falls behind.
 * @public
 */
export interface DataFeedProtocol extends AsyncIterable<FeedEvent> {
  readonly name: string;
  readonly kind: 'pull' | 'push';
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Optional fast path for pull feeds whose events are already in memory or decoded
   * synchronously. The consumer reads each result before asking for the next one, so an
   * implementation may hand out the same result object every time.
   */
  syncIterator?(): Iterator<FeedEvent> | undefined;
  /** Optional: how many events to expect (for progress bars); undefined when unknown. */
  expectedCount?(): number | undefined;
}
