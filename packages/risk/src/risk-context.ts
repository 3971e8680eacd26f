import type { OrderIntent, Position, RiskContext } from '@tradewire/core';

/**
 * The context SafeBroker hands to policies: core's `RiskContext` plus figures it already keeps,
 * so built-in policies stay O(1) per order. The object is reused between orders: a policy must
 * not keep a reference to it.
 * @public
 */
export interface SafeRiskContext extends RiskContext {
  /** Σ |quantity × price| over positions before this order */
  grossExposure: number;
  /** number of non-flat positions before this order */
  openPositions: number;
  /** loss since the session start (≥ 0) */
  dailyLoss: number;
  /** drawdown from the equity peak over the lookback, in % (≥ 0) */
  drawdownPct: number;
  /** the asset's most recent price was quarantined by the price band */
  quarantined: boolean;
  /** the order adds to |position| (opens, adds or flips) */
  increasesRisk: boolean;
  /** price used to value the order (`referencePrice`: the limit price of a limit or stop-limit order, else the last price, else a stop order's stop price) */
  referencePrice: number | undefined;
}

function isSafe(ctx: RiskContext): ctx is SafeRiskContext {
  return typeof (ctx as Partial<SafeRiskContext>).grossExposure === 'number';
}

/** Does this order add to |position| (opens, adds or flips)? @public */
export function increasesRisk(order: Pick<OrderIntent, 'side' | 'quantity'>, position: Position | undefined): boolean {
  const q = position?.quantity ?? 0;
  if (q === 0) return true;
  if ((order.side === 'BUY') === q > 0) return true;
  return order.quantity > Math.abs(q) + 1e-12;
}

/**
 * The price an order is valued at by the limits: its limit price (LIMIT, STOP_LIMIT), else the
 * last trusted price, else a STOP's stop price (no market price seen yet); undefined when none.
 * @public
 */
export function referencePrice(order: Pick<OrderIntent, 'orderType' | 'limitPrice' | 'stopPrice'>, lastPrice: number | undefined): number | undefined {
  const t = order.orderType;
  if ((t === 'LIMIT' || t === 'STOP_LIMIT') && order.limitPrice !== undefined) return order.limitPrice;
  if (t === 'STOP' && order.stopPrice !== undefined && lastPrice === undefined) return order.stopPrice;
  return lastPrice;
}

/** The extended view of any RiskContext (computes what a plain core context lacks). @public */
export function extendedContext(order: OrderIntent, ctx: RiskContext): SafeRiskContext {
  if (isSafe(ctx)) return ctx;
  let gross = 0;
  let open = 0;
  for (const p of ctx.positions) {
    if (p.quantity !== 0) { open++; gross += Math.abs(p.quantity * p.currentPrice); }
  }
  return {
    ...ctx,
    grossExposure: gross,
    openPositions: open,
    dailyLoss: 0,
    drawdownPct: 0,
    quarantined: false,
    increasesRisk: !ctx.reducesPosition && increasesRisk(order, ctx.position),
    referencePrice: referencePrice(order, ctx.lastPrice),
  };
}
