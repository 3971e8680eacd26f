/**
 * `describeBrokerConformance(name, factory)`: the TB cases of CONFORMANCE.md as a mocha suite.
 * Every case runs against a fresh harness (adapter + fake venue) and checks the adapter's events
 * and the venue's own ledger. A case is skipped only through the adapter's declared capabilities
 * or a venue control the harness does not offer.
 */
import type { Fill, Order } from '@tradewire/core';
import type { BrokerConformanceOptions, BrokerHarness, BrokerHarnessFactory, CaseContext } from './harness.js';
import { orderCases } from './cases/orders.js';
import { lifecycleCases } from './cases/lifecycle.js';
import { resilienceCases } from './cases/resilience.js';

export function describeBrokerConformance(name: string, factory: BrokerHarnessFactory, options: BrokerConformanceOptions = {}): void {
  describe(`broker conformance: ${name}`, function () {
    this.timeout(options.caseTimeoutMs ?? 20_000);
    let current: CaseContext | undefined;
    let unsubscribe: (() => void)[] = [];

    beforeEach(async () => {
      const h: BrokerHarness = await factory();
      const orders: Order[] = [];
      const fills: Fill[] = [];
      current = { h, orders, fills, errors: [], waitMs: options.waitMs ?? 5_000 };
      unsubscribe = [h.broker.onOrderUpdate((o) => orders.push(o)), h.broker.onFill((f) => fills.push(f))];
      await h.broker.connect();
    });

    afterEach(async () => {
      for (const u of unsubscribe.splice(0)) u();
      const c = current;
      current = undefined;
      if (c) await c.h.close();
    });

    const get = (): CaseContext => {
      if (!current) throw new Error('conformance case ran without a harness');
      return current;
    };
    orderCases(get);
    lifecycleCases(get);
    resilienceCases(get);
  });
}
