import { OrderAction, OrderType as IBOrderType, TimeInForce as IBTif, type Order as IBOrder } from '@stoqey/ib';
import type { Order, OrderIntent, OrderStatus, OrderType, TimeInForce } from '@tradewire/core';

const TYPE: Record<OrderType, IBOrderType> = { MARKET: IBOrderType.MKT, LIMIT: IBOrderType.LMT, STOP: IBOrderType.STP, STOP_LIMIT: IBOrderType.STP_LMT };
const TIF: Record<TimeInForce, IBTif> = { DAY: IBTif.DAY, GTC: IBTif.GTC, IOC: IBTif.IOC, FOK: IBTif.FOK, GTD: IBTif.GTD };

/** `YYYYMMDD HH:MM:SS UTC`, the goodTillDate form IB accepts with an explicit zone. */
export function ibDateTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
}

/** The IB order for an intent; `orderRef` carries our clientOrderId. */
export function toIBOrder(intent: OrderIntent, account: string | undefined): IBOrder {
  const o: IBOrder = {
    action: intent.side === 'BUY' ? OrderAction.BUY : OrderAction.SELL,
    totalQuantity: intent.quantity,
    orderType: TYPE[intent.orderType],
    tif: TIF[intent.timeInForce],
    orderRef: intent.clientOrderId,
    transmit: true,
  };
  if (account !== undefined) o.account = account;
  if (intent.limitPrice !== undefined && (intent.orderType === 'LIMIT' || intent.orderType === 'STOP_LIMIT')) o.lmtPrice = intent.limitPrice;
  if (intent.stopPrice !== undefined && (intent.orderType === 'STOP' || intent.orderType === 'STOP_LIMIT')) o.auxPrice = intent.stopPrice;
  if (intent.timeInForce === 'GTD' && intent.expireAt !== undefined) o.goodTillDate = ibDateTime(intent.expireAt);
  return o;
}

/** Back from IB names to ours (for orders adopted from openOrder). */
export function fromIBOrderType(t: string | undefined): OrderType {
  switch (t) {
    case 'LMT': return 'LIMIT';
    case 'STP': return 'STOP';
    case 'STP LMT': return 'STOP_LIMIT';
    default: return 'MARKET';
  }
}

export function fromIBTif(t: string | undefined): TimeInForce {
  return t === 'GTC' || t === 'IOC' || t === 'FOK' || t === 'GTD' ? t : 'DAY';
}

/**
 * Every IB status string → ours. `PendingCancel` keeps the live state (the cancel may still fail);
 * `Inactive` (rejected, or held and never working) maps to REJECTED; a working order with fills
 * is PARTIALLY_FILLED.
 */
/** What an adopted order starts from: the fields every order has, the rest defaulted by the tracker. */
export type OrderSeed = Partial<Order> & Pick<Order, 'asset' | 'side' | 'quantity'>;

/** An order TWS reports (openOrder, completedOrder) that we did not place: its side, quantity, type, time in force and prices. */
export function orderSeed(asset: string, o: IBOrder): OrderSeed {
  const seed: OrderSeed = {
    asset, side: o.action === 'SELL' ? 'SELL' : 'BUY', quantity: o.totalQuantity ?? 0,
    orderType: fromIBOrderType(o.orderType), timeInForce: fromIBTif(o.tif),
  };
  if (o.lmtPrice !== undefined) seed.limitPrice = o.lmtPrice;
  if (o.auxPrice !== undefined) seed.stopPrice = o.auxPrice;
  return seed;
}

export function mapIBStatus(status: string, filled: number, quantity: number): OrderStatus | 'KEEP' {
  switch (status) {
    case 'ApiPending':
    case 'PendingSubmit': return 'PENDING_SUBMIT';
    case 'PreSubmitted':
    case 'Submitted': return filled > 0 ? (filled >= quantity ? 'FILLED' : 'PARTIALLY_FILLED') : 'SUBMITTED';
    case 'PendingCancel': return 'KEEP';
    case 'ApiCancelled':
    case 'Cancelled': return 'CANCELLED';
    case 'Filled': return 'FILLED';
    case 'Inactive': return 'REJECTED';
    default: return 'UNKNOWN';
  }
}

/** IB status strings, for documentation and tests. */
export const IB_STATUSES = ['ApiPending', 'PendingSubmit', 'PendingCancel', 'PreSubmitted', 'Submitted', 'ApiCancelled', 'Cancelled', 'Filled', 'Inactive'] as const;
