import type { OrderIntent, RiskContext, RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';
import { extendedContext } from '../risk-context.js';
import { limitPolicyDefinition } from './_limit.js';
import { fmt } from '../format.js';
import { reachesLimit } from '../limit-compare.js';

const NAME = 'max_daily_loss';
const CODE = 'RISK_MAX_DAILY_LOSS';

/** Once the session's loss reaches `limit` (loss ≥ limit), risk-increasing orders are refused. @public */
export class MaxDailyLossPolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  constructor(readonly limit: number) {}
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
    if (this.limit === Infinity || ctx.reducesPosition) return undefined;
    const x = extendedContext(order, ctx);
    if (!x.increasesRisk) return undefined;
    const loss = x.dailyLoss;
    // the loss is a difference of equities: it carries their rounding (scale: session-start equity)
    if (loss > 0 && reachesLimit(loss, this.limit, x.accountValue + loss)) return reject(NAME, CODE, `daily loss ${fmt(loss, this.limit)} reached maxDailyLoss ${this.limit}`, this.limit, loss);
    return undefined;
  }
}

export const maxDailyLossDefinition = limitPolicyDefinition(NAME, 'max loss per session', (l) => new MaxDailyLossPolicy(l));
export const maxDailyLoss: BuiltinPolicy = { name: NAME, code: CODE, passesReducing: true, disabled: (c) => c.maxDailyLoss === Infinity, fromRiskConfig: (c) => new MaxDailyLossPolicy(c.maxDailyLoss) };
