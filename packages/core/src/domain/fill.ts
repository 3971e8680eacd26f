import type { OrderSide } from './order.js';

/** One execution at the venue. `executionId` is the venue's id and is unique: fills dedupe on it. @public */
export interface Fill {
  executionId: string;
  orderId: string;
  clientOrderId: string;
  asset: string;
  side: OrderSide;
  /** always positive */
  quantity: number;
  price: number;
  commission: number;
  /** ms since epoch */
  timestamp: number;
  /** the venue's cumulative filled quantity for the order after this fill, when it reports one */
  cumulativeQuantity?: number;
}
