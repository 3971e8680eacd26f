import { expect } from 'chai';
import { z } from 'zod';
import {
  container, createRegistry, defineRiskPolicy, PaperBroker, SimulatedClock, silentLogger, isTradingError,
  type OrderIntent, type RiskContext, type RiskRejection,
} from '@tradewire/core';
import riskDefinitions from '@tradewire/risk';

const noOddLots = defineRiskPolicy({
  name: 'no-odd-lots',
  configSchema: z.object({ lot: z.number().int().positive().default(100) }).strict(),
  create: (cfg) => ({
    name: 'no-odd-lots',
    check(order: OrderIntent, _ctx: RiskContext): RiskRejection | undefined {
      return order.quantity % cfg.lot === 0 ? undefined : { policy: 'no-odd-lots', code: 'RISK_ODD_LOT', message: `quantity ${order.quantity} is not a multiple of ${cfg.lot}`, limit: cfg.lot, value: order.quantity };
    },
  }),
});

describe('a user risk policy registered in the engine registry', () => {
  it('is found by name from the risk config and refuses before the broker sees the order', async () => {
    const registry = createRegistry().register(...riskDefinitions, noOddLots);
    const clock = new SimulatedClock(Date.UTC(2024, 0, 2, 15));
    const paper = new PaperBroker({}, clock, silentLogger);
    const mw = await registry.create('middleware', 'risk', { policies: [{ use: 'no-odd-lots', config: { lot: 50 } }] }, { clock, logger: silentLogger });
    const broker = await mw.wrap(paper, { container: container.createChildContainer(), clock, logger: silentLogger });
    await broker.connect();
    broker.onMarketData?.(clock.now(), { AAA: { open: 10, high: 10, low: 10, close: 10, volume: 1e6 } }, {});
    const intent = (q: number, id: string): OrderIntent => ({ clientOrderId: id, asset: 'AAA', side: 'BUY', quantity: q, orderType: 'MARKET', timeInForce: 'DAY', createdAt: clock.now() });
    try {
      await broker.submitOrder(intent(30, 'a1'));
      expect.fail('should be refused');
    } catch (e) {
      expect(isTradingError(e)).to.equal(true);
      expect((e as Error).message).to.contain('not a multiple of 50');
    }
    expect(await paper.getOrder('a1')).to.equal(undefined);
    expect((await broker.submitOrder(intent(100, 'a2'))).status).to.equal('FILLED');
  });
});
