import { z } from 'zod';
import { ORDER_TYPES, TIME_IN_FORCES, type OrderType, type TimeInForce } from '@tradewire/core';

const PositionSchema = z.object({
  asset: z.string(),
  quantity: z.number(),
  avgEntryPrice: z.number(),
  currentPrice: z.number(),
  unrealizedPnl: z.number(),
  realizedPnl: z.number(),
});

/** a resting virtual order (optional keys exact, as in core's `Order`) */
const RestingOrderSchema = z.object({
  orderId: z.string(),
  clientOrderId: z.string(),
  asset: z.string(),
  side: z.enum(['BUY', 'SELL']),
  quantity: z.number(),
  orderType: z.enum(ORDER_TYPES as unknown as [OrderType, ...OrderType[]]),
  limitPrice: z.number().exactOptional(),
  stopPrice: z.number().exactOptional(),
  timeInForce: z.enum(TIME_IN_FORCES as unknown as [TimeInForce, ...TimeInForce[]]),
  expireAt: z.number().exactOptional(),
  status: z.literal('SUBMITTED'),
  filledQuantity: z.number(),
  avgFillPrice: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
  submittedAt: z.number().exactOptional(),
  tag: z.string().exactOptional(),
  reduceOnly: z.boolean().exactOptional(),
});

/**
 * Shadow mode's virtual account as stored with the risk state (`shadow` of `<stateKey>:state`):
 * what a restart needs to go on where the killed process stopped. The order and fill history is
 * not kept (only the resting orders); `seq` keeps virtual order and execution ids unique across
 * restarts.
 * @public
 */
export const ShadowAccountSchema = z.object({
  cash: z.number(),
  totalCommission: z.number(),
  seq: z.number().int().nonnegative(),
  positions: z.array(PositionSchema),
  pending: z.array(RestingOrderSchema),
  /** `createdAt` of the last order taken (a restart's catch-up refuses orders up to it); absent before the first, and in states of earlier builds */
  lastOrderCreatedAt: z.number().exactOptional(),
});
/** @public */
export type ShadowAccountData = z.infer<typeof ShadowAccountSchema>;
