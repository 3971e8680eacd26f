import { expect } from 'chai';
import { rig, expectRisk, T0, type Rig } from './support/helpers.js';
import { extendedContext, referencePrice, type LiveRiskConfigInput } from '@tradewire/risk';
import type { OrderIntent, RiskContext } from '@tradewire/core';

const EPS = 1e-6;

/** three orders at limit−ε, limit, limit+ε, each on a fresh rig prepared by `setup` */
async function boundary(
  config: LiveRiskConfigInput,
  setup: (r: Rig) => Promise<void>,
  order: (r: Rig, x: number) => Promise<unknown>,
  limit: number,
  code: string,
  opts: { atLimitPasses?: boolean; eps?: number } = {},
): Promise<void> {
  const eps = opts.eps ?? EPS;
  const atLimitPasses = opts.atLimitPasses ?? true;
  for (const [x, passes] of [[limit - eps, true], [limit, atLimitPasses], [limit + eps, false]] as const) {
    const r = await rig(config);
    await setup(r);
    const before = r.inner.ledger.length;
    if (passes) {
      await order(r, x);
      expect(r.inner.ledger.length, `order at ${x} reaches the broker`).to.equal(before + 1);
    } else {
      const err = await expectRisk(order(r, x), code);
      expect(r.inner.ledger.length, `order at ${x} never reaches the broker`).to.equal(before);
      expect(err.details).to.include.keys('policy', 'limit', 'value', 'clientOrderId');
    }
  }
}

const noop = async (): Promise<void> => {};

