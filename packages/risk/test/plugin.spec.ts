import { expect } from 'chai';
import { z } from 'zod';
import { AdapterRegistry, MemoryKeyValueStore, MemoryLogger, SimulatedClock, container, defineRiskPolicy, riskPolicy, type BrokerProtocol, type Fill, type OrderIntent, type RiskContext, type RiskRejection } from '@tradewire/core';
import riskDefinitions, { SafeBroker, createRiskMiddleware, parseRiskConfig, riskMiddleware, limitSchema, reject } from '@tradewire/risk';
import { LedgerBroker, T0, bar, expectRisk, intent } from './support/helpers.js';

@riskPolicy('no_odd_lots', { configSchema: z.object({ lot: z.number().int().positive() }).strict() })
class NoOddLots {
  readonly name = 'no_odd_lots';
  check(order: OrderIntent): RiskRejection | undefined {
    return order.quantity % 100 === 0 ? undefined : reject('no_odd_lots', 'RISK_NO_ODD_LOTS', 'odd lot', 100, order.quantity);
  }
}

const maxNotionalPerAsset = defineRiskPolicy({
  name: 'max_asset_a',
  configSchema: z.object({ limit: limitSchema() }).strict(),
  create: (c) => ({ name: 'max_asset_a', check: (o: OrderIntent, ctx: RiskContext) => (o.asset === 'A' && o.quantity > c.limit ? reject('max_asset_a', 'RISK_MAX_ASSET_A', 'too much A', c.limit, o.quantity) : undefined) }),
});

