import type { OrderIntent, RiskContext, RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';
import { limitPolicyDefinition } from './_limit.js';
import { withinLimit } from '../limit-compare.js';

const NAME = 'max_price_deviation';
const CODE = 'RISK_MAX_PRICE_DEVIATION';

/** A limit price may be at most `limit` % away from the last price (fat-finger check). @public */
export class MaxPriceDeviationPolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  constructor(readonly limitPct: number) {}
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
    if (this.limitPct === Infinity || order.limitPrice === undefined) return undefined;
    const last = ctx.lastPrice;
    if (last === undefined || !(last > 0)) return reject(NAME, CODE, `no last price for ${order.asset} to check the limit price against`, this.limitPct, 'no price');
    const diff = Math.abs(order.limitPrice - last);
    // compared without dividing; a deviation equal to the limit up to float rounding passes
    if (!withinLimit(diff * 100, this.limitPct * last, 100 * last)) {
      const dev = (diff / last) * 100;
      return reject(NAME, CODE, `limit price ${order.limitPrice} is ${dev.toFixed(4)}% from the last price ${last} (max ${this.limitPct}%)`, this.limitPct, dev);
    }
    return undefined;
  }
}

export const maxPriceDeviationDefinition = limitPolicyDefinition(NAME, 'max % between limit price and last price', (l) => new MaxPriceDeviationPolicy(l));
export const maxPriceDeviation: BuiltinPolicy = { name: NAME, code: CODE, disabled: (c) => c.maxPriceDeviationPct === Infinity, fromRiskConfig: (c) => new MaxPriceDeviationPolicy(c.maxPriceDeviationPct) };
