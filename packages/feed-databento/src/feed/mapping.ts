import type { DbnMetadata } from '../dbn/metadata.js';
import type { RecordView } from '../dbn/view.js';

const DAY_MS = 86_400_000;

function dayOf(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

interface Span { from: number; to: number; symbol: string }

/**
 * Names instruments (DATABENTO.md §4): date-ranged maps from historical metadata, and point-in-time maps fed
 * by SymbolMappingMsg / InstrumentDefMsg records in live sessions. Falls back to the instrument id as a string.
 */
export class SymbolMap {
  /** instrument id → date spans (historical metadata) */
  readonly #dated = new Map<number, Span[]>();
  /** instrument id → current symbol (live) */
  readonly #current = new Map<number, string>();
  /** when set, the symbol of an id is the interval symbol (stype_in = instrument_id case) */

  /** Loads the metadata mappings. Returns this. */
  loadMetadata(md: DbnMetadata): this {
    const inverse = md.stype_in === 'instrument_id' && md.stype_out !== 'instrument_id';
    for (const m of md.mappings) {
      for (const iv of m.intervals) {
        if (iv.symbol === '') continue;
        const from = dayOf(iv.start_date);
        const to = dayOf(iv.end_date);
        if (!(to > from)) continue;
        const idStr = inverse ? m.raw_symbol : iv.symbol;
        const name = inverse ? iv.symbol : m.raw_symbol;
        const id = Number(idStr);
        if (!Number.isInteger(id)) continue;
        let spans = this.#dated.get(id);
        if (!spans) { spans = []; this.#dated.set(id, spans); }
        spans.push({ from, to, symbol: name });
      }
    }
    return this;
  }

  /** Point-in-time mapping (overwrites). */
  set(instrumentId: number, symbol: string): void {
    if (symbol !== '') this.#current.set(instrumentId, symbol);
  }

  /** Applies a SymbolMappingMsg (0x16) or InstrumentDefMsg (0x13) record; returns true if it was one. */
  observe(v: RecordView): boolean {
    const rt = v.rtype;
    if (rt === 0x16) { this.set(v.instrumentId, v.stypeOutSymbol); return true; }
    if (rt === 0x13) {
      const rec = v.toRecord() as { raw_symbol?: string };
      if (rec.raw_symbol && !this.#dated.has(v.instrumentId) && !this.#current.has(v.instrumentId)) this.set(v.instrumentId, rec.raw_symbol);
      return true;
    }
    return false;
  }

  /** The symbol of `instrumentId` at `tsMs` (UTC date of the index timestamp), or undefined. */
  lookup(instrumentId: number, tsMs: number): string | undefined {
    const spans = this.#dated.get(instrumentId);
    if (spans) {
      const day = Math.floor(tsMs / DAY_MS);
      for (const s of spans) if (day >= s.from && day < s.to) return s.symbol;
    }
    return this.#current.get(instrumentId);
  }

  /** lookup with the instrument id as a fallback name */
  name(instrumentId: number, tsMs: number): string {
    return this.lookup(instrumentId, tsMs) ?? String(instrumentId);
  }

  get size(): number { return this.#dated.size + this.#current.size; }
}
