import type { OrderIntent, RiskContext, RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';
import { countPolicyDefinition } from './_limit.js';
import { SlidingWindowCounter } from '../sliding-window.js';

const NAME = 'max_orders_per_minute';
const CODE = 'RISK_MAX_ORDERS_PER_MINUTE';

/** At most `limit` accepted orders in any 60-second window. @public */
export class MaxOrdersPerMinutePolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  readonly #window = new SlidingWindowCounter(60_000);
  constructor(readonly limit: number) {}
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
    if (this.limit === Infinity) return undefined;
    const n = this.#window.count(ctx.now);
    if (n + 1 > this.limit) return reject(NAME, CODE, `${n} orders in the last minute; maxOrdersPerMinute is ${this.limit}`, this.limit, n + 1);
    return undefined;
  }
  onAccepted(_order: OrderIntent, ctx: RiskContext): void {
    if (this.limit !== Infinity) this.#window.add(ctx.now);
  }
}

export const maxOrdersPerMinuteDefinition = countPolicyDefinition(NAME, 'max accepted orders per 60 s', (l) => new MaxOrdersPerMinutePolicy(l));
export const maxOrdersPerMinute: BuiltinPolicy = { name: NAME, code: CODE, disabled: (c) => c.maxOrdersPerMinute === Infinity, fromRiskConfig: (c) => new MaxOrdersPerMinutePolicy(c.maxOrdersPerMinute) };
