import { z } from 'zod';
import { defineRiskPolicy, type AdapterDefinition } from '@tradewire/core';
import { limitSchema } from '../config.js';
import type { StatefulRiskPolicy } from '../policy.js';

/** Options of a single-limit policy (`{ limit }`, Infinity/"Infinity"/null disables). @public */
export const LimitPolicyConfig = z.object({ limit: limitSchema() }).strict();
/** @public */
export type LimitPolicyConfig = z.output<typeof LimitPolicyConfig>;

/** Registry definition of a single-limit policy. */
export function limitPolicyDefinition(name: string, description: string, make: (limit: number) => StatefulRiskPolicy): AdapterDefinition<'risk', typeof LimitPolicyConfig> {
  return defineRiskPolicy({ name, description, configSchema: LimitPolicyConfig, create: (c) => make(c.limit) });
}

/** Does the order flatten its position exactly (a closing order)? */
export function closesExactly(quantity: number, positionQty: number | undefined, reduces: boolean): boolean {
  return reduces && positionQty !== undefined && Math.abs(Math.abs(positionQty) - quantity) < 1e-12;
}
