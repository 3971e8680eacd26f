import type { OrderIntent, RiskContext, RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';
import { extendedContext } from '../risk-context.js';
import { limitPolicyDefinition } from './_limit.js';
import { reachesLimit } from '../limit-compare.js';

const NAME = 'max_drawdown';
const CODE = 'RISK_MAX_DRAWDOWN';

/** Once drawdown from the equity peak reaches `limit` %, risk-increasing orders are refused. @public */
export class MaxDrawdownPolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  constructor(readonly limitPct: number) {}
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
    if (this.limitPct === Infinity || ctx.reducesPosition) return undefined;
    const x = extendedContext(order, ctx);
    if (!x.increasesRisk) return undefined;
    const dd = x.drawdownPct;
    // a % of the peak: its rounding is relative to 100, not to the limit (scale 100)
    if (dd > 0 && reachesLimit(dd, this.limitPct, 100)) return reject(NAME, CODE, `drawdown ${dd.toFixed(4)}% reached maxDrawdownPct ${this.limitPct}%`, this.limitPct, dd);
    return undefined;
  }
}

export const maxDrawdownDefinition = limitPolicyDefinition(NAME, 'max drawdown % from the equity peak', (l) => new MaxDrawdownPolicy(l));
export const maxDrawdown: BuiltinPolicy = { name: NAME, code: CODE, passesReducing: true, disabled: (c) => c.maxDrawdownPct === Infinity, fromRiskConfig: (c) => new MaxDrawdownPolicy(c.maxDrawdownPct) };
