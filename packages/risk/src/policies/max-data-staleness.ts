import type { OrderIntent, RiskContext, RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';
import { extendedContext } from '../risk-context.js';
import { limitPolicyDefinition } from './_limit.js';

const NAME = 'max_data_staleness';
const CODE = 'RISK_MAX_DATA_STALENESS';

/** Refuses risk-increasing orders when the asset's last price is older than `limit` seconds (or missing). @public */
export class MaxDataStalenessPolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  readonly #limitMs: number;
  constructor(readonly limitSeconds: number) { this.#limitMs = limitSeconds * 1000; }
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
    if (this.limitSeconds === Infinity) return undefined;
    const x = extendedContext(order, ctx);
    if (!x.increasesRisk) return undefined;
    if (ctx.lastPriceAt === undefined) return reject(NAME, CODE, `stale data: no price seen for ${order.asset}`, this.limitSeconds, 'no price');
    const age = ctx.now - ctx.lastPriceAt;
    if (!(age <= this.#limitMs)) {
      return reject(NAME, CODE, `stale data: last price of ${order.asset} is ${age / 1000}s old (max ${this.limitSeconds}s)`, this.limitSeconds, age / 1000);
    }
    return undefined;
  }
}

export const maxDataStalenessDefinition = limitPolicyDefinition(NAME, 'risk-increasing orders need a fresh price (seconds)', (l) => new MaxDataStalenessPolicy(l));
export const maxDataStaleness: BuiltinPolicy = { name: NAME, code: CODE, passesReducing: true, disabled: (c) => c.maxDataStalenessSeconds === Infinity, fromRiskConfig: (c) => new MaxDataStalenessPolicy(c.maxDataStalenessSeconds) };
