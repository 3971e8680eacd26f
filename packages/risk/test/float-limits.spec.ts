import { expect } from 'chai';
import { CircuitBreakers, LIMIT_TOLERANCE, atLimit, parseRiskConfig, reachesLimit, withinLimit, type LiveRiskConfigInput } from '@tradewire/risk';
import { LedgerBroker, T0, expectRisk, rig } from './support/helpers.js';

/** an order whose value is the limit in decimal but lands a few ulps above it in float passes; a real excess is refused */
async function passesAtLimit(config: LiveRiskConfigInput, prices: Record<string, number>, orders: [string, number][], code: string, over: [string, number]): Promise<void> {
  const r = await rig(config);
  r.tick(prices);
  for (const [a, q] of orders) await r.buy(a, q);
  expect(r.inner.ledger, 'every order at the limit reaches the broker').to.have.length(orders.length);
  const x = await rig(config);
  x.tick(prices);
  for (const [a, q] of orders.slice(0, -1)) await x.buy(a, q);
  await expectRisk(x.buy(over[0], over[1]), code);
}

describe('limits compared up to float rounding (a computed value equal to the limit is AT the limit)', () => {
  it('the helper: a few ulps count as equal, a real difference does not; NaN and disabled limits never match', () => {
    expect(3 * 0.1).to.not.equal(0.3); // the noise this is about
    expect(withinLimit(3 * 0.1, 0.3)).to.equal(true);
    expect(withinLimit(375 * 8.8, 3300)).to.equal(true);
    expect(withinLimit(0.3 * (1 + 1e-10), 0.3)).to.equal(false);
    expect(withinLimit(1000.0000001, 1000)).to.equal(false);
    expect(reachesLimit(28.999999999999996, 29)).to.equal(true);
    expect(reachesLimit(28.9999999, 29)).to.equal(false);
    // scale: a difference of large numbers carries their rounding
    expect(reachesLimit(6.599999999627471, 6.6)).to.equal(false);
    expect(reachesLimit(6.599999999627471, 6.6, 10_000_000)).to.equal(true);
    expect(reachesLimit(6.5999, 6.6, 10_000_000)).to.equal(false);
    for (const f of [withinLimit, reachesLimit, atLimit]) expect(f(Number.NaN, 1), f.name).to.equal(false);
    expect(reachesLimit(29_000, Infinity)).to.equal(false);
    expect(reachesLimit(29_000, Infinity, 100)).to.equal(false);
    expect(atLimit(1e300, Infinity)).to.equal(false);
    expect(withinLimit(Infinity, Infinity)).to.equal(true);
    expect(withinLimit(1e-300, 0)).to.equal(false); // 0 allows nothing
    expect(LIMIT_TOLERANCE).to.be.at.most(1e-12);
  });

  it('max_order_value: 3 @ 0.1 vs 0.3, 375 × 8.8 vs 3300, 125 × 128.8 vs 16100 pass; details keep the exact value', async () => {
    await passesAtLimit({ maxOrderValue: 0.3 }, { A: 0.1 }, [['A', 3]], 'RISK_MAX_ORDER_VALUE', ['A', 3.0001]);
    await passesAtLimit({ maxOrderValue: 3300 }, { A: 8.8 }, [['A', 375]], 'RISK_MAX_ORDER_VALUE', ['A', 375.01]);
    await passesAtLimit({ maxOrderValue: 16_100 }, { A: 128.8 }, [['A', 125]], 'RISK_MAX_ORDER_VALUE', ['A', 125.01]);
    const r = await rig({ maxOrderValue: 3299.99 });
    r.tick({ A: 8.8 });
    const e = await expectRisk(r.buy('A', 375), 'RISK_MAX_ORDER_VALUE');
    expect(e.details['value']).to.equal(375 * 8.8);
    expect(e.details['value']).to.equal(3300.0000000000005);
    expect(e.message).to.contain('order value 3300 of A exceeds maxOrderValue 3299.99');
  });

  it('max_position_value: 3 @ 0.1 vs 0.3 (added to a position) passes', async () => {
    await passesAtLimit({ maxPositionValue: 0.3 }, { A: 0.1 }, [['A', 1], ['A', 2]], 'RISK_MAX_POSITION_VALUE', ['A', 2.0001]);
  });

  it('max_position_shares: 0.1 + 0.2 units vs 0.3 passes', async () => {
    await passesAtLimit({ maxPositionShares: 0.3 }, { A: 10 }, [['A', 0.1], ['A', 0.2]], 'RISK_MAX_POSITION_SHARES', ['A', 0.2001]);
  });

  it('max_total_exposure: 4 @ 0.1 + 3 @ 0.1 vs 0.7 passes', async () => {
    await passesAtLimit({ maxTotalExposure: 0.7 }, { A: 0.1, B: 0.1 }, [['A', 4], ['B', 3]], 'RISK_MAX_TOTAL_EXPOSURE', ['B', 3.0001]);
  });

  it('max_price_deviation: limit price 0.33 (and 0.27) against last 0.3 is exactly 10%: passes; 0.3301 is refused', async () => {
    const r = await rig({ maxPriceDeviationPct: 10 });
    r.tick({ A: 0.3 });
    await r.buy('A', 1, { limitPrice: 0.33 });
    await r.sell('A', 1, { limitPrice: 0.27 });
    expect(r.inner.ledger).to.have.length(2);
    const e = await expectRisk(r.buy('A', 1, { limitPrice: 0.3301 }), 'RISK_MAX_PRICE_DEVIATION');
    expect(e.details['value']).to.equal((Math.abs(0.3301 - 0.3) / 0.3) * 100);
  });

  it('price band: 0.3 → 0.33 → 0.3 is exactly 10% each way: not quarantined; 0.3301 is', async () => {
    const r = await rig({ priceBand: { pct: 10 } });
    r.tick({ A: 0.3 });
    r.tick({ A: 0.33 });
    r.tick({ A: 0.297 });
    expect(r.safe.snapshot().quarantinedPrices).to.equal(0);
    r.tick({ A: 0.3 });
    r.tick({ A: 0.3301 });
    expect(r.safe.snapshot().quarantinedPrices).to.equal(1);
  });

  it('drawdown breaker: maxDrawdownPct 29 trips at equity exactly 71000 from a 100000 peak (computed 28.999999999999996); 7 at 93000 too', async () => {
    for (const [pct, price] of [[29, 71], [7, 93]] as const) {
      const r = await rig({ maxDrawdownPct: pct });
      r.tick({ A: 100 });
      await r.buy('A', 1000); // equity = 1000 × price
      r.tick({ A: price + 0.01 }, T0 + 60_000);
      expect(r.safe.tradingState, `${pct}% just above`).to.equal('ACTIVE');
      r.tick({ A: price }, T0 + 120_000);
      expect(r.safe.tradingState, `${pct}% at ${price * 1000}`).to.equal('HALTED');
      expect(r.safe.snapshot().trip).to.include({ breaker: 'drawdown', code: 'RISK_BREAKER_DRAWDOWN' });
    }
  });

  it('max_drawdown policy: refuses new risk at exactly 29% (equity 71000 from 100000), passes at 71010', async () => {
    const cfg: LiveRiskConfigInput = { maxDrawdownPct: 29, circuitBreakers: { drawdown: { enabled: false } } };
    for (const [price, passes] of [[71.01, true], [71, false]] as const) {
      const r = await rig(cfg);
      r.tick({ A: 100, B: 1 });
      await r.buy('A', 1000);
      r.tick({ A: price, B: 1 }, T0 + 1000);
      if (passes) await r.buy('B', 1);
      else {
        const e = await expectRisk(r.buy('B', 1), 'RISK_MAX_DRAWDOWN');
        expect(e.details['value']).to.equal(28.999999999999996); // the exact computed value
      }
    }
  });

  it('daily loss: a loss of exactly 375 (375 @ 256.4 → 255.4, computed 374.99999999998545) trips the breaker and refuses new risk', async () => {
    const r = await rig({ maxDailyLoss: 375 });
    r.tick({ A: 256.4, B: 1 });
    await r.buy('A', 375);
    r.tick({ A: 255.41, B: 1 }, T0 + 1000);
    expect(r.safe.tradingState).to.equal('ACTIVE');
    r.tick({ A: 255.4, B: 1 }, T0 + 2000);
    expect(r.safe.snapshot().dailyLoss).to.equal(374.99999999998545);
    expect(r.safe.tradingState).to.equal('HALTED');
    expect(r.safe.snapshot().trip).to.include({ breaker: 'daily_loss', code: 'RISK_BREAKER_DAILY_LOSS' });
    const p = await rig({ maxDailyLoss: 375, circuitBreakers: { dailyLoss: { enabled: false } } });
    p.tick({ A: 256.4, B: 1 });
    await p.buy('A', 375);
    p.tick({ A: 255.4, B: 1 }, T0 + 1000);
    const e = await expectRisk(p.buy('B', 1), 'RISK_MAX_DAILY_LOSS');
    expect(e.details['value']).to.equal(374.99999999998545);
    expect(e.message).to.contain('daily loss 375 reached maxDailyLoss 375');
  });

  it('daily loss on a large account: 6.6 lost of 10,000,000 (computed 6.599999999627471, the rounding of 10M) reaches maxDailyLoss 6.6', async () => {
    const cfg: LiveRiskConfigInput = { maxDailyLoss: 6.6, circuitBreakers: { dailyLoss: { enabled: false } } };
    for (const [price, passes] of [[0.0101, true], [0.01, false]] as const) {
      const r = await rig(cfg, { inner: new LedgerBroker(10_000_000) });
      r.tick({ A: 0.21, B: 1 });
      await r.buy('A', 33);
      r.tick({ A: price, B: 1 }, T0 + 1000);
      if (passes) await r.buy('B', 1);
      else expect((await expectRisk(r.buy('B', 1), 'RISK_MAX_DAILY_LOSS')).details['value']).to.equal(6.599999999627471);
    }
    const b = await rig({ maxDailyLoss: 6.6 }, { inner: new LedgerBroker(10_000_000) });
    b.tick({ A: 0.21 });
    await b.buy('A', 33);
    b.tick({ A: 0.01 }, T0 + 1000);
    expect(b.safe.snapshot().trip).to.include({ breaker: 'daily_loss' });
  });

  it('cool-down: a drawdown still at its limit up to rounding is not cleared', () => {
    const b = new CircuitBreakers(parseRiskConfig({ maxDrawdownPct: 29 }));
    expect(b.markEquity(T0, 100_000)).to.equal(0);
    const dd = b.markEquity(T0 + 1, 71_000);
    expect(dd).to.equal(28.999999999999996);
    expect(b.checkDrawdown(dd)?.code).to.equal('RISK_BREAKER_DRAWDOWN');
    expect(b.cleared('drawdown', T0 + 2, dd, 0)).to.equal(false);
    expect(b.cleared('drawdown', T0 + 2, 28.99, 0)).to.equal(true);
  });
});
