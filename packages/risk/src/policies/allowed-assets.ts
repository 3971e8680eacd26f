import { z } from 'zod';
import { defineRiskPolicy, type OrderIntent, type RiskRejection } from '@tradewire/core';
import { reject, type BuiltinPolicy, type StatefulRiskPolicy } from '../policy.js';

const NAME = 'allowed_assets';
const CODE = 'RISK_ALLOWED_ASSETS';

/** Only assets on the list may be traded (no list: all). Closing orders pass. @public */
export class AllowedAssetsPolicy implements StatefulRiskPolicy {
  readonly name = NAME;
  readonly #allowed: ReadonlySet<string> | undefined;
  constructor(assets: readonly string[] | undefined) { this.#allowed = assets ? new Set(assets) : undefined; }
  check(order: OrderIntent, ctx: { reducesPosition: boolean }): RiskRejection | undefined {
    if (!this.#allowed || ctx.reducesPosition || this.#allowed.has(order.asset)) return undefined;
    return reject(NAME, CODE, `asset ${order.asset} is not in allowedAssets`, [...this.#allowed].join(','), order.asset);
  }
}

export const allowedAssetsDefinition = defineRiskPolicy({
  name: NAME,
  description: 'only listed assets may be traded',
  configSchema: z.object({ assets: z.array(z.string().min(1)).optional() }).strict(),
  create: (c) => new AllowedAssetsPolicy(c.assets),
});

export const allowedAssets: BuiltinPolicy = { name: NAME, code: CODE, passesReducing: true, disabled: (c) => c.allowedAssets === undefined, fromRiskConfig: (c) => new AllowedAssetsPolicy(c.allowedAssets) };
