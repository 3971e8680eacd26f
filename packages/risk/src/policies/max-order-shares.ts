import type { OrderIntent, RiskContext, RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';
import { closesExactly, limitPolicyDefinition } from './_limit.js';

const NAME = 'max_order_shares';
const CODE = 'RISK_MAX_ORDER_SHARES';

/** One order may be at most `limit` shares/units (an order that exactly closes a position passes). @public */
export class MaxOrderSharesPolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  constructor(readonly limit: number) {}
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
    if (!(order.quantity > this.limit)) return undefined;
    if (closesExactly(order.quantity, ctx.position?.quantity, ctx.reducesPosition)) return undefined;
    return reject(NAME, CODE, `order of ${order.quantity} ${order.asset} exceeds maxOrderShares ${this.limit}`, this.limit, order.quantity);
  }
}

export const maxOrderSharesDefinition = limitPolicyDefinition(NAME, 'max shares/units per order', (l) => new MaxOrderSharesPolicy(l));
export const maxOrderShares: BuiltinPolicy = { name: NAME, code: CODE, disabled: (c) => c.maxOrderShares === Infinity, fromRiskConfig: (c) => new MaxOrderSharesPolicy(c.maxOrderShares) };
