import { z } from 'zod';
import { defineRiskPolicy, type AdapterDefinition } from '@tradewire/core';
import { countSchema, limitSchema } from '../config.js';
import type { StatefulRiskPolicy } from '../policy.js';

/** Options of a single-limit policy (`{ limit }`, Infinity/"Infinity"/null disables). @public */
export const LimitPolicyConfig = z.object({ limit: limitSchema() }).strict();
/** @public */
export type LimitPolicyConfig = z.output<typeof LimitPolicyConfig>;

/** Options of a single-count policy (`{ limit }`, a whole number; Infinity/"Infinity"/null disables). @public */
export const CountPolicyConfig = z.object({ limit: countSchema() }).strict();
/** @public */
export type CountPolicyConfig = z.output<typeof CountPolicyConfig>;

/** Registry definition of a single-limit policy. */
export function limitPolicyDefinition(name: string, description: string, make: (limit: number) => StatefulRiskPolicy): AdapterDefinition<'risk', typeof LimitPolicyConfig> {
  return defineRiskPolicy({ name, description, configSchema: LimitPolicyConfig, create: (c) => make(c.limit) });
}

/** Registry definition of a single-count policy (its limit a whole number). */
export function countPolicyDefinition(name: string, description: string, make: (limit: number) => StatefulRiskPolicy): AdapterDefinition<'risk', typeof CountPolicyConfig> {
  return defineRiskPolicy({ name, description, configSchema: CountPolicyConfig, create: (c) => make(c.limit) });
}

/** Does the order flatten its position exactly (a closing order)? */
export function closesExactly(quantity: number, positionQty: number | undefined, reduces: boolean): boolean {
  return reduces && positionQty !== undefined && Math.abs(Math.abs(positionQty) - quantity) < 1e-12;
}
