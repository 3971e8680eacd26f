/** TF10–TF12: behind a BarAggregator, historical requests, secrets. */
import { expect } from 'chai';
import { AggregatedFeed, isBar, type Bar } from '@tradewire/core';
import type { VenueBar, VenueDataRecord, VenueRecord, VenueTrade } from '../feed-harness.js';
import { bar, barPeriod, baseTime, datum, emitter, entries, expectEntriesAre, FeedReader, harness, of, primaryKind, readAll, scenario, trade, type FeedGet } from './common.js';
import { findSecrets } from '../secrets-canary.js';
import { eventually } from '../eventually.js';

/** Bars computed directly from the venue records (reference, independent of BarAggregator). */
function reference(recs: readonly (VenueBar | VenueTrade)[], periodMs: number): Map<string, Map<number, Bar>> {
  const out = new Map<string, Map<number, Bar>>();
  for (const r of recs) {
    const start = Math.floor(r.ts / periodMs) * periodMs;
    const t = r.kind === 'trade'
      ? { open: r.price!, high: r.price!, low: r.price!, close: r.price!, volume: r.size }
      : { open: r.open!, high: r.high!, low: r.low!, close: r.close!, volume: r.volume };
    let bySym = out.get(r.symbol);
    if (!bySym) { bySym = new Map(); out.set(r.symbol, bySym); }
    const b = bySym.get(start);
    if (!b) bySym.set(start, { ...t });
    else { b.high = Math.max(b.high, t.high); b.low = Math.min(b.low, t.low); b.close = t.close; b.volume += t.volume; }
  }
  return out;
}

export function derivedCases(get: FeedGet): void {
  it('TF10 works behind BarAggregator: aggregated bars equal the ones computed directly from the same input', async () => {
    const c = get();
    const useTrades = c.factory.traits.records.includes('trade') || !c.factory.traits.records.includes('bar');
    const src = barPeriod(c);
    const P = useTrades || src < 60_000 ? 60_000 : 5 * src;
    const t0 = baseTime();
    const recs: (VenueBar | VenueTrade)[] = [];
    const steps = useTrades ? 4 : Math.round(P / src);
    for (let m = 0; m < 4; m++) {
      for (let j = 0; j < steps; j++) {
        const px = 100 + m * 2 + ((j * 7) % 5) - 2;
        for (const sym of ['AAA', 'BBB']) {
          const base = sym === 'AAA' ? px : px / 2;
          recs.push(useTrades ? trade(sym, t0 + m * P + j * 15_000, base, 1 + j) : bar(sym, t0 + m * P + j * src, base, 1 + j));
        }
      }
    }
    // one record in the next period closes the last full one on a live feed
    const closer: VenueDataRecord[] = ['AAA', 'BBB'].map((s) => (useTrades ? trade(s, t0 + 4 * P, 1_000) : bar(s, t0 + 4 * P, 1_000)));
    const h = await harness(c, scenario(c, ['AAA', 'BBB'], [...recs, ...closer]));
    const agg = new AggregatedFeed(h.feed, { periodMs: P });
    const reader = await new FeedReader(agg, c.waitMs).start();
    if (agg.kind === 'pull') await reader.untilDone();
    else await reader.waitFor((evs) => ['AAA', 'BBB'].every((s) => of(entries(evs), s).some((e) => e.ts === t0 + 3 * P)), 'the last closed minute of both symbols');
    await reader.stop();
    const want = reference(recs, P);
    for (const sym of ['AAA', 'BBB']) {
      const got = of(entries(reader.events), sym).filter((e) => e.ts < t0 + 4 * P);
      const exp = [...(want.get(sym) ?? new Map<number, Bar>()).entries()].sort((a, b) => a[0] - b[0]);
      expect(got.map((e) => e.ts), `${sym}: one aggregated bar per period`).to.deep.equal(exp.map(([t]) => t));
      got.forEach((e, i) => {
        expect(isBar(e.data), 'a bar').to.equal(true);
        expect(e.context.periodMs, 'context.periodMs').to.equal(P);
        const w = exp[i]![1];
        const d = e.data as Bar;
        for (const f of ['open', 'high', 'low', 'close', 'volume'] as const) expect(d[f], `${sym}@${e.ts} ${f}`).to.be.closeTo(w[f], 1e-6);
      });
    }
  });

  it('TF11 historical request: the range is complete, ordered and ends where asked', async function () {
    const c = get();
    const k = primaryKind(c);
    const t0 = baseTime();
    const recs = [0, 1, 2, 3, 4, 5, 6].flatMap((i) => [datum(c, k, 'AAA', t0, i, 100 + i), datum(c, k, 'BBB', t0, i, 50 + i)]);
    const h = await harness(c, scenario(c, ['AAA', 'BBB'], recs));
    if (!h.history) this.skip();
    const from = recs[2]!.ts, to = recs[10]!.ts; // steps 1..4
    const feed = await h.history({ symbols: ['AAA'], from, to });
    const reader = await new FeedReader(feed, c.waitMs).start();
    await reader.untilDone();
    const es = entries(reader.events);
    const want = recs.filter((r) => r.symbol === 'AAA' && r.ts >= from && r.ts < to);
    expect(want, 'the scenario range').to.have.length(4);
    expectEntriesAre(es, want, 'history');
    expect(es[es.length - 1]!.ts, 'ends before the requested end').to.be.below(to);
  });

  it('TF12 secrets: no key in logs or errors', async function () {
    const c = get();
    const k = primaryKind(c);
    const t0 = baseTime();
    const recs: VenueRecord[] = [datum(c, k, 'AAA', t0, 0, 100)];
    if (!c.factory.traits.typedInput) recs.push({ kind: 'malformed', ts: t0 + 1 });
    recs.push(datum(c, k, 'AAA', t0, 1, 101));
    const h = await harness(c, scenario(c, ['AAA'], recs));
    const secrets = h.secrets ?? [];
    if (secrets.length === 0) this.skip();
    const { reader } = await readAll(c, h, datum(c, k, 'AAA', t0, 1, 101));
    const sessions = h.venue.sessions?.bind(h.venue);
    if (h.venue.dropConnection && sessions && c.factory.traits.reconnects) {
      const s0 = sessions();
      await h.venue.dropConnection();
      await eventually(() => expect(sessions(), 'reconnected').to.be.above(s0), c.waitMs);
      await emitter(h)([datum(c, k, 'AAA', t0, 2, 102)]);
      await reader.waitFor((evs) => evs.some((ev) => ev[0] === datum(c, k, 'AAA', t0, 2, 102).ts), 'data after a reconnect');
    }
    await reader.stop();
    const leaks = findSecrets(secrets, { logs: h.logLines?.() ?? [], errors: reader.error === undefined ? [] : [reader.error], events: reader.events });
    expect(leaks, 'places where a secret leaked').to.deep.equal([]);
  });
}
