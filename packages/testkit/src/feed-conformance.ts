/**
 * `describeFeedConformance(name, factory)`: the TF cases of CONFORMANCE.md as a mocha suite. Every
 * case builds a fresh harness (feed + fake venue) for the scenario it needs and checks the feed's
 * events against the records the venue served. A case is skipped only through the factory's
 * declared traits or a control the harness does not offer.
 */
import type { FeedCaseContext, FeedConformanceOptions, FeedHarnessFactory } from './feed-harness.js';
import { streamCases } from './feed-cases/stream.js';
import { qualityCases } from './feed-cases/quality.js';
import { connectionCases } from './feed-cases/connection.js';
import { derivedCases } from './feed-cases/derived.js';

export function describeFeedConformance(name: string, factory: FeedHarnessFactory, options: FeedConformanceOptions = {}): void {
  describe(`feed conformance: ${name}`, function () {
    this.timeout(options.caseTimeoutMs ?? 15_000);
    let current: FeedCaseContext | undefined;

    beforeEach(() => { current = { factory, waitMs: options.waitMs ?? 5_000, open: [] }; });

    afterEach(async () => {
      const c = current;
      current = undefined;
      for (const h of c?.open ?? []) {
        await h.feed.stop().catch(() => undefined);
        await h.close();
      }
    });

    const get = (): FeedCaseContext => {
      if (!current) throw new Error('feed conformance case ran without a context');
      return current;
    };
    streamCases(get);
    qualityCases(get);
    connectionCases(get);
    derivedCases(get);
  });
}