describe('risk policies at limit−ε, limit, limit+ε', () => {
  it('max_order_shares → RISK_MAX_ORDER_SHARES', async () => {
    await boundary({ maxOrderShares: 100 }, async (r) => r.tick({ A: 10 }), (r, x) => r.buy('A', x), 100, 'RISK_MAX_ORDER_SHARES');
  });

  it('max_order_value → RISK_MAX_ORDER_VALUE (quantity × last price)', async () => {
    await boundary({ maxOrderValue: 10_000 }, async (r) => r.tick({ A: 100 }), (r, x) => r.buy('A', x / 100), 10_000, 'RISK_MAX_ORDER_VALUE', { eps: 1e-4 });
  });

  it('rejection messages show values without float noise, yet never as equal to the limit they exceed; details keep the exact value', async () => {
    const r = await rig({ maxOrderValue: 1000 });
    r.tick({ A: 0.1 });
    const noisy = await expectRisk(r.buy('A', 10003), 'RISK_MAX_ORDER_VALUE'); // 10003 × 0.1 = 1000.3000000000001
    expect(noisy.message).to.contain('order value 1000.3 of A exceeds maxOrderValue 1000');
    expect(noisy.details['value']).to.equal(10003 * 0.1);
    const r2 = await rig({ maxOrderValue: 1000 });
    r2.tick({ A: 10 });
    const close = await expectRisk(r2.buy('A', 100.00000001), 'RISK_MAX_ORDER_VALUE'); // 1000.0000001: trimmed it would read "1000"
    expect(close.message).to.contain(`order value ${100.00000001 * 10} of A`);
  });

  it('max_order_value values a limit order at its limit price', async () => {
    const r = await rig({ maxOrderValue: 1000 });
    r.tick({ A: 10 });
    await expectRisk(r.buy('A', 10, { limitPrice: 100.01 }), 'RISK_MAX_ORDER_VALUE');
    await r.buy('A', 10, { limitPrice: 100 });
  });

  it('max_position_shares → RISK_MAX_POSITION_SHARES (existing position counts)', async () => {
    await boundary({ maxPositionShares: 100 }, async (r) => { r.tick({ A: 10 }); await r.buy('A', 40); }, (r, x) => r.buy('A', x - 40), 100, 'RISK_MAX_POSITION_SHARES');
  });

  it('max_position_shares counts a flip by its size after the flip', async () => {
    const r = await rig({ maxPositionShares: 100 });
    r.tick({ A: 10 });
    await r.buy('A', 100);
    await r.sell('A', 200);
    await expectRisk(r.sell('A', 0.5), 'RISK_MAX_POSITION_SHARES');
    await r.buy('A', 50); // reducing always passes
  });

  it('max_position_value → RISK_MAX_POSITION_VALUE', async () => {
    await boundary({ maxPositionValue: 5000 }, async (r) => { r.tick({ A: 50 }); await r.buy('A', 20); }, (r, x) => r.buy('A', x / 50 - 20), 5000, 'RISK_MAX_POSITION_VALUE', { eps: 1e-3 });
  });

  it('max_total_exposure → RISK_MAX_TOTAL_EXPOSURE (gross over all positions)', async () => {
    await boundary({ maxTotalExposure: 20_000 }, async (r) => { r.tick({ A: 100, B: 100 }); await r.buy('A', 100); }, (r, x) => r.sell('B', (x - 10_000) / 100), 20_000, 'RISK_MAX_TOTAL_EXPOSURE', { eps: 1e-3 });
  });

  it('max_positions → RISK_MAX_POSITIONS (count below, at and above the limit)', async () => {
    const r = await rig({ maxPositions: 2 });
    r.tick({ A: 10, B: 10, C: 10 });
    await r.buy('A', 1);
    await r.buy('B', 1); // 2 positions: at the limit
    await r.buy('A', 1); // adding to an existing one is not a new position
    const err = await expectRisk(r.buy('C', 1), 'RISK_MAX_POSITIONS');
    expect(err.details['limit']).to.equal(2);
    expect(err.details['value']).to.equal(3);
    await r.sell('A', 2); // close A
    await r.buy('C', 1);
  });

  it('max_orders_per_minute → RISK_MAX_ORDERS_PER_MINUTE, window slides', async () => {
    const r = await rig({ maxOrdersPerMinute: 3 });
    r.tick({ A: 10 });
    await r.buy('A', 1); await r.buy('A', 1); await r.buy('A', 1); // at the limit
    await expectRisk(r.buy('A', 1), 'RISK_MAX_ORDERS_PER_MINUTE');
    r.clock.set(T0 + 59_999);
    await expectRisk(r.buy('A', 1), 'RISK_MAX_ORDERS_PER_MINUTE');
    r.clock.set(T0 + 60_000);
    await r.buy('A', 1);
    expect(r.inner.ledger).to.have.length(4);
  });

  it('max_daily_loss → RISK_MAX_DAILY_LOSS (loss ≥ limit refuses risk-increasing orders)', async () => {
    const cfg: LiveRiskConfigInput = { maxDailyLoss: 1000, circuitBreakers: { dailyLoss: { enabled: false } } };
    const cases: [number, boolean][] = [[90.0001, true], [90, false], [89.9999, false]]; // loss 999.99, 1000, 1000.01
    for (const [price, passes] of cases) {
      const r = await rig(cfg);
      r.tick({ A: 100, B: 10 });
      await r.buy('A', 100);
      r.tick({ A: price, B: 10 }, T0 + 1000);
      if (passes) await r.buy('B', 1);
      else {
        const e = await expectRisk(r.buy('B', 1), 'RISK_MAX_DAILY_LOSS');
        expect(e.details['limit']).to.equal(1000);
        await r.sell('A', 50); // reducing still allowed
      }
    }
  });

  it('max_drawdown → RISK_MAX_DRAWDOWN (drawdown % from the peak)', async () => {
    const cfg: LiveRiskConfigInput = { maxDrawdownPct: 10, circuitBreakers: { drawdown: { enabled: false } } };
    for (const [price, passes] of [[90.01, true], [90, false], [89.99, false]] as const) {
      const r = await rig(cfg);
      r.tick({ A: 100, B: 1 });
      await r.buy('A', 1000); // all cash in A: equity = 1000 × price
      r.tick({ A: price, B: 1 }, T0 + 1000);
      if (passes) await r.buy('B', 1);
      else await expectRisk(r.buy('B', 1), 'RISK_MAX_DRAWDOWN');
    }
  });

  it('max_price_deviation → RISK_MAX_PRICE_DEVIATION (limit vs last price, both sides)', async () => {
    await boundary({ maxPriceDeviationPct: 5 }, async (r) => r.tick({ A: 100 }), (r, x) => r.buy('A', 1, { limitPrice: 100 + x }), 5, 'RISK_MAX_PRICE_DEVIATION', { eps: 1e-4 });
    const r = await rig({ maxPriceDeviationPct: 5 });
    r.tick({ A: 100 });
    await expectRisk(r.buy('A', 1, { limitPrice: 94.9999 }), 'RISK_MAX_PRICE_DEVIATION');
    await r.buy('A', 1, { limitPrice: 95 });
  });

  it('max_data_staleness → RISK_MAX_DATA_STALENESS (age of the last price)', async () => {
    await boundary({ maxDataStalenessSeconds: 60 }, async (r) => r.tick({ A: 10 }), (r, x) => { r.clock.set(T0 + x * 1000); return r.buy('A', 1); }, 60, 'RISK_MAX_DATA_STALENESS', { eps: 1e-3 });
  });

  it('dedup → RISK_DEDUP (identical order inside the window)', async () => {
    // window 10 s: a repeat at 10 s − ε is refused, at 10 s and 10 s + ε accepted
    for (const [dt, passes] of [[9_999, false], [10_000, true], [10_001, true]] as const) {
      const r = await rig({ dedupWindowSeconds: 10 });
      r.tick({ A: 10 });
      await r.buy('A', 5);
      r.clock.set(T0 + dt);
      if (passes) await r.buy('A', 5);
      else await expectRisk(r.buy('A', 5), 'RISK_DEDUP');
      await r.buy('A', 6); // a different order passes
    }
  });

  it('allowed_assets → RISK_ALLOWED_ASSETS; blocked_assets → RISK_BLOCKED_ASSETS', async () => {
    const r = await rig({ allowedAssets: ['A', 'B'], blockedAssets: ['B'] });
    r.tick({ A: 10, B: 10, C: 10 });
    await r.buy('A', 1);
    await expectRisk(r.buy('C', 1), 'RISK_ALLOWED_ASSETS');
    await expectRisk(r.buy('B', 1), 'RISK_BLOCKED_ASSETS');
  });

  it('a policy with no price fails closed (RISK_MAX_ORDER_VALUE, value "no price")', async () => {
    const r = await rig({ maxOrderValue: 1e9 });
    const e = await expectRisk(r.buy('ZZZ', 1), 'RISK_MAX_ORDER_VALUE');
    expect(e.details['value']).to.equal('no price');
    expect(r.inner.ledger).to.have.length(0);
  });

  it('Infinity disables a limit; 0 allows nothing', async () => {
    const r = await rig({ maxOrderShares: 'Infinity', maxOrderValue: null, maxPositions: Infinity });
    r.tick({ A: 10 });
    await r.buy('A', 1e9);
    const z = await rig({ maxOrderShares: 0 });
    z.tick({ A: 10 });
    await expectRisk(z.buy('A', 1e-9), 'RISK_MAX_ORDER_SHARES');
  });

  it('policies run in the declared order: the first refusal wins', async () => {
    const a = await rig({ maxOrderShares: 1, maxOrderValue: 1, policies: ['max_order_value', 'max_order_shares'] });
    a.tick({ A: 10 });
    await expectRisk(a.buy('A', 5), 'RISK_MAX_ORDER_VALUE');
    const b = await rig({ maxOrderShares: 1, maxOrderValue: 1, policies: ['max_order_shares', 'max_order_value'] });
    b.tick({ A: 10 });
    await expectRisk(b.buy('A', 5), 'RISK_MAX_ORDER_SHARES');
    const c = await rig({ maxOrderShares: 1, maxOrderValue: 1, policies: [] });
    c.tick({ A: 10 });
    await c.buy('A', 5);
    expect(a.safe.policyNames).to.deep.equal(['max_order_value', 'max_order_shares']);
  });
});

