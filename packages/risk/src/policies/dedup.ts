import type { OrderIntent, RiskContext, RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';
import { limitPolicyDefinition } from './_limit.js';

const NAME = 'dedup';
const CODE = 'RISK_DEDUP';

/** Is dedup off for this window? 0 (the default) is off; Infinity ("Infinity"/null) disables it like every limit. */
function dedupOff(windowSeconds: number): boolean {
  return !(windowSeconds > 0 && windowSeconds < Infinity);
}

interface Last { quantity: number; orderType: string; limitPrice: number | undefined; stopPrice: number | undefined; at: number }

/**
 * Refuses an order identical (asset, side, quantity, type, prices) to the last one accepted for
 * the same asset and side less than `limit` seconds ago: the repeated-intent detector of a runaway
 * loop. O(1), no string building. A window of 0 or Infinity (disabled) refuses nothing.
 * @public
 */
export class DedupPolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  readonly #buy = new Map<string, Last>();
  readonly #sell = new Map<string, Last>();
  readonly #windowMs: number;
  constructor(readonly windowSeconds: number) { this.#windowMs = dedupOff(windowSeconds) ? 0 : windowSeconds * 1000; }
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined {
    if (!(this.#windowMs > 0)) return undefined;
    const last = (order.side === 'BUY' ? this.#buy : this.#sell).get(order.asset);
    if (last === undefined || !(ctx.now - last.at < this.#windowMs)) return undefined;
    if (last.quantity !== order.quantity || last.orderType !== order.orderType || last.limitPrice !== order.limitPrice || last.stopPrice !== order.stopPrice) return undefined;
    const age = (ctx.now - last.at) / 1000;
    return reject(NAME, CODE, `identical ${order.side} ${order.quantity} ${order.asset} accepted ${age}s ago (dedupWindowSeconds ${this.windowSeconds})`, this.windowSeconds, age);
  }
  onAccepted(order: OrderIntent, ctx: RiskContext): void {
    if (!(this.#windowMs > 0)) return;
    const m = order.side === 'BUY' ? this.#buy : this.#sell;
    const last = m.get(order.asset);
    if (last) { last.quantity = order.quantity; last.orderType = order.orderType; last.limitPrice = order.limitPrice; last.stopPrice = order.stopPrice; last.at = ctx.now; }
    else m.set(order.asset, { quantity: order.quantity, orderType: order.orderType, limitPrice: order.limitPrice, stopPrice: order.stopPrice, at: ctx.now });
  }
}

export const dedupDefinition = limitPolicyDefinition(NAME, 'refuses an order identical to the last one for the asset/side within a window (seconds)', (l) => new DedupPolicy(l));
export const dedup: BuiltinPolicy = { name: NAME, code: CODE, disabled: (c) => dedupOff(c.dedupWindowSeconds), fromRiskConfig: (c) => new DedupPolicy(c.dedupWindowSeconds) };
