import { markPosition, type Position } from '@tradewire/core';

/**
 * Does an order of `quantity` on `side` only reduce a position of `heldQty` (the opposite side,
 * at most its size; `eps` absorbs float rounding)?
 */
export function reducesPosition(heldQty: number, side: 'BUY' | 'SELL', quantity: number, eps: number): boolean {
  return heldQty !== 0 && (side === 'BUY') !== heldQty > 0 && quantity <= Math.abs(heldQty) + eps;
}

/**
 * Positions by asset, stored in a plain array with an index per asset, so the per-order and
 * per-bar sums walk an array (no iterator, no allocation). Iteration order is insertion order
 * (as a Map's), so sums are bit-identical to summing a Map's values. A one-entry cache answers
 * the common case (a strategy trading the symbol whose bar just arrived) without hashing.
 * @public
 */
export class PositionBook {
  readonly #index = new Map<string, number>();
  #list: Position[] = [];
  #lastAsset: string | undefined = undefined;
  #lastIdx = -1;
  /** written by `measure()`: Σ |quantity × price| over non-flat positions, and their count */
  gross = 0;
  open = 0;

  /** Every position ever held (flat ones included), in insertion order. Do not mutate. */
  get list(): readonly Position[] { return this.#list; }

  /** The live position object (flat ones included), undefined when never held. */
  get(asset: string): Position | undefined {
    const i = this.#slot(asset);
    return i < 0 ? undefined : this.#list[i];
  }

  /** Inserts or replaces the position of `asset`. */
  set(asset: string, p: Position): void {
    const i = this.#slot(asset);
    if (i >= 0) { this.#list[i] = p; return; }
    this.#index.set(asset, this.#list.length);
    this.#list.push(p);
  }

  clear(): void {
    this.#index.clear();
    this.#list = [];
    this.#lastAsset = undefined;
    this.#lastIdx = -1;
  }

  /** Re-marks `asset` at `price`; no-op when it was never held. */
  mark(asset: string, price: number): void {
    const i = this.#slot(asset);
    if (i >= 0) markPosition(this.#list[i] as Position, price);
  }

  /** `base` + Σ quantity × marked price over non-flat positions (summed onto `base`, in order). */
  marketValue(base = 0): number {
    let v = base;
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      const p = list[i] as Position;
      if (p.quantity !== 0) v += p.quantity * p.currentPrice;
    }
    return v;
  }

  /** Updates `gross` and `open`. */
  measure(): void {
    let gross = 0, open = 0;
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      const p = list[i] as Position;
      if (p.quantity !== 0) { open++; gross += Math.abs(p.quantity * p.currentPrice); }
    }
    this.gross = gross;
    this.open = open;
  }

  /** Non-flat positions (live objects). */
  openRefs(): Position[] {
    const out: Position[] = [];
    for (const p of this.#list) if (p.quantity !== 0) out.push(p);
    return out;
  }

  #slot(asset: string): number {
    if (asset === this.#lastAsset) return this.#lastIdx;
    const i = this.#index.get(asset);
    if (i === undefined) return -1;
    this.#lastAsset = asset;
    this.#lastIdx = i;
    return i;
  }
}