describe('the reference price an order is valued at', () => {
  const ctx = (lastPrice?: number): RiskContext => ({ now: 0, positions: [], cash: 0, accountValue: 0, reducesPosition: false, state: {}, ...(lastPrice !== undefined ? { lastPrice } : {}) });
  const order = (o: Partial<OrderIntent>): OrderIntent => ({ clientOrderId: 'r1', asset: 'A', side: 'BUY', quantity: 1, orderType: 'MARKET', timeInForce: 'DAY', createdAt: 0, ...o });

  it('is the same through SafeBroker and for a built-in policy given core\'s plain context: limit price, else last price, else a STOP\'s stop price', () => {
    const cases: [Partial<OrderIntent>, number | undefined, number | undefined][] = [
      [{ orderType: 'LIMIT', limitPrice: 10 }, 12, 10],
      [{ orderType: 'STOP_LIMIT', stopPrice: 9, limitPrice: 10 }, undefined, 10],
      [{ orderType: 'LIMIT' }, 12, 12], // no limit price: the last price
      [{ orderType: 'STOP', stopPrice: 9 }, undefined, 9], // no market price yet: the stop price
      [{ orderType: 'STOP', stopPrice: 9 }, 12, 12],
      [{ orderType: 'MARKET' }, 12, 12],
      [{ orderType: 'MARKET' }, undefined, undefined],
    ];
    for (const [o, last, expected] of cases) {
      expect(referencePrice(order(o), last), JSON.stringify([o, last])).to.equal(expected);
      expect(extendedContext(order(o), ctx(last)).referencePrice, JSON.stringify([o, last])).to.equal(expected);
    }
  });
});
