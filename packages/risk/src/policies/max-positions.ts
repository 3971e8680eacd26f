import type { OrderIntent, RiskContext, RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';
import { extendedContext } from '../risk-context.js';
import { countPolicyDefinition } from './_limit.js';

const NAME = 'max_positions';
const CODE = 'RISK_MAX_POSITIONS';

/** At most `limit` non-flat positions: an order opening a new one past that is refused. @public */
export class MaxPositionsPolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  constructor(readonly limit: number) {}
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
    if (this.limit === Infinity) return undefined;
    if ((ctx.position?.quantity ?? 0) !== 0) return undefined; // not a new position
    const after = extendedContext(order, ctx).openPositions + 1;
    if (!(after <= this.limit)) return reject(NAME, CODE, `opening ${order.asset} would make ${after} positions, over maxPositions ${this.limit}`, this.limit, after);
    return undefined;
  }
}

export const maxPositionsDefinition = countPolicyDefinition(NAME, 'max number of open positions', (l) => new MaxPositionsPolicy(l));
export const maxPositions: BuiltinPolicy = { name: NAME, code: CODE, passesReducing: true, disabled: (c) => c.maxPositions === Infinity, fromRiskConfig: (c) => new MaxPositionsPolicy(c.maxPositions) };
