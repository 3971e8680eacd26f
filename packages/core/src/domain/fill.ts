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
  /**
   * Other ids this same execution was reported under (the versions of a corrected execution, or
   * the naming of an earlier adapter version): a fill journaled under any of them is this fill,
   * and is not applied again.
   */
  executionIdAliases?: readonly string[];
}
