import { IdIndex } from '../util/id-index.js';

/** The execution ids applied for one order: one id (the usual case, no allocation) or a Set. */
export type ExecIds = string | Set<string>;
export const hasExec = (x: ExecIds, e: string): boolean => (typeof x === 'string' ? x === e : x.has(e));
export const addExec = (x: ExecIds | undefined, e: string): ExecIds => {
  if (x === undefined) return e;
  if (typeof x === 'string') return new Set([x, e]);
  x.add(e);
  return x;
};

/** One generation: `n` orders in arrival order; `index` maps the first `indexed` ids to their position. */
interface Generation { index: IdIndex; ids: (string | undefined)[]; execs: (ExecIds | undefined)[]; n: number; indexed: number }

/**
 * Recently finished orders (so late, out-of-order updates for them are ignored) with the
 * execution ids applied for each (so a fill replayed after its order finished is not booked
 * twice). Two generations of `capacity` orders: when the young one is full it becomes the old
 * one and the old one is emptied for reuse, so between `capacity` and twice as many orders are
 * remembered. Backed by `IdIndex` (typed arrays, no per-entry objects), brought up to date
 * lazily: `add` only appends, and the ids added since the last lookup are indexed by the next one
 * (lookups are rare — late updates and late fills — so a run that never needs one hashes nothing).
 */
export class FinishedOrders {
  readonly #capacity: number;
  #young: Generation;
  #old: Generation;

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#young = this.#generation();
    this.#old = this.#generation();
  }

  add(id: string, execs: ExecIds | undefined): void {
    let g = this.#young;
    if (g.n >= this.#capacity) {
      const old = this.#old;
      old.index.clear();
      old.ids.fill(undefined, 0, old.n);
      old.execs.fill(undefined, 0, old.n);
      old.n = 0;
      old.indexed = 0;
      this.#old = g;
      this.#young = old;
      g = old;
    }
    g.ids[g.n] = id;
    g.execs[g.n++] = execs;
  }

  has(id: string): boolean { return find(this.#young, id) >= 0 || find(this.#old, id) >= 0; }

  /**
   * For a fill of a finished order: false if `e` was applied already, true if it is recorded now,
   * undefined if the order is not remembered here.
   */
  recordExec(id: string, e: string): boolean | undefined {
    let g = this.#young;
    let k = find(g, id);
    if (k < 0) { g = this.#old; k = find(g, id); }
    if (k < 0) return undefined;
    const prev = g.execs[k];
    if (prev !== undefined && hasExec(prev, e)) return false;
    g.execs[k] = addExec(prev, e);
    return true;
  }

  /** Was `e` applied for any remembered order? (slow: the rare fill under an unknown order id) */
  anyHasExec(e: string): boolean {
    for (const g of [this.#young, this.#old]) {
      for (let k = 0; k < g.n; k++) { const x = g.execs[k]; if (x !== undefined && hasExec(x, e)) return true; }
    }
    return false;
  }

  #generation(): Generation {
    const c = this.#capacity;
    return { index: new IdIndex(c), ids: new Array<string | undefined>(c).fill(undefined), execs: new Array<ExecIds | undefined>(c).fill(undefined), n: 0, indexed: 0 };
  }
}

/** The position of `id` in `g`, or -1 (indexes the ids added since the last lookup first). */
function find(g: Generation, id: string): number {
  for (; g.indexed < g.n; g.indexed++) g.index.set(g.ids[g.indexed]!, g.indexed);
  return g.index.get(id);
}
