import type { OrderIntent, RiskContext, RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';
import { limitPolicyDefinition } from './_limit.js';
import { fmt } from '../format.js';
import { withinLimit } from '../limit-compare.js';

const NAME = 'max_position_shares';
const CODE = 'RISK_MAX_POSITION_SHARES';

/** |position| after a risk-increasing order may be at most `limit` shares/units. @public */
export class MaxPositionSharesPolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  constructor(readonly limit: number) {}
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
    if (this.limit === Infinity || ctx.reducesPosition) return undefined;
    const after = Math.abs((ctx.position?.quantity ?? 0) + (order.side === 'BUY' ? order.quantity : -order.quantity));
    if (!withinLimit(after, this.limit)) return reject(NAME, CODE, `position in ${order.asset} would be ${fmt(after, this.limit)}, over maxPositionShares ${this.limit}`, this.limit, after);
    return undefined;
  }
}

export const maxPositionSharesDefinition = limitPolicyDefinition(NAME, 'max |position| in shares/units', (l) => new MaxPositionSharesPolicy(l));
export const maxPositionShares: BuiltinPolicy = { name: NAME, code: CODE, passesReducing: true, disabled: (c) => c.maxPositionShares === Infinity, fromRiskConfig: (c) => new MaxPositionSharesPolicy(c.maxPositionShares) };