describe('plugin wiring', () => {
  it('default export: the risk middleware and every built-in policy, registrable', () => {
    const reg = new AdapterRegistry().register(...riskDefinitions);
    expect(riskDefinitions[0]).to.equal(riskMiddleware);
    expect(reg.list('middleware')).to.deep.equal(['risk']);
    expect(reg.list('risk')).to.have.length(15);
    expect(reg.list('risk')).to.include.members(['max_order_value', 'max_daily_loss', 'dedup', 'price_band']);
  });

  it('the middleware wraps a broker in a SafeBroker that uses ctx.kv', async () => {
    const reg = new AdapterRegistry().register(...riskDefinitions);
    const kv = new MemoryKeyValueStore();
    const clock = new SimulatedClock(T0);
    const mw = await reg.create('middleware', 'risk', { maxOrderShares: 10 }, { kv, clock, logger: new MemoryLogger() });
    const inner = new LedgerBroker();
    const wrapped = await mw.wrap(inner, { container: container.createChildContainer(), clock, logger: new MemoryLogger(), kv });
    expect(wrapped).to.be.instanceOf(SafeBroker);
    await wrapped.connect();
    wrapped.onMarketData?.(T0, { A: bar(5) }, {});
    await expectRisk(wrapped.submitOrder(intent('A', 'BUY', 11)), 'RISK_MAX_ORDER_SHARES');
    await wrapped.submitOrder(intent('A', 'BUY', 10));
    expect(inner.ledger).to.have.length(1);
    expect(kv.keys('risk:')).to.include('risk:state');
  });

  it('user policies (decorated class or defineRiskPolicy) run in the declared order', async () => {
    const reg = new AdapterRegistry().register(...riskDefinitions, NoOddLots, maxNotionalPerAsset);
    const mw = createRiskMiddleware({ registry: reg });
    const reg2 = new AdapterRegistry().register(mw);
    const clock = new SimulatedClock(T0);
    const m = await reg2.create('middleware', 'risk', {
      maxOrderShares: 1000,
      policies: [{ use: 'max_asset_a', config: { limit: 150 } }, 'max_order_shares', { use: 'no_odd_lots', config: { lot: 100 } }],
    }, { clock });
    const inner = new LedgerBroker();
    const safe = (await m.wrap(inner, { container: container.createChildContainer(), clock, logger: new MemoryLogger() })) as SafeBroker & BrokerProtocol;
    expect(safe.policyNames).to.deep.equal(['max_asset_a', 'max_order_shares', 'no_odd_lots']);
    safe.onMarketData(T0, { A: bar(5), B: bar(5) }, {});
    await expectRisk(safe.submitOrder(intent('A', 'BUY', 250)), 'RISK_MAX_ASSET_A');
    await expectRisk(safe.submitOrder(intent('B', 'BUY', 2000)), 'RISK_MAX_ORDER_SHARES');
    await expectRisk(safe.submitOrder(intent('B', 'BUY', 150)), 'RISK_NO_ODD_LOTS');
    await safe.submitOrder(intent('B', 'BUY', 200));
    expect(inner.ledger.map((o) => o.quantity)).to.deep.equal([200]);
  });

  it('a stateful user policy gets onFill and its own persisted state', async () => {
    const clock = new SimulatedClock(T0);
    const kv = new MemoryKeyValueStore();
    const maxFills = defineRiskPolicy({
      name: 'max_fills', configSchema: z.object({ max: z.number() }).strict(),
      create: (c) => ({
        name: 'max_fills',
        check: (_o: OrderIntent, ctx: RiskContext) => ((ctx.state['fills'] as number | undefined ?? 0) >= c.max ? reject('max_fills', 'RISK_MAX_FILLS', 'enough', c.max, ctx.state['fills'] as number) : undefined),
        onFill: (ctx: RiskContext) => { ctx.state['fills'] = ((ctx.state['fills'] as number | undefined) ?? 0) + 1; },
      }),
    });
    const reg = new AdapterRegistry().register(maxFills);
    const m = await new AdapterRegistry().register(createRiskMiddleware({ registry: reg })).create('middleware', 'risk', { policies: [{ use: 'max_fills', config: { max: 2 } }] }, { clock, kv });
    const inner = new LedgerBroker();
    const safe = (await m.wrap(inner, { container: container.createChildContainer(), clock, logger: new MemoryLogger(), kv })) as SafeBroker;
    safe.onMarketData(T0, { A: bar(5) }, {});
    await safe.submitOrder(intent('A', 'BUY', 1));
    await safe.submitOrder(intent('A', 'BUY', 2));
    await expectRisk(safe.submitOrder(intent('A', 'BUY', 3)), 'RISK_MAX_FILLS');
    safe.flush();
    expect((kv.get('risk:state') as { policyState: Record<string, unknown> }).policyState['max_fills']).to.deep.equal({ fills: 2 });
  });

  it('onFill gets the fill, the position after it and whether it reduced the position held before it', async () => {
    const clock = new SimulatedClock(T0);
    const seen: [boolean, string, number, number | undefined][] = [];
    const recorder = defineRiskPolicy({
      name: 'fill_recorder', configSchema: z.object({}).strict(),
      create: () => ({
        name: 'fill_recorder',
        check: (): RiskRejection | undefined => undefined,
        onFill: (ctx: RiskContext, fill: Fill) => { seen.push([ctx.reducesPosition, fill.side, fill.quantity, ctx.position?.quantity]); },
      }),
    });
    const reg = new AdapterRegistry().register(recorder);
    const m = await new AdapterRegistry().register(createRiskMiddleware({ registry: reg })).create('middleware', 'risk', { policies: ['fill_recorder'] }, { clock });
    const inner = new LedgerBroker();
    const safe = await m.wrap(inner, { container: container.createChildContainer(), clock, logger: new MemoryLogger() });
    safe.onMarketData?.(T0, { A: bar(5) }, {});
    for (const [side, q] of [['BUY', 3], ['SELL', 1], ['SELL', 2], ['SELL', 1]] as const) await safe.submitOrder(intent('A', side, q));
    expect(seen).to.deep.equal([[false, 'BUY', 3, 3], [true, 'SELL', 1, 2], [true, 'SELL', 2, undefined], [false, 'SELL', 1, -1]]); // flat: no position
  });

  it('shadow mode: two resting orders filled by one price each get the position before and after their own fill', async () => {
    const clock = new SimulatedClock(T0);
    const seen: [boolean, string, number, number | undefined][] = [];
    const recorder = {
      name: 'fill_recorder',
      check: (): RiskRejection | undefined => undefined,
      onFill: (ctx: RiskContext, fill: Fill) => { seen.push([ctx.reducesPosition, fill.side, fill.quantity, ctx.position?.quantity]); },
    };
    const safe = new SafeBroker(new LedgerBroker(), { config: parseRiskConfig({ shadowMode: true, policies: ['fill_recorder'] }), clock, logger: new MemoryLogger(), kv: new MemoryKeyValueStore(), customPolicies: { fill_recorder: recorder }, persistIntervalMs: 0 });
    await safe.connect();
    safe.onMarketData(T0, { A: bar(100) }, {});
    await safe.submitOrder(intent('A', 'BUY', 10));
    await safe.submitOrder(intent('A', 'SELL', 10, { limitPrice: 101 }));
    await safe.submitOrder(intent('A', 'SELL', 5, { limitPrice: 102 }));
    safe.onMarketData(T0 + 60_000, { A: bar(103) }, {}); // reaches both: 10 → 0 → −5
    expect(seen).to.deep.equal([[false, 'BUY', 10, 10], [true, 'SELL', 10, undefined], [false, 'SELL', 5, -5]]);
  });

  it('a policy that throws fails closed with RISK_POLICY_ERROR', async () => {
    const clock = new SimulatedClock(T0);
    const bad = defineRiskPolicy({ name: 'bad', configSchema: z.object({}).strict(), create: () => ({ name: 'bad', check: (): RiskRejection | undefined => { throw new Error('oops'); } }) });
    const reg = new AdapterRegistry().register(bad);
    const m = await new AdapterRegistry().register(createRiskMiddleware({ registry: reg })).create('middleware', 'risk', { policies: ['bad'] }, { clock });
    const inner = new LedgerBroker();
    const safe = await m.wrap(inner, { container: container.createChildContainer(), clock, logger: new MemoryLogger() });
    safe.onMarketData?.(T0, { A: bar(5) }, {});
    await expectRisk(safe.submitOrder(intent('A', 'BUY', 1)), 'RISK_POLICY_ERROR');
    expect(inner.ledger).to.have.length(0);
  });
});
