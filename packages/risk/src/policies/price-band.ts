import { z } from 'zod';
import { defineRiskPolicy, type OrderIntent, type RiskContext, type RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';
import { extendedContext } from '../risk-context.js';

const NAME = 'price_band';
const CODE = 'RISK_PRICE_BAND';

/** Refuses risk-increasing orders in an asset whose latest price was quarantined (outside the band). @public */
export class PriceBandPolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
    const x = extendedContext(order, ctx);
    if (!x.quarantined || !x.increasesRisk) return undefined;
    return reject(NAME, CODE, `latest price of ${order.asset} is quarantined (outside the price band); risk-increasing orders refused`, 'band', 'quarantined');
  }
}

export const priceBandDefinition = defineRiskPolicy({
  name: NAME,
  description: 'refuses risk-increasing orders while the asset price is quarantined',
  configSchema: z.object({}).strict(),
  create: () => new PriceBandPolicy(),
});

export const priceBand: BuiltinPolicy = { name: NAME, code: CODE, passesReducing: true, disabled: (c) => c.priceBand.pct === Infinity, fromRiskConfig: () => new PriceBandPolicy() };
