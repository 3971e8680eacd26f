/** A holding in one asset. Quantity is signed (negative = short). @public */
export interface Position {
  asset: string;
  quantity: number;
  avgEntryPrice: number;
  currentPrice: number;
  unrealizedPnl: number;
  realizedPnl: number;
}

/**
 * A position that one component owns and changes in place (the paper broker, the engine's and the
 * risk layer's account views, the virtual portfolio): a class, not an object literal. V8 gives
 * every object literal with the same keys in the same order one hidden class, and a field of it
 * holds unboxed numbers only while every such object holds numbers there. Any other literal with
 * `Position`'s keys (a zod schema's shape, a user's object holding `undefined`) turns that field
 * into a boxed one for all of them: every store of a new number then allocates a heap number and,
 * into a long-lived object, takes the write barrier's slow path. A position is written on every bar
 * and every fill. A class's instances have hidden classes of their own.
 * @public
 */
export class PositionRecord implements Position {
  asset: string;
  // numbers from the start: a field first defined as `undefined` would be a boxed one
  quantity = 0;
  avgEntryPrice = 0;
  currentPrice = 0;
  unrealizedPnl = 0;
  realizedPnl = 0;

  /** A flat position in `asset`, marked at `price` (as `applyFillToPosition` starts one). */
  constructor(asset: string, price: number) {
    this.asset = asset;
    this.currentPrice = price;
  }

  /** A record holding the values of `p`. */
  static copyOf(p: Position): PositionRecord {
    const r = new PositionRecord(p.asset, p.currentPrice);
    r.quantity = p.quantity;
    r.avgEntryPrice = p.avgEntryPrice;
    r.unrealizedPnl = p.unrealizedPnl;
    r.realizedPnl = p.realizedPnl;
    return r;
  }
}

/** Result of applying a fill to a position. */
export interface PositionChange {
  position: Position;
  /** realized P&L of this fill alone (before commission) */
  realized: number;
}

const EPS = 1e-9;

/**
 * Applies a signed fill to a position with weighted-average cost: adds average in, reductions
 * realize P&L against the average, a fill past zero flips the position and starts a new average
 * at the fill price. Pure; used by the paper broker, the account view and the virtual portfolio.
 * @public
 */
export function applyFillToPosition(pos: Position | undefined, asset: string, signedQty: number, price: number): PositionChange {
  // an explicit literal: `{ ...pos, asset }` (spread plus an override) takes V8's slow copy path
  const position: Position = pos
    ? { asset, quantity: pos.quantity, avgEntryPrice: pos.avgEntryPrice, currentPrice: pos.currentPrice, unrealizedPnl: pos.unrealizedPnl, realizedPnl: pos.realizedPnl }
    : { asset, quantity: 0, avgEntryPrice: 0, currentPrice: price, unrealizedPnl: 0, realizedPnl: 0 };
  const realized = applyFillInPlace(position, signedQty, price);
  return { position, realized };
}

/** Re-marks a position at a new price (mutates and returns it, for hot paths). @public */
export function markPosition(pos: Position, price: number): Position {
  pos.currentPrice = price;
  pos.unrealizedPnl = pos.quantity * (price - pos.avgEntryPrice);
  return pos;
}

/**
 * In-place form of {@link applyFillToPosition} for hot paths that own the position object
 * (paper broker, account view): same arithmetic, no allocation. Returns the realized P&L of
 * this fill (before commission). `currentPrice` becomes the fill price, as in the pure form.
 * @public
 */
export function applyFillInPlace(pos: Position, signedQty: number, price: number): number {
  const q0 = pos.quantity;
  const q1 = q0 + signedQty;
  let avg = pos.avgEntryPrice;
  let realized = 0;
  if (Math.abs(q0) < EPS || Math.sign(q0) === Math.sign(signedQty)) {
    avg = Math.abs(q1) < EPS ? 0 : (Math.abs(q0) * avg + Math.abs(signedQty) * price) / Math.abs(q1);
  } else {
    const closed = Math.min(Math.abs(q0), Math.abs(signedQty));
    realized = closed * (price - avg) * Math.sign(q0);
    if (Math.abs(q1) < EPS) avg = 0;
    else if (Math.sign(q1) !== Math.sign(q0)) avg = price;
  }
  const quantity = Math.abs(q1) < EPS ? 0 : q1;
  pos.quantity = quantity;
  pos.avgEntryPrice = avg;
  pos.currentPrice = price;
  pos.unrealizedPnl = quantity * (price - avg);
  pos.realizedPnl += realized;
  return realized;
}
