import { z } from 'zod';
import { defineRiskPolicy, type OrderIntent, type RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';

const NAME = 'blocked_assets';
const CODE = 'RISK_BLOCKED_ASSETS';

/** Assets on the list may not be traded, except to reduce an existing position. @public */
export class BlockedAssetsPolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  readonly #blocked: ReadonlySet<string>;
  constructor(assets: readonly string[]) { this.#blocked = new Set(assets); }
  check(order: OrderIntent, ctx: { reducesPosition: boolean }): RiskRejection | undefined {
    if (ctx.reducesPosition || !this.#blocked.has(order.asset)) return undefined;
    return reject(NAME, CODE, `asset ${order.asset} is blocked`, 'blocked', order.asset);
  }
}

export const blockedAssetsDefinition = defineRiskPolicy({
  name: NAME,
  description: 'listed assets may not be traded',
  configSchema: z.object({ assets: z.array(z.string().min(1)).default([]) }).strict(),
  create: (c) => new BlockedAssetsPolicy(c.assets),
});

export const blockedAssets: BuiltinPolicy = { name: NAME, code: CODE, passesReducing: true, disabled: (c) => c.blockedAssets.length === 0, fromRiskConfig: (c) => new BlockedAssetsPolicy(c.blockedAssets) };
