import { expect } from 'chai';
import type { MarketDataMap } from '@tradewire/core';
import { T0, bar, expectRisk, rig } from './support/helpers.js';

describe('strategy faults (F32)', () => {
  it('a strategy that throws on every bar: errors reported to SafeBroker trip the breaker after N; no order reaches the venue', async () => {
    const r = await rig({ circuitBreakers: { errorRate: { maxErrors: 5, windowSeconds: 600 } } });
    let calls = 0;
    const strategy = {
      onData(_ts: number, _d: MarketDataMap): void {
        calls++;
        throw new Error('boom');
      },
    };
    // a minimal engine loop: isolate each handler error and report it to the risk layer
    for (let i = 0; i < 20; i++) {
      const ts = T0 + i * 60_000;
      r.clock.set(ts);
      const data: MarketDataMap = { A: bar(10) };
      r.safe.onMarketData(ts, data, {});
      try { strategy.onData(ts, data); } catch (err) { r.safe.recordError('strategy', err); }
    }
    expect(calls).to.equal(20); // the loop survived every throw
    expect(r.safe.tradingState).to.equal('HALTED');
    expect(r.safe.snapshot().trip).to.include({ code: 'RISK_BREAKER_ERROR_RATE' });
    expect(r.inner.ledger).to.have.length(0);
    await expectRisk(r.buy('A', 1), 'RISK_KILL_SWITCH');
    expect(r.inner.ledger).to.have.length(0);
  });

  it('a throwing listener does not break order flow', async () => {
    const r = await rig({});
    r.safe.onFill(() => { throw new Error('listener'); });
    r.tick({ A: 10 });
    await r.buy('A', 1);
    expect(r.logger.entries.some((e) => e.msg === 'risk: listener threw')).to.equal(true);
  });
});
