import type { OrderIntent, RiskContext, RiskPolicy, RiskRejection } from '@tradewire/core';
import type { LiveRiskConfig } from './config.js';

/** A risk policy that also wants to hear about orders it let through (rate counters, dedup). @public */
export interface StatefulRiskPolicy extends RiskPolicy {
  onAccepted?(order: OrderIntent, ctx: RiskContext): void;
}

/** Builds a rejection. `code` is stable: `RISK_<POLICY>`. @public */
export function reject(policy: string, code: string, message: string, limit?: number | string, value?: number | string): RiskRejection {
  const r: RiskRejection = { policy, code, message };
  if (limit !== undefined) r.limit = limit;
  if (value !== undefined) r.value = value;
  return r;
}

/** A built-in policy: its name, stable code and how it is built from `LiveRiskConfig`. */
export interface BuiltinPolicy {
  readonly name: string;
  readonly code: string;
  fromRiskConfig(config: LiveRiskConfig): StatefulRiskPolicy;
  /** true when the config disables it (it is then not run at all) */
  disabled?(config: LiveRiskConfig): boolean;
  /**
   * true when its `check` returns undefined, without side effects, for every order that reduces
   * its position (`ctx.reducesPosition`): the gate does not run it for such orders. Checked for
   * every built-in in test/hot-path.spec.ts.
   */
  passesReducing?: true;
}
