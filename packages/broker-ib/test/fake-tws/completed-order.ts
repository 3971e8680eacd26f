/**
 * The completedOrder message (101) a TWS sends for each finished order in answer to
 * reqCompletedOrders (99), then completedOrdersEnd (102). Fields in the order of the IB API's
 * completed-order decoder (no message version, no order id, no client id): contract, order,
 * orderState.status, filled quantity, completedTime, completedStatus. Below server version 177
 * (FA_PROFILE_DESUPPORT) a TWS still sends the deprecated faProfile after faPercentage; @stoqey/ib
 * 1.6.10 never reads it in this message, so it misreads every later field there.
 */
import type { Field } from './framing.js';
import { FA_PROFILE_DESUPPORT, UNSET_DOUBLE, type WireOrder } from './wire.js';

/** An order as a completedOrder message carries it: no order id, no client id. */
export interface WireCompletedOrder extends Omit<WireOrder, 'orderId' | 'clientId'> {
  /** IB status: Filled, Cancelled, Inactive … */
  status: string;
  filled: number;
  /** `YYYYMMDD HH:MM:SS <zone>` */
  completedTime: string;
  /** TWS's words: `Filled Size: 10`, `Cancelled by Trader`, `Rejected by System: …` */
  completedStatus: string;
}

const num = (v: number | undefined): string => (v === undefined ? '' : String(v));

export function completedOrder(o: WireCompletedOrder, serverVersion: number): Field[] {
  const c = o.contract;
  return [
    101,
    // contract: conId, symbol, secType, lastTradeDate, strike, right, multiplier, exchange, currency, localSymbol, tradingClass
    c.conId, c.symbol, c.secType, '', '0', '', '', c.exchange, c.currency, c.symbol, c.symbol,
    o.action, o.totalQuantity, o.orderType, num(o.lmtPrice), num(o.auxPrice), o.tif,
    '', o.account, '', 0, o.orderRef, o.permId, // ocaGroup, account, openClose, origin, orderRef, permId
    0, 0, 0, '', // outsideRth, hidden, discretionaryAmt, goodAfterTime
    '', '', '', ...(serverVersion < FA_PROFILE_DESUPPORT ? [''] : []), // faGroup, faMethod, faPercentage (, faProfile)
    '', o.goodTillDate ?? '', '', '', '', // modelCode, goodTillDate, rule80A, percentOffset, settlingFirm
    0, '', -1, // shortSaleSlot, designatedLocation, exemptCode
    '', '', '', '', '', // startingPrice, stockRefPrice, delta, stockRangeLower, stockRangeUpper
    '', 0, 0, '', 0, 0, // displaySize, sweepToFill, allOrNone, minQty, ocaType, triggerMethod
    '', 0, '', '', 0, 0, // volatility, volatilityType, deltaNeutralOrderType (none), deltaNeutralAuxPrice, continuousUpdate, referencePriceType
    '', '', // trailStopPrice, trailingPercent
    '', 0, 0, 0, // comboLegsDescription, comboLegs count, orderComboLegs count, smartComboRoutingParams count
    '', '', '', // scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement (none)
    '', '', '', 0, 0, '', 0, // hedgeType (none), clearingAccount, clearingIntent, notHeld, deltaNeutralContract (none), algoStrategy (none), solicited
    o.status,
    0, 0, // randomizeSize, randomizePrice
    0, // conditions count (no peg-to-benchmark fields for these order types)
    '', '', // trailStopPrice, lmtPriceOffset
    '', 0, 0, // cashQty, dontUseAutoPriceForHedge, isOmsContainer
    '', o.filled, 0, 0, '', 0, 0, 0, // autoCancelDate, filledQuantity, refFuturesConId, autoCancelParent, shareholder, imbalanceOnly, routeMarketableToBbo, parentPermId
    o.completedTime, o.completedStatus,
    '', '', UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, // minTradeQty, minCompeteSize, competeAgainstBestOffset, midOffsetAtWhole, midOffsetAtHalf
  ];
}

export const completedOrdersEnd = (): Field[] => [102];
