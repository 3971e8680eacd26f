import type { Fill } from '../domain/fill.js';
import type { OrderIntent } from '../domain/order.js';
import type { Position } from '../domain/position.js';

/** What a risk policy sees when it checks one order. @public */
export interface RiskContext {
  now: number;
  /** last trusted price of the order's asset and when it was seen */
  lastPrice?: number;
  lastPriceAt?: number;
  position?: Position;
  positions: readonly Position[];
  cash: number;
  accountValue: number;
  /** does this order only reduce the current position? */
  reducesPosition: boolean;
  /** policy-specific state, persisted by the risk layer */
  state: Record<string, unknown>;
}

/** A refusal: `code` is stable, `limit` and `value` name what was exceeded. @public */
export interface RiskRejection {
  policy: string;
  code: string;
  message: string;
  limit?: number | string;
  value?: number | string;
}

/**
 * One pre-trade check. Policies run in a declared order; the first rejection wins.
 * Register with `@riskPolicy(name, { configSchema })` or `defineRiskPolicy`.
 * @public
 */
export interface RiskPolicy {
  readonly name: string;
  check(order: OrderIntent, ctx: RiskContext): RiskRejection | undefined;
  /**
   * called after every fill, for stateful policies (daily loss, order rate, …): `fill` is the
   * execution; `ctx.position` is the position after it, `ctx.reducesPosition` whether it reduced
   * the position held before it
   */
  onFill?(ctx: RiskContext, fill: Fill): void;
}
