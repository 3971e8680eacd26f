/** TF01–TF04: the stream itself — start/stop, event shape, closed bars, symbol filter. */
import { expect } from 'chai';
import type { FeedEvent } from '@tradewire/core';
import type { FeedCaseContext } from '../feed-harness.js';
import { activeTimers, barPeriod, baseTime, copyEvent, datum, expectEntriesAre, expectFinite, harness, of, primaryKind, readAll, scenario, type FeedGet } from './common.js';
import { eventually, settle } from '../eventually.js';

/** `p` resolves within `ms`, else the result is 'timeout'. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const r = await Promise.race([p, new Promise<'timeout'>((res) => { timer = setTimeout(() => res('timeout'), ms); })]);
  if (timer) clearTimeout(timer);
  return r;
}

function twoSymbols(c: FeedCaseContext, n: number): ReturnType<typeof datum>[] {
  const k = primaryKind(c);
  const t0 = baseTime();
  const out: ReturnType<typeof datum>[] = [];
  for (let i = 0; i < n; i++) out.push(datum(c, k, 'AAA', t0, i, 100 + i), datum(c, k, 'BBB', t0, i, 50 + i / 4));
  return out;
}

export function streamCases(get: FeedGet): void {
  it('TF01 start, receive, stop: events flow after start(); stop() ends the iteration within 1 s; no timers left', async () => {
    const c = get();
    await settle(1); // mocha arms its own timeout timer once the case has returned its promise
    const timers0 = activeTimers();
    const k = primaryKind(c);
    const t0 = baseTime();
    const recs = [0, 1, 2, 3].map((i) => datum(c, k, 'AAA', t0, i, 100 + i));
    const h = await harness(c, scenario(c, ['AAA'], recs));
    await h.feed.start();
    const it = h.feed[Symbol.asyncIterator]();
    const first = await within(it.next(), c.waitMs);
    expect(first !== 'timeout' && !first.done, 'an event after start()').to.equal(true);
    if (first === 'timeout' || first.done) return;
    expect(first.value[0], 'the first venue record first').to.equal(recs[0]!.ts);
    if (h.feed.kind === 'push') {
      for (let i = 1; i < recs.length; i++) {
        const r = await within(it.next(), c.waitMs);
        expect(r !== 'timeout' && !r.done && r.value[0] === recs[i]!.ts, `venue record ${i}`).to.equal(true);
      }
    }
    // push: the iterator is now waiting for data that does not come; pull: it is in the middle of its input
    const pending = it.next();
    await settle(50);
    const t = Date.now();
    await h.feed.stop();
    const end = await within(pending.then((r) => (r.done ? 'done' : it.next().then((r2) => (r2.done ? 'done' : 'more')))), 1_000);
    expect(end, 'iteration ended by stop() (at most the event already in flight)').to.equal('done');
    expect(Date.now() - t, 'within 1 s').to.be.below(1_000);
    await it.return?.();
    await h.close();
    c.open.splice(c.open.indexOf(h), 1);
    await eventually(() => expect(activeTimers(), 'timers after stop() and close() (before: ' + timers0 + ')').to.be.at.most(timers0), 1_000);
  });

  it('TF02 event shape: [timestamp, { symbol: data }, context], values equal the venue, numbers finite, time non-decreasing per symbol', async () => {
    const c = get();
    const recs = twoSymbols(c, 4);
    const s = scenario(c, ['AAA', 'BBB'], recs);
    const h = await harness(c, s);
    const { reader, entries } = await readAll(c, h, recs[recs.length - 1]!);
    for (const ev of reader.events) {
      expect(ev, 'a 3-tuple').to.be.an('array').with.length(3);
      expect(Number.isFinite(ev[0]), 'timestamp is a finite number (ms)').to.equal(true);
      expect(ev[1], 'data map').to.be.an('object');
      expect(Object.keys(ev[1]).length, 'at least one symbol per event').to.be.at.least(1);
      expect(ev[2], 'context object').to.be.an('object');
    }
    entries.forEach(expectFinite);
    for (const sym of ['AAA', 'BBB']) {
      const mine = of(entries, sym);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.ts, `${sym}: time non-decreasing`).to.be.at.least(mine[i - 1]!.ts);
      expectEntriesAre(mine, recs.filter((r) => r.symbol === sym), sym);
    }
    const h2 = await harness(c, s);
    await h2.feed.start();
    const sync = h2.feed.syncIterator?.();
    if (sync) {
      const evs: FeedEvent[] = [];
      for (let r = sync.next(); !r.done; r = sync.next()) evs.push(copyEvent(r.value));
      const bare = (es: readonly FeedEvent[]): unknown[] => es.map(([t, d, ctx]) => [t, d, { ...ctx, source: undefined }]);
      expect(bare(evs), 'syncIterator() yields the same events as async iteration (context.source aside)').to.deep.equal(bare(reader.events));
    }
    await h2.feed.stop();
  });

  it('TF03 only closed bars are emitted as bars: one per period, at the period start, in period order', async function () {
    const c = get();
    if (!c.factory.traits.records.includes('bar')) this.skip();
    const p = barPeriod(c);
    const recs = twoSymbols(c, 5);
    const h = await harness(c, scenario(c, ['AAA', 'BBB'], recs));
    const { entries } = await readAll(c, h, recs[recs.length - 1]!);
    for (const sym of ['AAA', 'BBB']) {
      const mine = of(entries, sym);
      const starts = mine.map((e) => e.ts);
      expect(new Set(starts).size, `${sym}: one bar per period`).to.equal(starts.length);
      for (const e of mine) {
        expect(e.ts % p, `${sym}@${e.ts}: timestamp is the period start`).to.equal(0);
        if (e.context.periodMs !== undefined) expect(e.context.periodMs, 'context.periodMs is the bar period').to.equal(p);
      }
      for (let i = 1; i < starts.length; i++) expect(starts[i]!, `${sym}: period order`).to.be.above(starts[i - 1]!);
      expectEntriesAre(mine, recs.filter((r) => r.symbol === sym), sym);
    }
  });

  it('TF04 symbol filter: only the requested symbols appear', async () => {
    const c = get();
    const k = primaryKind(c);
    const t0 = baseTime();
    const recs = [0, 1, 2].flatMap((i) => [datum(c, k, 'AAA', t0, i, 100 + i), datum(c, k, 'BBB', t0, i, 200 + i), datum(c, k, 'CCC', t0, i, 300 + i)]);
    const h = await harness(c, scenario(c, ['AAA', 'CCC'], recs));
    const { entries } = await readAll(c, h, recs[recs.length - 1]!);
    expect([...new Set(entries.map((e) => e.symbol))].sort(), 'symbols seen').to.deep.equal(['AAA', 'CCC']);
    for (const sym of ['AAA', 'CCC']) expectEntriesAre(of(entries, sym), recs.filter((r) => r.symbol === sym), sym);
    const subscribed = h.venue.subscribedSymbols?.();
    if (subscribed) expect([...subscribed].sort(), 'symbols subscribed at the venue').to.deep.equal(['AAA', 'CCC']);
  });
}

