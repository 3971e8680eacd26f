import { InvalidOrderError } from '../errors.js';
import { ORDER_TYPES, TIME_IN_FORCES, type OrderIntent, type OrderRequest, type OrderSide, type OrderType } from '../domain/order.js';

const ASSET_RE = /^[A-Za-z0-9][A-Za-z0-9._:/\- ]{0,63}$/;
/**
 * The last asset that passed ASSET_RE (strategies order the same few symbols again and again).
 * Starts as a valid symbol, so only strings that pass the test ever skip it.
 */
let lastGoodAsset = 'A';

function bad(message: string, field: string, value: unknown): InvalidOrderError {
  return new InvalidOrderError(message, 'INVALID_ORDER', { details: { field, value: typeof value === 'number' ? String(value) : value } });
}

function positivePrice(name: 'limitPrice' | 'stopPrice', v: number | undefined): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw bad(`${name} must be a finite number > 0, got ${String(v)}`, name, v);
}

/**
 * Validates a strategy's request and resolves side (from the quantity's sign when omitted),
 * order type (from the prices given) and time in force. Rejects NaN, ±Infinity, zero, −0,
 * negative prices and contradictory sides with `InvalidOrderError` before anything is sent.
 * @public
 */
export function normalizeOrder(req: OrderRequest, clientOrderId: string, now: number): OrderIntent {
  if (!req || typeof req !== 'object') throw bad('order request must be an object', 'request', req);
  const { asset, quantity } = req;
  if (asset !== lastGoodAsset) {
    if (typeof asset !== 'string' || !ASSET_RE.test(asset)) throw bad(`asset must be a symbol string, got ${JSON.stringify(asset)}`, 'asset', asset);
    lastGoodAsset = asset;
  }
  if (typeof quantity !== 'number' || !Number.isFinite(quantity) || quantity === 0) {
    throw bad(`quantity must be a finite non-zero number, got ${String(quantity)}`, 'quantity', quantity);
  }
  let side: OrderSide;
  if (req.side === undefined) side = quantity > 0 ? 'BUY' : 'SELL';
  else if (req.side === 'BUY' || req.side === 'SELL') {
    if (quantity < 0 && req.side === 'BUY') throw bad('side BUY contradicts a negative quantity', 'side', req.side);
    side = req.side;
  } else throw bad(`side must be BUY or SELL, got ${String(req.side)}`, 'side', req.side);
  positivePrice('limitPrice', req.limitPrice);
  positivePrice('stopPrice', req.stopPrice);
  let orderType: OrderType;
  if (req.orderType !== undefined) {
    if (!ORDER_TYPES.includes(req.orderType)) throw bad(`orderType must be one of ${ORDER_TYPES.join(', ')}, got ${String(req.orderType)}`, 'orderType', req.orderType);
    orderType = req.orderType;
  } else orderType = req.limitPrice !== undefined ? (req.stopPrice !== undefined ? 'STOP_LIMIT' : 'LIMIT') : req.stopPrice !== undefined ? 'STOP' : 'MARKET';
  if ((orderType === 'LIMIT' || orderType === 'STOP_LIMIT') && req.limitPrice === undefined) throw bad(`${orderType} order needs limitPrice`, 'limitPrice', undefined);
  if ((orderType === 'STOP' || orderType === 'STOP_LIMIT') && req.stopPrice === undefined) throw bad(`${orderType} order needs stopPrice`, 'stopPrice', undefined);
  const timeInForce = req.timeInForce ?? (orderType === 'MARKET' ? 'DAY' : 'GTC');
  if (!TIME_IN_FORCES.includes(timeInForce)) throw bad(`timeInForce must be one of ${TIME_IN_FORCES.join(', ')}, got ${String(timeInForce)}`, 'timeInForce', timeInForce);
  if (timeInForce === 'GTD' && (typeof req.expireAt !== 'number' || !Number.isFinite(req.expireAt))) throw bad('GTD order needs expireAt (ms since epoch)', 'expireAt', req.expireAt);
  const intent: OrderIntent = { clientOrderId, asset, side, quantity: Math.abs(quantity), orderType, timeInForce, createdAt: now };
  if (orderType === 'LIMIT' || orderType === 'STOP_LIMIT') intent.limitPrice = req.limitPrice as number;
  if (orderType === 'STOP' || orderType === 'STOP_LIMIT') intent.stopPrice = req.stopPrice as number;
  if (req.expireAt !== undefined) intent.expireAt = req.expireAt;
  if (req.tag !== undefined) intent.tag = req.tag;
  if (req.reduceOnly !== undefined) intent.reduceOnly = req.reduceOnly;
  return intent;
}
