import { expect } from 'chai';
import { rig, expectRisk } from './support/helpers.js';

// RELIABILITY.md B03: NaN fails every comparison, so `qty > max` lets it through; these are
// refused before any policy runs, with every limit disabled.
describe('bad quantities and prices (B03)', () => {
  const quantities: [string, number][] = [
    ['NaN', Number.NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['-0', -0], ['0', 0], ['negative', -5], ['1e309', 1e309], ['5e-324', 5e-324],
  ];
  for (const [label, q] of quantities) {
    it(`quantity ${label} → RISK_INVALID_QUANTITY, nothing sent`, async () => {
      const r = await rig({ policies: [] });
      r.tick({ A: 10 });
      await expectRisk(r.buy('A', q), 'RISK_INVALID_QUANTITY');
      await expectRisk(r.sell('A', q), 'RISK_INVALID_QUANTITY');
      expect(r.inner.ledger).to.have.length(0);
    });
  }

  const prices: [string, number][] = [['NaN', Number.NaN], ['Infinity', Infinity], ['-0', -0], ['0', 0], ['negative', -1]];
  for (const [label, p] of prices) {
    it(`limit/stop price ${label} → RISK_INVALID_PRICE`, async () => {
      const r = await rig({ policies: [] });
      r.tick({ A: 10 });
      await expectRisk(r.buy('A', 1, { limitPrice: p }), 'RISK_INVALID_PRICE');
      await expectRisk(r.buy('A', 1, { orderType: 'STOP', stopPrice: p }), 'RISK_INVALID_PRICE');
      expect(r.inner.ledger).to.have.length(0);
    });
  }

  for (const [label, p] of [['NaN', Number.NaN], ['Infinity', Infinity], ['-0', -0], ['0', 0], ['negative', -3]] as [string, number][]) {
    it(`market price ${label} is quarantined, never marked nor forwarded`, async () => {
      const r = await rig({ maxDataStalenessSeconds: 60 });
      r.tick({ A: 10 });
      await r.buy('A', 1);
      r.tick({ A: p });
      expect(r.inner.marketEvents).to.have.length(1); // the bad event was not forwarded
      expect(r.safe.snapshot().equity).to.equal(100_000);
      expect(r.logger.entries.some((e) => e.msg === 'risk: price quarantined')).to.equal(true);
    });
  }

  it('a NaN limit in a policy check is refused, not waved through', async () => {
    // last price NaN never becomes "last good", so the deviation check refuses with no price
    const r = await rig({ maxPriceDeviationPct: 5 });
    r.tick({ A: Number.NaN });
    await expectRisk(r.buy('A', 1, { limitPrice: 10 }), 'RISK_MAX_PRICE_DEVIATION');
  });

  it('bad side and asset are refused', async () => {
    const r = await rig({ policies: [] });
    r.tick({ A: 10 });
    await expectRisk(r.buy('', 1), 'RISK_INVALID_ASSET');
    await expectRisk(r.buy('A'.repeat(1000), 1), 'RISK_INVALID_ASSET');
    await expectRisk(r.safe.submitOrder({ clientOrderId: 'x', asset: 'A', side: 'HOLD' as 'BUY', quantity: 1, orderType: 'MARKET', timeInForce: 'DAY', createdAt: 0 }), 'RISK_INVALID_SIDE');
  });
});
