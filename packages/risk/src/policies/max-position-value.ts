import type { OrderIntent, RiskContext, RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';
import { extendedContext } from '../risk-context.js';
import { limitPolicyDefinition } from './_limit.js';
import { fmt } from '../format.js';
import { withinLimit } from '../limit-compare.js';

const NAME = 'max_position_value';
const CODE = 'RISK_MAX_POSITION_VALUE';

/** |position| × price after a risk-increasing order may be at most `limit`. @public */
export class MaxPositionValuePolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  constructor(readonly limit: number) {}
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
    if (this.limit === Infinity || ctx.reducesPosition) return undefined;
    const price = extendedContext(order, ctx).referencePrice;
    if (price === undefined) return reject(NAME, CODE, `no price for ${order.asset}: cannot value the position`, this.limit, 'no price');
    const after = Math.abs((ctx.position?.quantity ?? 0) + (order.side === 'BUY' ? order.quantity : -order.quantity)) * price;
    if (!withinLimit(after, this.limit)) return reject(NAME, CODE, `position value in ${order.asset} would be ${fmt(after, this.limit)}, over maxPositionValue ${this.limit}`, this.limit, after);
    return undefined;
  }
}

export const maxPositionValueDefinition = limitPolicyDefinition(NAME, 'max |position| value per asset', (l) => new MaxPositionValuePolicy(l));
export const maxPositionValue: BuiltinPolicy = { name: NAME, code: CODE, passesReducing: true, disabled: (c) => c.maxPositionValue === Infinity, fromRiskConfig: (c) => new MaxPositionValuePolicy(c.maxPositionValue) };
