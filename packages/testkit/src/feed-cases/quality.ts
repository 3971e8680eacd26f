/** TF05, TF08, TF09: what the venue gets wrong — duplicates and late records, malformed messages, "no price" sentinels. */
import { expect } from 'chai';
import { isQuote } from '@tradewire/core';
import type { VenueDataRecord, VenueRecord } from '../feed-harness.js';
import { bar, baseTime, barPeriod, dataOnly, datum, expectEntriesAre, expectEntryIs, expectFinite, harness, of, primaryKind, quote, readAll, scenario, trade, unflagged, type FeedGet } from './common.js';

export function qualityCases(get: FeedGet): void {
  it('TF05 duplicates and late records are dropped or flagged, never emitted twice', async () => {
    const c = get();
    const k = primaryKind(c);
    const t0 = baseTime();
    const d = (i: number, px: number): VenueDataRecord => datum(c, k, 'AAA', t0, i, px);
    // bars: a period repeated, and a period that already closed; ticks: a print older than the last one
    const recs: VenueDataRecord[] = k === 'bar'
      ? [d(0, 100), d(1, 101), d(1, 101), d(0, 99), d(2, 102), d(3, 103)]
      : [d(0, 100), d(2, 101), d(1, 99), d(3, 102), d(4, 103)];
    const want = k === 'bar' ? [recs[0]!, recs[1]!, recs[4]!, recs[5]!] : [recs[0]!, recs[1]!, recs[3]!, recs[4]!];
    const h = await harness(c, scenario(c, ['AAA'], recs));
    const { entries } = await readAll(c, h, recs[recs.length - 1]!);
    const kept = unflagged(of(entries, 'AAA'));
    expectEntriesAre(kept, want, 'unflagged events');
    const keys = kept.map((e) => e.ts);
    expect(new Set(keys).size, 'never twice').to.equal(keys.length);
  });

  it('TF08 a malformed message is counted and dropped with a sampled log; the stream survives', async function () {
    const c = get();
    if (c.factory.traits.typedInput) this.skip();
    const k = primaryKind(c);
    const t0 = baseTime();
    const bad = (i: number): VenueRecord => ({ kind: 'malformed', ts: t0 + i * barPeriod(c) + 1 });
    const recs: VenueRecord[] = [datum(c, k, 'AAA', t0, 0, 100), ...Array.from({ length: 40 }, () => bad(0)), datum(c, k, 'AAA', t0, 1, 101), bad(1), datum(c, k, 'AAA', t0, 2, 102)];
    const h = await harness(c, scenario(c, ['AAA'], recs));
    const logs0 = h.logLines?.().length ?? 0;
    const { entries, reader } = await readAll(c, h, dataOnly(recs)[2]!);
    expect(reader.error, 'no error escapes').to.equal(undefined);
    expectEntriesAre(of(entries, 'AAA'), dataOnly(recs), 'the good records around the malformed ones');
    if (h.dropped) expect(h.dropped(), 'malformed messages counted').to.be.at.least(41);
    if (h.logLines) {
      const n = h.logLines().length - logs0;
      expect(n, 'malformed messages logged').to.be.at.least(1);
      expect(n, 'log sampled, not one line per message (41 malformed)').to.be.below(20);
    }
  });

  it('TF09 "no price" sentinels and missing fields never become a price', async () => {
    const c = get();
    const t0 = baseTime();
    const kinds = c.factory.traits.records;
    const p = barPeriod(c);
    const recs: VenueDataRecord[] = [];
    const good: VenueDataRecord[] = [];
    const oneSided: VenueDataRecord[] = [];
    const symbols: string[] = [];
    if (kinds.includes('bar')) {
      symbols.push('AAA');
      const g0 = bar('AAA', t0, 100), g3 = bar('AAA', t0 + 3 * p, 103);
      recs.push(g0, { ...bar('AAA', t0 + p, 101), close: undefined }, { kind: 'bar', symbol: 'AAA', ts: t0 + 2 * p, open: undefined, high: undefined, low: undefined, close: undefined, volume: 0 }, g3);
      good.push(g0, g3);
    }
    if (kinds.includes('trade')) {
      symbols.push('TTT');
      const g0 = trade('TTT', t0, 50), g2 = trade('TTT', t0 + 2_000, 51);
      recs.push(g0, { ...trade('TTT', t0 + 1_000, 0), price: undefined }, g2);
      good.push(g0, g2);
    }
    if (kinds.includes('quote')) {
      symbols.push('QQQ');
      const g0 = quote('QQQ', t0, 20, 20.5), half = quote('QQQ', t0 + 1_000, undefined, 20.75), g3 = quote('QQQ', t0 + 3_000, 21, 21.5);
      recs.push(g0, half, quote('QQQ', t0 + 2_000, undefined, undefined), g3);
      good.push(g0, g3);
      oneSided.push(half);
    }
    const h = await harness(c, scenario(c, symbols, recs));
    const { entries } = await readAll(c, h, recs[recs.length - 1]!);
    entries.forEach(expectFinite);
    for (const sym of symbols) {
      const mine = of(entries, sym).filter((e) => !oneSided.some((r) => r.symbol === e.symbol && r.ts === e.ts));
      expectEntriesAre(mine, good.filter((r) => r.symbol === sym), `${sym}: only the records with prices`);
    }
    for (const r of oneSided) {
      const e = entries.find((x) => x.symbol === r.symbol && x.ts === r.ts);
      if (!e || !isQuote(e.data)) continue; // dropped: fine
      expect(Number.isFinite(e.data.bid), 'the missing bid is not a number').to.equal(false);
      expectEntryIs(e, r, 'one-sided quote');
    }
  });
}
