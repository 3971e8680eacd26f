import { expect } from 'chai';
import { T0, expectRisk, rig } from './support/helpers.js';

describe('stale and bad market data', () => {
  it('F27: a bar at 10× the previous price is quarantined, logged, not forwarded, not traded on', async () => {
    const r = await rig({ priceBand: { pct: 20 }, maxDrawdownPct: 5 });
    r.tick({ A: 100, B: 50 });
    await r.buy('A', 100);
    r.tick({ A: 1000, B: 51 }, T0 + 60_000); // spike on A, B normal
    const q = r.logger.entries.filter((e) => e.msg === 'risk: price quarantined');
    expect(q).to.have.length(1);
    expect(q[0]?.fields).to.include({ asset: 'A' });
    expect(r.inner.marketEvents.at(-1)).to.deep.equal({ B: { open: 51, high: 51, low: 51, close: 51, volume: 1 } });
    expect(r.safe.snapshot().equity).to.equal(100_000); // A still marked at the last good price
    await expectRisk(r.buy('A', 1), 'RISK_PRICE_BAND'); // no order because of the spike
    expect(r.inner.ledger).to.have.length(1);
    await r.sell('A', 50); // exits stay allowed
    await r.buy('B', 1); // other assets trade normally
    // the spike reverts: A is tradable again, and no breaker tripped on the phantom gain/loss
    r.tick({ A: 101, B: 51 }, T0 + 120_000);
    await r.buy('A', 1);
    expect(r.safe.tradingState).to.equal('ACTIVE');
  });

  it('F27: prices just inside the band are accepted; repeated agreeing out-of-band prices become the new level', async () => {
    const r = await rig({ priceBand: { pct: 10, acceptAfter: 3 } });
    r.tick({ A: 100 });
    r.tick({ A: 110 }); // exactly at the band
    r.tick({ A: 99.00001 }); // 9.99999% below 110
    expect(r.logger.entries.filter((e) => e.msg === 'risk: price quarantined')).to.have.length(0);
    r.tick({ A: 200 }); r.tick({ A: 201 });
    expect(r.safe.snapshot().quarantinedPrices).to.equal(2);
    await expectRisk(r.buy('A', 1), 'RISK_PRICE_BAND');
    r.tick({ A: 202 }); // third agreeing price: accepted as a real gap
    await r.buy('A', 1);
    expect(r.inner.ledger[0]?.asset).to.equal('A');
  });

  it('F28: a stale instrument refuses risk-increasing orders; exits pass; fresh data recovers', async () => {
    const r = await rig({ maxDataStalenessSeconds: 30 });
    r.tick({ A: 10, B: 10 });
    await r.buy('A', 10);
    for (let s = 5; s <= 60; s += 5) r.tick({ B: 10 }, T0 + s * 1000); // heartbeats on B only; A goes silent
    const e = await expectRisk(r.buy('A', 1), 'RISK_MAX_DATA_STALENESS');
    expect(e.details['value']).to.equal(60);
    await r.buy('B', 1); // B is fresh
    await r.sell('A', 5); // exit allowed
    expect(await r.safe.cancelOrder('x')).to.equal(false);
    r.tick({ A: 10 }, T0 + 61_000);
    await r.buy('A', 1);
    expect(r.inner.ledger.map((o) => o.asset)).to.deep.equal(['A', 'B', 'A', 'A']);
  });

  it('F28: an asset never priced is stale', async () => {
    const r = await rig({ maxDataStalenessSeconds: 30 });
    await expectRisk(r.buy('Z', 1), 'RISK_MAX_DATA_STALENESS');
  });
});
