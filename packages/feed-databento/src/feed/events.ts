import type { Bar, FeedContext, FeedEvent, MarketData, Quote, Trade } from '@tradewire/core';
import { ohlcvPeriodMs } from '../dbn/enums.js';
import type { DbnMetadata } from '../dbn/metadata.js';
import type { RecordView } from '../dbn/view.js';
import { SymbolMap } from './mapping.js';

export interface EventBuilderOptions {
  /** only emit these symbols (as named by the symbol map); default all */
  symbols?: readonly string[] | undefined;
  /** `context.source` */
  source: string;
}

function side(c: number): 'BUY' | 'SELL' | undefined {
  return c === 0x42 ? 'BUY' : c === 0x41 ? 'SELL' : undefined;
}

/**
 * Turns DBN record views into core feed events: OHLCV → Bar, trades / MBO fills / TBBO / TCBBO → Trade (with the
 * book in `context.bid/ask` where the record has it), MBP-1 / MBP-10 / BBO / CBBO / CMBP-1 → Quote (level 0).
 * Symbol-mapping and definition records feed the symbol map; other records produce nothing.
 * Timestamps: OHLCV and records without ts_recv use ts_event; the others their index timestamp ts_recv.
 */
export class EventBuilder {
  readonly symbolMap = new SymbolMap();
  #filter: Set<string> | undefined;
  #source: string;
  #tradeLike1 = false;
  constructor(opts: EventBuilderOptions) {
    this.#filter = opts.symbols && opts.symbols.length > 0 ? new Set(opts.symbols) : undefined;
    this.#source = opts.source;
  }

  setMetadata(md: DbnMetadata): void {
    this.symbolMap.loadMetadata(md);
    this.#tradeLike1 = md.schema === 'tbbo';
  }

  build(v: RecordView): FeedEvent | undefined {
    const rt = v.rtype;
    if (rt === 0x16 || rt === 0x13) { this.symbolMap.observe(v); return undefined; }
    let data: MarketData | undefined;
    const ctx: FeedContext = { source: this.#source };
    let tsNs: bigint | undefined;
    if ((rt >= 0x20 && rt <= 0x24) || rt === 0x11) {
      const open = v.open, high = v.high, low = v.low, close = v.close;
      if (open === undefined || high === undefined || low === undefined || close === undefined) return undefined;
      const bar: Bar = { open, high, low, close, volume: v.volume };
      data = bar;
      tsNs = v.tsEvent;
      const p = ohlcvPeriodMs(rt);
      if (p !== undefined) ctx.periodMs = p;
    } else if (rt === 0x00 || rt === 0xa0) {
      if (rt === 0xa0) {
        const a = v.u8[v.off + 38];
        if (a !== 0x54 && a !== 0x46) return undefined; // MBO: only trades/fills are prints
      }
      const price = v.price;
      if (price === undefined) return undefined;
      const t: Trade = { price, size: v.sizeField };
      const s = side(v.u8[v.off + (rt === 0xa0 ? 39 : 29)]!);
      if (s) t.side = s;
      data = t;
      tsNs = v.tsIndex;
    } else if (rt === 0x01 || rt === 0x0a || rt === 0xc3 || rt === 0xc4 || rt === 0xc0 || rt === 0xc1 || rt === 0xb1 || rt === 0xc2) {
      const bid = v.bidPx, ask = v.askPx;
      const tradeLike = (rt === 0x01 && this.#tradeLike1) || rt === 0xc2;
      if (tradeLike) {
        const price = v.price;
        if (price === undefined) return undefined;
        const t: Trade = { price, size: v.sizeField };
        const s = side(v.u8[v.off + 29]!);
        if (s) t.side = s;
        data = t;
        if (bid !== undefined) ctx.bid = bid;
        if (ask !== undefined) ctx.ask = ask;
      } else {
        if (bid === undefined && ask === undefined) return undefined;
        const q: Quote = { bid: bid ?? NaN, ask: ask ?? NaN, bidSize: v.bidSz, askSize: v.askSz };
        data = q;
      }
      tsNs = v.tsIndex;
    } else {
      return undefined;
    }
    if (tsNs === undefined) return undefined;
    const ms = Number(tsNs / 1_000_000n);
    const sym = this.symbolMap.name(v.instrumentId, ms);
    if (this.#filter && !this.#filter.has(sym)) return undefined;
    ctx.tsNs = tsNs;
    ctx['instrumentId'] = v.instrumentId;
    ctx['rtype'] = rt;
    return [ms, { [sym]: data }, ctx];
  }
}

/**
 * Merges consecutive events with the same nanosecond timestamp and kind into one event, as long as no
 * symbol repeats (several instruments' bars for the same minute become one `{ [symbol]: bar }` map).
 */
export class EventMerger {
  #pending: FeedEvent | undefined;
  /** Adds an event; returns the event that is now complete, if any. */
  push(ev: FeedEvent): FeedEvent | undefined {
    const p = this.#pending;
    if (p && p[2].periodMs !== undefined && p[2].tsNs === ev[2].tsNs && p[2]['rtype'] === ev[2]['rtype'] && p[2].gap === undefined && ev[2].gap === undefined) {
      const sym = Object.keys(ev[1])[0]!;
      if (!(sym in p[1])) {
        p[1][sym] = ev[1][sym]!;
        delete p[2]['instrumentId'];
        return undefined;
      }
    }
    this.#pending = ev;
    return p;
  }
  /** The last pending event (end of data). */
  flush(): FeedEvent | undefined {
    const p = this.#pending;
    this.#pending = undefined;
    return p;
  }
  get hasPending(): boolean { return this.#pending !== undefined; }
}
