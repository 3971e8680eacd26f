import { expect } from 'chai';
import { CircuitBreakers, RollingPeak, parseRiskConfig } from '@tradewire/risk';
import { T0, expectRisk, rig } from './support/helpers.js';

describe('circuit breakers and trading state', () => {
  it('drawdown from the peak over the lookback trips HALTED (kill switch engaged, audited)', async () => {
    const r = await rig({ maxDrawdownPct: 10 });
    r.tick({ A: 100, B: 1 });
    await r.buy('A', 1000); // equity = 1000 × price
    r.tick({ A: 90.01, B: 1 }, T0 + 60_000);
    expect(r.safe.tradingState).to.equal('ACTIVE');
    r.tick({ A: 90, B: 1 }, T0 + 120_000);
    expect(r.safe.tradingState).to.equal('HALTED');
    expect(r.safe.snapshot().trip).to.include({ breaker: 'drawdown', code: 'RISK_BREAKER_DRAWDOWN' });
    await expectRisk(r.buy('B', 1), 'RISK_KILL_SWITCH');
    await expectRisk(r.sell('A', 10), 'RISK_KILL_SWITCH'); // HALTED: partial reductions refused
    await r.sell('A', 1000); // a closing order passes
    expect(r.safe.auditTrail().map((a) => a.action)).to.deep.equal(['trip']);
  });

  it('the drawdown peak expires after the lookback', async () => {
    const r = await rig({ circuitBreakers: { drawdown: { pct: 10, lookbackMinutes: 5 } } });
    r.tick({ A: 100 });
    await r.buy('A', 1000);
    r.tick({ A: 95 }, T0 + 60_000);
    r.tick({ A: 95 }, T0 + 6 * 60_000); // the 100 peak is now older than 5 minutes
    r.tick({ A: 86 }, T0 + 7 * 60_000); // 9.47% below the 95 peak, 14% below the expired 100
    expect(r.safe.tradingState).to.equal('ACTIVE');
    r.tick({ A: 85.5 }, T0 + 8 * 60_000); // 10% below 95
    expect(r.safe.tradingState).to.equal('HALTED');
    const p = new RollingPeak(1000);
    expect([p.push(0, 5), p.push(500, 3), p.push(1001, 2), p.push(1600, 1)]).to.deep.equal([5, 5, 3, 2]);
  });

  it('REDUCING allows only risk-reducing orders', async () => {
    const r = await rig({ maxDailyLoss: 1000, circuitBreakers: { dailyLoss: { action: 'REDUCING' } } });
    r.tick({ A: 100, B: 10 });
    await r.buy('A', 100);
    r.tick({ A: 89, B: 10 }, T0 + 1000); // loss 1100
    expect(r.safe.tradingState).to.equal('REDUCING');
    await expectRisk(r.buy('B', 1), 'RISK_REDUCING_ONLY');
    await expectRisk(r.sell('A', 101), 'RISK_REDUCING_ONLY'); // a flip adds risk
    await r.sell('A', 40);
    await r.sell('A', 60);
    expect(r.inner.ledger.map((o) => o.quantity)).to.deep.equal([100, 40, 60]);
  });

  it('daily loss trips HALTED once per session; resume is manual by default', async () => {
    const r = await rig({ maxDailyLoss: 1000 });
    r.tick({ A: 100, B: 10 });
    await r.buy('A', 100);
    r.tick({ A: 90, B: 10 }, T0 + 1000);
    expect(r.safe.tradingState).to.equal('HALTED');
    r.tick({ A: 100, B: 10 }, T0 + 2000);
    expect(r.safe.tradingState).to.equal('HALTED');
    r.safe.resume('loss reviewed', 'dana');
    r.tick({ A: 89, B: 10 }, T0 + 3000); // same session: the breaker does not trip again…
    expect(r.safe.tradingState).to.equal('ACTIVE');
    await expectRisk(r.buy('B', 1), 'RISK_MAX_DAILY_LOSS'); // …but the policy still refuses new risk
  });

  it('F34: a runaway order loop trips the kill switch within K orders (order-rate breaker)', async () => {
    const r = await rig({ circuitBreakers: { orderRate: { maxAttemptsPerMinute: 5 } } });
    r.inner.mode = 'reject'; // the venue rejects every order
    r.tick({ A: 10 });
    for (let i = 0; i < 50; i++) {
      r.clock.advance(100);
      r.tick({ A: 10 });
      await r.buy('A', 1).catch(() => undefined);
    }
    expect(r.inner.ledger.length).to.be.at.most(5);
    expect(r.safe.killSwitchEngaged).to.equal(true);
    expect(r.safe.snapshot().trip?.code).to.equal('RISK_BREAKER_ORDER_RATE');
  });

  it('F34: venue rejections trip the error-rate breaker above maxErrors (a rejection counted once)', async () => {
    const r = await rig({ circuitBreakers: { errorRate: { maxErrors: 3, windowSeconds: 60 } } });
    r.inner.mode = 'reject';
    r.tick({ A: 10 });
    const states: string[] = [];
    for (let i = 0; i < 20; i++) {
      r.clock.advance(1000);
      await r.buy('A', 1 + i).catch(() => undefined);
      states.push(r.safe.tradingState);
    }
    expect(states.slice(0, 4)).to.deep.equal(['ACTIVE', 'ACTIVE', 'ACTIVE', 'HALTED']); // the 3rd error is allowed, the 4th trips
    expect(r.inner.ledger.length).to.equal(4);
    expect(r.safe.snapshot().trip?.code).to.equal('RISK_BREAKER_ERROR_RATE');
    expect(r.safe.tradingState).to.equal('HALTED');
  });

  it('F34: repeated identical intents are refused by dedup inside the window', async () => {
    const r = await rig({ dedupWindowSeconds: 5 });
    r.inner.mode = 'reject';
    r.tick({ A: 10 });
    let dup = 0;
    for (let i = 0; i < 20; i++) {
      r.clock.advance(1000);
      await r.buy('A', 1).catch((e: { code?: string }) => { if (e.code === 'RISK_DEDUP') dup++; });
    }
    expect(r.inner.ledger.length).to.equal(4);
    expect(dup).to.equal(16);
  });

  it('broker errors count towards the error-rate breaker and are rethrown', async () => {
    const r = await rig({ circuitBreakers: { errorRate: { maxErrors: 2 } } });
    r.inner.mode = 'throw';
    r.tick({ A: 10 });
    let msg = '';
    await r.buy('A', 1).catch((e: Error) => { msg = e.message; });
    expect(msg).to.equal('venue exploded');
    await r.buy('A', 2).catch(() => undefined);
    expect(r.safe.tradingState).to.equal('ACTIVE'); // maxErrors itself is allowed
    await r.buy('A', 3).catch(() => undefined);
    expect(r.safe.tradingState).to.equal('HALTED');
  });

  it('cool-down resume: lifts a breaker trip after the cool-down once the cause cleared', async () => {
    const r = await rig({ circuitBreakers: { errorRate: { maxErrors: 2, windowSeconds: 10 }, resume: { mode: 'cooldown', cooldownSeconds: 30 } } });
    r.inner.mode = 'throw';
    r.tick({ A: 10 });
    await r.buy('A', 1).catch(() => undefined);
    await r.buy('A', 2).catch(() => undefined);
    await r.buy('A', 4).catch(() => undefined);
    expect(r.safe.tradingState).to.equal('HALTED');
    expect(r.safe.killSwitchEngaged).to.equal(false); // cool-down trips halt without the kill switch
    r.inner.mode = 'fill';
    await expectRisk(r.buy('A', 7), 'RISK_HALTED');
    r.tick({ A: 10 }, T0 + 29_000);
    expect(r.safe.tradingState).to.equal('HALTED');
    r.tick({ A: 10 }, T0 + 30_000);
    expect(r.safe.tradingState).to.equal('ACTIVE');
    expect(r.safe.auditTrail().map((a) => a.action)).to.deep.equal(['trip', 'auto-resume']);
    await r.buy('A', 3);
  });

  it('error rate: maxErrors in the window is allowed and clears a trip for cool-down; one more trips and is not cleared', () => {
    const b = new CircuitBreakers(parseRiskConfig({ circuitBreakers: { errorRate: { maxErrors: 2, windowSeconds: 10 } } }));
    expect(b.recordError(T0)).to.equal(undefined);
    expect(b.recordError(T0 + 4000)).to.equal(undefined);
    expect(b.cleared('error_rate', T0 + 4000, 0, 0)).to.equal(true); // 2 = maxErrors
    const trip = b.recordError(T0 + 8000);
    expect(trip).to.include({ breaker: 'error_rate', code: 'RISK_BREAKER_ERROR_RATE', reason: '3 errors in 10s (max 2)' });
    expect(b.cleared('error_rate', T0 + 9000, 0, 0)).to.equal(false); // 3 in (T0 − 1 s, T0 + 9 s]
    expect(b.cleared('error_rate', T0 + 10_000, 0, 0)).to.equal(true); // the first fell out: 2 left
    const o = new CircuitBreakers(parseRiskConfig({ circuitBreakers: { orderRate: { maxAttemptsPerMinute: 2 } } }));
    expect([o.recordAttempt(T0), o.recordAttempt(T0), o.recordAttempt(T0)?.breaker]).to.deep.equal([undefined, undefined, 'order_rate']); // same rule
  });

  it('cancels always pass; closeAllPositions cancels pending orders and flattens while halted', async () => {
    const r = await rig({});
    r.tick({ A: 10, B: 20 });
    await r.buy('A', 5);
    await r.sell('B', 3);
    await r.buy('A', 1, { limitPrice: 9 }); // rests
    r.safe.halt('emergency', 'ops');
    expect(await r.safe.cancelOrder('nope')).to.equal(false);
    const closed = await r.safe.closeAllPositions('test');
    expect(closed.map((o) => [o.asset, o.side, o.quantity])).to.deep.equal([['A', 'SELL', 5], ['B', 'BUY', 3]]);
    expect(r.inner.cancels).to.have.length(2);
    expect(await r.inner.getPositions()).to.deep.equal([]);
  });
});
