import type { OrderIntent, RiskContext, RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';
import { extendedContext } from '../risk-context.js';
import { limitPolicyDefinition } from './_limit.js';
import { fmt } from '../format.js';
import { withinLimit } from '../limit-compare.js';

const NAME = 'max_total_exposure';
const CODE = 'RISK_MAX_TOTAL_EXPOSURE';

/** Gross exposure Σ|quantity × price| after a risk-increasing order may be at most `limit`. @public */
export class MaxTotalExposurePolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  constructor(readonly limit: number) {}
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
    if (this.limit === Infinity || ctx.reducesPosition) return undefined;
    const x = extendedContext(order, ctx);
    const price = x.referencePrice;
    if (price === undefined) return reject(NAME, CODE, `no price for ${order.asset}: cannot value the exposure`, this.limit, 'no price');
    const q0 = ctx.position?.quantity ?? 0;
    const cur = ctx.position ? Math.abs(q0 * ctx.position.currentPrice) : 0;
    const after = x.grossExposure - cur + Math.abs(q0 + (order.side === 'BUY' ? order.quantity : -order.quantity)) * price;
    if (!withinLimit(after, this.limit)) return reject(NAME, CODE, `gross exposure would be ${fmt(after, this.limit)}, over maxTotalExposure ${this.limit}`, this.limit, after);
    return undefined;
  }
}

export const maxTotalExposureDefinition = limitPolicyDefinition(NAME, 'max gross exposure over all positions', (l) => new MaxTotalExposurePolicy(l));
export const maxTotalExposure: BuiltinPolicy = { name: NAME, code: CODE, passesReducing: true, disabled: (c) => c.maxTotalExposure === Infinity, fromRiskConfig: (c) => new MaxTotalExposurePolicy(c.maxTotalExposure) };
