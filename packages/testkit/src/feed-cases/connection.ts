/** TF06, TF07: the connection — dropped by the venue, or half-open (silent). */
import { expect } from 'chai';
import type { FeedHarness, VenueDataRecord } from '../feed-harness.js';
import { baseTime, datum, emitter, entries, expectEntriesAre, FeedReader, harness, of, primaryKind, scenario, unflagged, type Entry, type FeedGet } from './common.js';
import { eventually, settle } from '../eventually.js';

function controls(h: FeedHarness, need: 'dropConnection' | 'goSilent'): { cut: () => Promise<void>; sessions: () => number } {
  const v = h.venue;
  const cut = v[need];
  const sessions = v.sessions;
  if (!cut || !sessions || !v.emit) throw new Error(`harness declares reconnects but its venue lacks ${need}(), sessions() or emit()`);
  return { cut: () => cut.call(v), sessions: () => sessions.call(v) };
}

const has = (r: VenueDataRecord) => (e: Entry): boolean => e.symbol === r.symbol && e.ts === r.ts;

export function connectionCases(get: FeedGet): void {
  it('TF06 disconnect and reconnect: resubscribes, the gap is reported in context, missed records backfilled or covered by the gap', async function () {
    const c = get();
    if (!c.factory.traits.reconnects) this.skip();
    const k = primaryKind(c);
    const t0 = baseTime();
    const d = (i: number): VenueDataRecord => datum(c, k, 'AAA', t0, i, 100 + i);
    const h = await harness(c, scenario(c, ['AAA'], []));
    const { cut, sessions } = controls(h, 'dropConnection');
    const emit = emitter(h);
    const reader = await new FeedReader(h.feed, c.waitMs).start();
    await eventually(() => expect(sessions(), 'first session').to.equal(1), c.waitMs);
    await emit([d(0), d(1)]);
    await reader.waitEntries(2, 'before the drop');
    await cut();
    await emit([d(2)]); // missed: the venue has it, the adapter is not connected
    await eventually(() => expect(sessions(), 'resubscribed').to.be.at.least(2), c.waitMs);
    await emit([d(3)]);
    await reader.waitFor((evs) => evs.some((ev) => ev[0] === d(3).ts), 'the record after the reconnect');
    await settle(100);
    const mine = unflagged(of(entries(reader.events), 'AAA'));
    const backfill = c.factory.traits.backfill === true;
    expectEntriesAre(mine, backfill ? [d(0), d(1), d(2), d(3)] : [d(0), d(1), d(3)], backfill ? 'every record once, the missed one backfilled' : 'every record delivered once');
    const firstAfter = mine.find(has(backfill ? d(2) : d(3)));
    const gap = firstAfter?.context.gap;
    expect(gap, 'context.gap on the first event after the reconnect').to.be.an('object');
    if (!gap) return;
    expect(gap.reason, 'gap reason').to.be.a('string').and.not.equal('');
    expect(gap.from, 'gap starts at or after the last event before the drop').to.be.at.least(d(1).ts);
    expect(gap.from, 'gap starts no later than it ends').to.be.at.most(gap.to);
    if (!backfill) expect(d(2).ts >= gap.from && d(2).ts <= gap.to, `the gap ${gap.from}..${gap.to} covers the missed record ${d(2).ts}`).to.equal(true);
    expect(mine.filter((e) => e.context.gap !== undefined), 'one gap').to.have.length(1);
  });

  it('TF07 half-open connection (no bytes, no close) is detected by a staleness timeout and reconnected', async function () {
    const c = get();
    if (!c.factory.traits.reconnects) this.skip();
    const k = primaryKind(c);
    const t0 = baseTime();
    const d = (i: number): VenueDataRecord => datum(c, k, 'AAA', t0, i, 100 + i);
    const h = await harness(c, scenario(c, ['AAA'], [d(0)]));
    const { cut, sessions } = controls(h, 'goSilent');
    const reader = await new FeedReader(h.feed, c.waitMs).start();
    await reader.waitEntries(1, 'the first record');
    expect(sessions()).to.equal(1);
    await cut();
    await eventually(() => expect(sessions(), 'a new session after the silence').to.be.at.least(2), c.waitMs);
    await emitter(h)([d(1)]);
    await reader.waitFor((evs) => evs.some((ev) => ev[0] === d(1).ts), 'data after the reconnect');
    const mine = of(entries(reader.events), 'AAA');
    expectEntriesAre(mine, [d(0), d(1)], 'records once each');
    expect(mine[1]?.context.gap?.reason, 'the gap names the reason').to.be.a('string').and.not.equal('');
  });
}
