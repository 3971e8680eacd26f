import { expect } from 'chai';
import fc from 'fast-check';
import { MemoryLogger, SimulatedClock, applyFillToPosition, markPosition, type OrderIntent, type Position, type RiskContext, type RiskRejection } from '@tradewire/core';
import {
  AllowedAssetsPolicy, BlockedAssetsPolicy, MaxDailyLossPolicy, MaxDataStalenessPolicy, MaxDrawdownPolicy, MaxPositionSharesPolicy,
  MaxPositionValuePolicy, MaxPositionsPolicy, MaxTotalExposurePolicy, PriceBandPolicy, SafeBroker, SessionCalendar, VirtualPortfolio,
  parseRiskConfig, type SafeRiskContext, type StatefulRiskPolicy,
} from '@tradewire/risk';
import { LedgerBroker, T0, expectRisk, intent, rig } from './support/helpers.js';

describe('risk hot path: same results as the straightforward forms', () => {
  it('UTC sessions (plain arithmetic) label exactly as the Intl path does', () => {
    for (const boundary of ['00:00', '09:30', '17:00', '23:59']) {
      fc.assert(fc.property(fc.array(fc.integer({ min: -3 * 86_400_000, max: 40 * 86_400_000 }), { minLength: 1, maxLength: 50 }), (offsets) => {
        const fast = new SessionCalendar('UTC', boundary);
        const intl = new SessionCalendar('Etc/GMT0', boundary); // a UTC zone that takes the Intl path
        return offsets.every((o) => fast.label(T0 + o) === intl.label(T0 + o));
      }), { numRuns: 100, seed: 3 });
    }
  });

  it('VirtualPortfolio applies fills in place with the arithmetic of core applyFillToPosition', () => {
    const fill = fc.record({ buy: fc.boolean(), qty: fc.double({ min: 0.001, max: 500, noNaN: true }), price: fc.double({ min: 0.5, max: 2000, noNaN: true }) });
    fc.assert(fc.property(fc.array(fill, { minLength: 1, maxLength: 60 }), (fills) => {
      const v = new VirtualPortfolio(1_000_000);
      let ref: Position | undefined;
      for (const f of fills) {
        v.mark('A', f.price);
        v.execute('A', f.buy ? 'BUY' : 'SELL', f.qty, f.price);
        ref = markPosition(applyFillToPosition(ref, 'A', f.buy ? f.qty : -f.qty, f.price).position, f.price);
        const got = v.positionRef('A');
        if (!got || got.quantity !== ref.quantity || got.avgEntryPrice !== ref.avgEntryPrice || got.realizedPnl !== ref.realizedPnl || got.unrealizedPnl !== ref.unrealizedPnl) return false;
      }
      return true;
    }), { numRuns: 200, seed: 11 });
  });

  it('a policy reads the position, last price, positions list and figures of each order (context reused between orders)', async () => {
    type Seen = { position: number | undefined; last: number | undefined; at: number | undefined; ref: number | undefined; open: number; reduces: boolean };
    const seen: Seen[] = [];
    const copies: (number | undefined)[][] = [];
    const spy = {
      name: 'spy',
      check(_o: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
        // lastPrice, lastPriceAt and referencePrice are getters over number-only fields (NaN = none): none must read as undefined
        const ref = (ctx as SafeRiskContext).referencePrice;
        seen.push({ position: ctx.position?.quantity, last: ctx.lastPrice, at: ctx.lastPriceAt, ref, open: ctx.positions.length, reduces: ctx.reducesPosition });
        // a copy of the context (a policy logging it) carries them too
        const copy = { ...ctx } as SafeRiskContext;
        copies.push([copy.lastPrice, copy.lastPriceAt, copy.referencePrice]);
        return undefined;
      },
    };
    const clock = new SimulatedClock(T0);
    const inner = new LedgerBroker();
    const safe = new SafeBroker(inner, { config: parseRiskConfig({ policies: ['spy', 'max_order_shares'], maxOrderShares: 100 }), clock, logger: new MemoryLogger(), customPolicies: { spy }, persistIntervalMs: 0 });
    await safe.connect();
    safe.onMarketData(T0, { A: { open: 10, high: 10, low: 10, close: 10, volume: 1 }, B: { open: 20, high: 20, low: 20, close: 20, volume: 1 } }, {});
    await safe.submitOrder(intent('A', 'BUY', 5, { createdAt: T0 }));
    await safe.submitOrder(intent('B', 'SELL', 2, { createdAt: T0 }));
    await safe.submitOrder(intent('A', 'SELL', 5, { createdAt: T0 }));
    await safe.submitOrder(intent('C', 'BUY', 1, { createdAt: T0 }));
    await safe.submitOrder(intent('C', 'BUY', 1, { createdAt: T0, limitPrice: 7 }));
    safe.onMarketData(T0 + 60_000, { A: { open: 11, high: 11, low: 11, close: 11, volume: 1 } }, {});
    await safe.submitOrder(intent('A', 'BUY', 1, { createdAt: T0 + 60_000, limitPrice: 10.5 }));
    expect(seen).to.deep.equal([
      { position: undefined, last: 10, at: T0, ref: 10, open: 0, reduces: false },
      { position: undefined, last: 20, at: T0, ref: 20, open: 1, reduces: false },
      { position: 5, last: 10, at: T0, ref: 10, open: 2, reduces: true },
      { position: undefined, last: undefined, at: undefined, ref: undefined, open: 1, reduces: false },
      { position: undefined, last: undefined, at: undefined, ref: 7, open: 1, reduces: false },
      { position: undefined, last: 11, at: T0 + 60_000, ref: 10.5, open: 1, reduces: false },
    ]);
    expect(copies).to.deep.equal(seen.map((x) => [x.last, x.at, x.ref]));
  });

  it('a refusal is a rejected promise, never a synchronous throw; a listener added twice is called once', async () => {
    const r = await rig({ maxOrderShares: 1 });
    let fills = 0;
    const l = (): void => { fills++; };
    r.safe.onFill(l);
    r.safe.onFill(l);
    r.tick({ A: 10 });
    let p: Promise<unknown> | undefined;
    expect(() => { p = r.safe.submitOrder(intent('A', 'BUY', 2, { createdAt: r.clock.now() })); }).to.not.throw();
    await expectRisk(p as Promise<unknown>, 'RISK_MAX_ORDER_SHARES');
    await r.buy('A', 1);
    expect(fills).to.equal(1);
  });

  it('the built-ins the gate skips for reducing orders (passesReducing) pass any reducing order, and refuse the same order adding risk', () => {
    // the policies flagged `passesReducing` in src/policies (keep this list in step with the flags)
    const skipped: StatefulRiskPolicy[] = [
      new AllowedAssetsPolicy(['Z']), new BlockedAssetsPolicy(['A']), new PriceBandPolicy(), new MaxDataStalenessPolicy(0),
      new MaxPositionSharesPolicy(0), new MaxPositionValuePolicy(0), new MaxPositionsPolicy(0), new MaxTotalExposurePolicy(0),
      new MaxDailyLossPolicy(0), new MaxDrawdownPolicy(0),
    ];
    const held: Position = { asset: 'A', quantity: 10, avgEntryPrice: 100, currentPrice: 100, unrealizedPnl: 0, realizedPnl: 0 };
    // every figure as bad as it gets: quarantined, no price seen, huge loss, drawdown and exposure
    const ctx = (reduces: boolean): SafeRiskContext => ({
      now: T0, positions: [held], cash: 0, accountValue: 1, reducesPosition: reduces, state: {},
      grossExposure: 1e12, openPositions: 1e6, dailyLoss: 1e12, drawdownPct: 100, quarantined: true, increasesRisk: !reduces, referencePrice: 100,
      ...(reduces ? { position: held } : {}), // adding risk: a new position (max_positions refuses only those)
    });
    const order: OrderIntent = { clientOrderId: 'o', asset: 'A', side: 'SELL', quantity: 3, orderType: 'MARKET', timeInForce: 'DAY', createdAt: T0 };
    for (const p of skipped) {
      expect(p.check(order, ctx(true)), p.name).to.equal(undefined);
      expect(p.check(order, ctx(false)), p.name).to.not.equal(undefined);
    }
  });
});
