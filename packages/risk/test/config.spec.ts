import { expect } from 'chai';
import { z } from 'zod';
import { AdapterRegistry, SimulatedClock, isTradingError, silentLogger } from '@tradewire/core';
import riskDefinitions, { LiveRiskConfig, SafeBroker, parseRiskConfig, DEFAULT_POLICY_ORDER } from '@tradewire/risk';
import { LedgerBroker } from './support/helpers.js';

function registry(): AdapterRegistry { return new AdapterRegistry().register(...riskDefinitions); }

async function configError(raw: unknown): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  let err: unknown;
  try { await registry().create('middleware', 'risk', raw); } catch (e) { err = e; }
  expect(isTradingError(err), `expected a ConfigError, got ${String(err)}`).to.equal(true);
  const e = err as { code: string; message: string; details: Record<string, unknown>; name: string };
  expect(e.name).to.equal('ConfigError');
  return e;
}

describe('LiveRiskConfig', () => {
  it('defaults: every limit disabled (Infinity), kill switch on, shadow off, default policy order', () => {
    const c = parseRiskConfig({});
    for (const k of ['maxPositionValue', 'maxPositionShares', 'maxTotalExposure', 'maxPositions', 'maxOrderValue', 'maxOrderShares', 'maxOrdersPerMinute', 'maxDailyLoss', 'maxDrawdownPct', 'maxPriceDeviationPct', 'maxDataStalenessSeconds'] as const) {
      expect(c[k], k).to.equal(Infinity);
    }
    expect(c.dedupWindowSeconds).to.equal(0);
    expect(c.killSwitchEnabled).to.equal(true);
    expect(c.shadowMode).to.equal(false);
    expect(c.policies).to.deep.equal([...DEFAULT_POLICY_ORDER]);
    expect(c.session).to.deep.equal({ timeZone: 'UTC', boundary: '00:00' });
    expect(c.circuitBreakers.resume.mode).to.equal('manual');
  });

  it('"Infinity", null and Infinity all disable a limit; -0 reads as 0', () => {
    const c = parseRiskConfig({ maxOrderValue: 'Infinity', maxDailyLoss: null, maxPositions: Infinity, maxOrderShares: -0 });
    expect(c.maxOrderValue).to.equal(Infinity);
    expect(c.maxDailyLoss).to.equal(Infinity);
    expect(c.maxPositions).to.equal(Infinity);
    expect(Object.is(c.maxOrderShares, 0)).to.equal(true);
  });

  for (const [key, value] of [['maxOrderValue', -1], ['maxDailyLoss', Number.NaN], ['maxOrderShares', '100'], ['maxDrawdownPct', 'infinity'], ['maxPositions', -Infinity], ['shadowMode', 'false']] as const) {
    it(`rejects ${key}: ${String(value)} with a ConfigError naming the key`, async () => {
      const e = await configError({ [key]: value });
      expect(e.code).to.equal('CONFIG_INVALID');
      expect(e.message).to.contain(key);
      expect(e.details['keys']).to.deep.equal([key]);
    });
  }

  for (const [key, value] of [['maxPositions', 1.5], ['maxOrdersPerMinute', 2.5], ['maxPositions', 0.1]] as const) {
    it(`rejects the count ${key}: ${value} (a count is a whole number) with a ConfigError naming the key`, async () => {
      const e = await configError({ [key]: value });
      expect(e.code).to.equal('CONFIG_INVALID');
      expect(e.message).to.contain(key).and.to.contain('whole number');
      expect(e.details['keys']).to.deep.equal([key]);
    });
  }

  it('the breakers\' counts (orderRate.maxAttemptsPerMinute, errorRate.maxErrors) must be whole numbers too', async () => {
    const a = await configError({ circuitBreakers: { orderRate: { maxAttemptsPerMinute: 10.5 } } });
    expect(a.message).to.contain('circuitBreakers.orderRate.maxAttemptsPerMinute').and.to.contain('whole number');
    const b = await configError({ circuitBreakers: { errorRate: { maxErrors: 2.5 } } });
    expect(b.message).to.contain('circuitBreakers.errorRate.maxErrors').and.to.contain('whole number');
  });

  it('counts accept whole numbers and disable with Infinity/"Infinity"/null; value limits stay fractional', () => {
    const c = parseRiskConfig({ maxPositions: 3, maxOrdersPerMinute: 'Infinity', circuitBreakers: { orderRate: { maxAttemptsPerMinute: null }, errorRate: { maxErrors: 0 } }, maxOrderShares: 1.5, maxOrderValue: 0.3 });
    expect([c.maxPositions, c.maxOrdersPerMinute, c.circuitBreakers.orderRate.maxAttemptsPerMinute, c.circuitBreakers.errorRate.maxErrors]).to.deep.equal([3, Infinity, Infinity, 0]);
    expect([c.maxOrderShares, c.maxOrderValue]).to.deep.equal([1.5, 0.3]);
  });

  it('registry-configured count policies (max_positions, max_orders_per_minute) refuse a fractional limit', async () => {
    for (const name of ['max_positions', 'max_orders_per_minute']) {
      let err: unknown;
      try { await registry().create('risk', name, { limit: 1.5 }); } catch (e) { err = e; }
      expect(isTradingError(err) && err.code, name).to.equal('CONFIG_INVALID');
      expect(String((err as Error).message)).to.contain('limit').and.to.contain('whole number');
      expect(await registry().create('risk', name, { limit: 2 })).to.have.property('limit', 2);
    }
    expect(await registry().create('risk', 'max_order_shares', { limit: 1.5 })).to.have.property('limit', 1.5);
  });

  it('rejects unknown keys and typos, naming them (B01)', async () => {
    const e = await configError({ maxDailyLos: 100 });
    expect(e.message).to.contain('maxDailyLos');
    const n = await configError({ circuitBreakers: { drawdown: { pct: 5, lookback: 3 } } });
    expect(n.message).to.contain('circuitBreakers.drawdown.lookback');
  });

  it('rejects a bad time zone, boundary and policy reference', async () => {
    expect((await configError({ session: { timeZone: 'Mars/Olympus' } })).message).to.contain('session.timeZone');
    expect((await configError({ session: { boundary: '25:00' } })).message).to.contain('session.boundary');
    expect((await configError({ policies: [42] })).message).to.contain('policies[0]');
  });

  it('an unknown policy name fails before the first order', async () => {
    const mw = await registry().create('middleware', 'risk', { policies: ['max_order_value', 'nope'] }).catch((e: unknown) => e);
    expect(isTradingError(mw) && mw.code).to.equal('ADAPTER_UNKNOWN');
    let err: unknown;
    try { new SafeBroker(new LedgerBroker(), { config: parseRiskConfig({ policies: ['nope'] }), clock: new SimulatedClock(0), logger: silentLogger }); } catch (e) { err = e; }
    expect(isTradingError(err) && err.code).to.equal('RISK_POLICY_UNKNOWN');
    try { new SafeBroker(new LedgerBroker(), { config: parseRiskConfig({ policies: ['dedup', 'dedup'] }), clock: new SimulatedClock(0), logger: silentLogger }); } catch (e) { err = e; }
    expect(isTradingError(err) && err.code).to.equal('CONFIG_INVALID');
  });

  it('the input side is representable as JSON Schema (for describe/README/dashboard forms)', () => {
    const js = z.toJSONSchema(LiveRiskConfig, { io: 'input' }) as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(js.additionalProperties).to.equal(false);
    expect(Object.keys(js.properties)).to.include.members(['maxDailyLoss', 'circuitBreakers', 'session', 'priceBand', 'shadow', 'policies']);
  });

  it('the schema is strict at every level', () => {
    expect(LiveRiskConfig.safeParse({ shadow: { slippage: 1 } }).success).to.equal(false);
    expect(LiveRiskConfig.safeParse({ priceBand: { pct: 10, acceptAfter: 0 } }).success).to.equal(false);
  });
});
