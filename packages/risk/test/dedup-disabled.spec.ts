import { expect } from 'chai';
import { AdapterRegistry, MemoryLogger, SimulatedClock, container, type BrokerProtocol } from '@tradewire/core';
import riskDefinitions, { DedupPolicy, type SafeBroker } from '@tradewire/risk';
import { LedgerBroker, T0, bar, expectRisk, intent, rig } from './support/helpers.js';

const DAYS_3 = 3 * 86_400_000;

describe('dedup disabled with Infinity / "Infinity" / null (like every limit)', () => {
  for (const v of [Infinity, 'Infinity', null] as const) {
    it(`dedupWindowSeconds ${typeof v === 'string' ? `"${v}"` : String(v)}: the built-in is not run; identical orders pass, at once and 3 days later`, async () => {
      const r = await rig({ dedupWindowSeconds: v });
      expect(r.safe.policyNames).to.not.include('dedup');
      r.tick({ A: 10 });
      await r.buy('A', 1);
      await r.buy('A', 1);
      r.clock.set(T0 + DAYS_3);
      r.tick({ A: 10 });
      await r.buy('A', 1);
      expect(r.inner.ledger.map((o) => o.quantity)).to.deep.equal([1, 1, 1]);
    });
  }

  it('the policy itself refuses nothing with an infinite (or zero) window', () => {
    for (const w of [Infinity, 0]) {
      const p = new DedupPolicy(w);
      const ctx = { now: T0 } as Parameters<DedupPolicy['check']>[1];
      const o = intent('A', 'BUY', 1);
      expect(p.check(o, ctx), `window ${w}`).to.equal(undefined);
      p.onAccepted(o, ctx);
      expect(p.check(intent('A', 'BUY', 1), ctx), `window ${w}, repeat`).to.equal(undefined);
      expect(p.check(intent('A', 'BUY', 1), { ...ctx, now: T0 + DAYS_3 }), `window ${w}, 3 days later`).to.equal(undefined);
    }
    const on = new DedupPolicy(10);
    const ctx = { now: T0 } as Parameters<DedupPolicy['check']>[1];
    on.onAccepted(intent('A', 'BUY', 1), ctx);
    expect(on.check(intent('A', 'BUY', 1), ctx)?.code).to.equal('RISK_DEDUP');
  });

  it('registry-configured `{ use: dedup, config: { limit } }`: null/"Infinity" disable it, a finite window still refuses', async () => {
    const reg = new AdapterRegistry().register(...riskDefinitions);
    for (const [limit, refuses] of [[null, false], ['Infinity', false], [60, true]] as const) {
      const clock = new SimulatedClock(T0);
      const mw = await reg.create('middleware', 'risk', { policies: [{ use: 'dedup', config: { limit } }] }, { clock, logger: new MemoryLogger() });
      const inner = new LedgerBroker();
      const safe = (await mw.wrap(inner, { container: container.createChildContainer(), clock, logger: new MemoryLogger() })) as SafeBroker & BrokerProtocol;
      expect(safe.policyNames).to.deep.equal(['dedup']);
      safe.onMarketData(T0, { A: bar(10) }, {});
      await safe.submitOrder(intent('A', 'BUY', 1, { createdAt: T0 }));
      clock.set(T0 + 1000);
      if (refuses) await expectRisk(safe.submitOrder(intent('A', 'BUY', 1, { createdAt: T0 + 1000 })), 'RISK_DEDUP');
      else await safe.submitOrder(intent('A', 'BUY', 1, { createdAt: T0 + 1000 }));
      clock.set(T0 + DAYS_3);
      safe.onMarketData(T0 + DAYS_3, { A: bar(10) }, {});
      await safe.submitOrder(intent('A', 'BUY', 1, { createdAt: T0 + DAYS_3 }));
      expect(inner.ledger, `limit ${String(limit)}`).to.have.length(refuses ? 2 : 3);
    }
  });
});
