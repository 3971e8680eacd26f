import type { OrderIntent, RiskContext, RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';
import { extendedContext } from '../risk-context.js';
import { closesExactly, limitPolicyDefinition } from './_limit.js';
import { fmt } from '../format.js';
import { withinLimit } from '../limit-compare.js';

const NAME = 'max_order_value';
const CODE = 'RISK_MAX_ORDER_VALUE';

/** quantity × reference price of one order may be at most `limit` (no price known: refused). @public */
export class MaxOrderValuePolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  constructor(readonly limit: number) {}
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
    if (this.limit === Infinity) return undefined;
    if (closesExactly(order.quantity, ctx.position?.quantity, ctx.reducesPosition)) return undefined;
    const price = extendedContext(order, ctx).referencePrice;
    if (price === undefined) return reject(NAME, CODE, `no price for ${order.asset}: cannot value the order`, this.limit, 'no price');
    const value = order.quantity * price;
    if (!withinLimit(value, this.limit)) return reject(NAME, CODE, `order value ${fmt(value, this.limit)} of ${order.asset} exceeds maxOrderValue ${this.limit}`, this.limit, value);
    return undefined;
  }
}

export const maxOrderValueDefinition = limitPolicyDefinition(NAME, 'max value per order', (l) => new MaxOrderValuePolicy(l));
export const maxOrderValue: BuiltinPolicy = { name: NAME, code: CODE, disabled: (c) => c.maxOrderValue === Infinity, fromRiskConfig: (c) => new MaxOrderValuePolicy(c.maxOrderValue) };
