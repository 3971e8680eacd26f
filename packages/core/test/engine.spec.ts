import { expect } from 'chai';
import { HaltCauses, LiveEngine, PaperBroker, ReplayFeed, SimulatedClock, silentLogger, type FeedEvent, type MarketDataMap, type Strategy } from '@tradewire/core';
import { flat } from './helpers.js';

function setup(strategy: Strategy, events: FeedEvent[], extra: Partial<ConstructorParameters<typeof LiveEngine>[0]> = {}) {
  const clock = new SimulatedClock(0);
  const broker = new PaperBroker({ initialCash: 10_000 }, clock, silentLogger);
  const engine = new LiveEngine({ strategy, broker, feed: new ReplayFeed(events), clock, handleSignals: false, ...extra });
  return { engine, broker, clock };
}

describe('LiveEngine', () => {
  it('a periodic job folds the periods a simulated clock jumps over into one run (replay starting long after the clock)', async () => {
    // a replay clock starts at 0 and bars come from 2024: a 1 s job used to fire once per second of
    // those 54 years (minutes of CPU before the first bar); here the clock starts a day early
    let timers = 0;
    const clock = new SimulatedClock(flat(0, 10)[0] - 86_400_000);
    const arm = clock.setTimeout.bind(clock);
    clock.setTimeout = (fn, ms) => { timers++; return arm(fn, ms); };
    const runs: number[] = [];
    const broker = new PaperBroker({ initialCash: 10_000 }, clock, silentLogger);
    const events = [flat(0, 10), flat(1, 10), flat(2, 10), flat(10, 10)]; // 1 min apart, then a 8 min gap
    const engine = new LiveEngine({
      strategy: { onData() {} }, broker, feed: new ReplayFeed(events), clock, handleSignals: false,
      extensions: [{ name: 'every-second', onConnect: async (e) => { e.schedule(1_000, () => { runs.push(clock.now()); }); } }],
    });
    await engine.run();
    // one run per jump (to the first bar, over each minute, over the gap), at the time of the bar that brought it
    expect(runs).to.deep.equal([events[0]![0], events[1]![0], events[2]![0], events[3]![0]]);
    expect(timers).to.be.below(50); // not 86,400 for the day, nor 60 per minute of data
  });

  it('a strategy throwing the same error on every bar: every one counted and passed to onError, the log keeps a few lines and a summary', async () => {
    const lines: { msg: string; fields: Record<string, unknown> }[] = [];
    const logger = { debug() {}, info() {}, warn(msg: string, fields: Record<string, unknown> = {}) { lines.push({ msg, fields }); }, error() {}, child() { return logger; } };
    let reported = 0;
    const events = Array.from({ length: 1_234 }, (_, i) => flat(i, 10));
    const { engine } = setup({ onData(ts) { if (ts === events[7]![0]) throw new Error('another one'); throw new Error('same every bar'); } }, events, { logger, onError: () => { reported++; } });
    await engine.run();
    expect(engine.stats.errors).to.equal(1_234);
    expect(reported).to.equal(1_234);
    const same = lines.filter((l) => l.msg.startsWith('strategy error') && (l.fields['error'] as Error | undefined)?.message === 'same every bar');
    expect(same.map((l) => l.fields['occurrences'] ?? 1)).to.deep.equal([1, 2, 3, 4, 5, 10, 100, 1000]);
    expect(lines.filter((l) => (l.fields['error'] as Error | undefined)?.message === 'another one')).to.have.length(1); // another error is logged on its own
    const summary = lines.filter((l) => l.msg === 'strategy error repeated more often than logged');
    expect(summary.map((l) => [l.fields['error'], l.fields['occurrences']])).to.deep.equal([['Error: same every bar', 1_233]]);
  });

  it('every order refused (insufficient funds): a few log lines by error code, then a summary', async () => {
    const lines: { msg: string; fields: Record<string, unknown> }[] = [];
    const logger = { debug() {}, info() {}, warn(msg: string, fields: Record<string, unknown> = {}) { lines.push({ msg, fields }); }, error() {}, child() { return logger; } };
    const events = Array.from({ length: 150 }, (_, i) => flat(i, 10));
    const { engine } = setup({ onData(_ts, _d, _c, b) { return b.submitOrder({ asset: 'AAA', quantity: 1e6 }).then(() => undefined, () => undefined); } }, events, { logger });
    await engine.run();
    expect(engine.stats.orders).to.equal(150);
    const failed = lines.filter((l) => l.msg.startsWith('order call failed'));
    expect(failed.map((l) => l.fields['occurrences'] ?? 1)).to.deep.equal([1, 2, 3, 4, 5, 10, 100]);
    expect(lines.filter((l) => l.msg === 'order call failures repeated more often than logged').map((l) => [l.fields['code'], l.fields['occurrences']])).to.deep.equal([['INSUFFICIENT_FUNDS', 150]]);
  });

  it('keeps running after strategy exceptions and reports each through onError', async () => {
    const errors: [string, number][] = [];
    let seen = 0;
    const { engine } = setup({ onData(ts) { seen++; if (seen % 2 === 0) throw new Error(`boom ${seen}`); } }, [flat(0, 10), flat(1, 10), flat(2, 10), flat(3, 10)], {
      onError: (e, ts) => errors.push([(e as Error).message, ts]),
    });
    await engine.run();
    expect(seen).to.equal(4);
    expect(errors.map((e) => e[0])).to.deep.equal(['boom 2', 'boom 4']);
    expect(engine.stats.errors).to.equal(2);
    expect(engine.stats.tradingState).to.equal('ACTIVE');
  });

  it('a strategy returning promises or foreign thenables (settling at once, or rejecting): every bar dispatched in order, each rejection reported once', async () => {
    // the pull loop resumes from the strategy's promise: 80,000 bars in a row of synchronously settling
    // thenables must neither recurse nor reorder, and timers still run while it works
    const n = 100_000;
    const seen: number[] = [];
    const errors: string[] = [];
    let timerRan = false;
    setTimeout(() => { timerRan = true; }, 0);
    const syncRun = (k: number): boolean => k > 10_000 && k < 90_000;
    const events = Array.from({ length: n }, (_, i) => flat(i, 10));
    const { engine } = setup({
      onData(ts) {
        seen.push(ts);
        const k = seen.length;
        if (syncRun(k)) return { then(ok: () => void) { ok(); } } as unknown as Promise<void>; // settles synchronously
        if (k % 1000 === 0) return Promise.reject(new Error(`no ${k}`));
        if (k % 3 === 0) return { then(ok: () => void) { ok(); } } as unknown as Promise<void>;
        if (k % 3 === 1) return Promise.resolve();
        return undefined;
      },
    }, events, { onError: (e) => errors.push((e as Error).message) });
    await engine.run();
    expect(seen).to.have.length(n);
    expect(seen.every((t, i) => i === 0 || t > seen[i - 1]!)).to.equal(true);
    const rejected = Array.from({ length: n / 1000 }, (_, i) => (i + 1) * 1000).filter((k) => !syncRun(k));
    expect(errors).to.deep.equal(rejected.map((k) => `no ${k}`));
    expect(engine.stats.errors).to.equal(rejected.length);
    expect(timerRan).to.equal(true);
  });

  it('halts and stops on the first error with haltOnError, rejecting later orders', async () => {
    let seen = 0;
    const { engine } = setup({ async onData() { seen++; if (seen === 2) throw new Error('fatal'); } }, [flat(0, 10), flat(1, 10), flat(2, 10), flat(3, 10)], { haltOnError: true });
    await engine.run();
    expect(seen).to.equal(2);
    expect(engine.stats.tradingState).to.equal('HALTED');
    expect(engine.lifecycle).to.equal('stopped');
  });

  it('stop() is idempotent and ends a run early', async () => {
    let seen = 0;
    const events = Array.from({ length: 100 }, (_, i) => flat(i, 10));
    const { engine } = setup({ async onData() { seen++; if (seen === 5) { void engine.stop(); void engine.stop(); } } }, events);
    await engine.run();
    await engine.stop();
    expect(seen).to.equal(5);
    expect(engine.lifecycle).to.equal('stopped');
  });

  it('infers side from the sign of the quantity and rejects invalid orders with a typed error', async () => {
    const codes: string[] = [];
    const { engine } = setup({
      async onData(_t, _d, _c, b) {
        if (b.getPosition('AAA') !== 0) return;
        await b.submitOrder({ asset: 'AAA', quantity: 10 });
        await b.submitOrder({ asset: 'AAA', quantity: -4 });
        for (const q of [Number.NaN, 0, -0, Number.POSITIVE_INFINITY]) await b.submitOrder({ asset: 'AAA', quantity: q }).catch((e: { code: string }) => codes.push(e.code));
        await b.submitOrder({ asset: 'AAA', quantity: 1, limitPrice: -1 }).catch((e: { code: string }) => codes.push(e.code));
      },
    }, [flat(0, 10)]);
    await engine.run();
    expect(engine.account.position('AAA')).to.equal(6);
    expect(codes).to.deep.equal(['INVALID_ORDER', 'INVALID_ORDER', 'INVALID_ORDER', 'INVALID_ORDER', 'INVALID_ORDER']);
    expect(engine.stats.orders).to.equal(2);
  });

  it('conflates market data per symbol for a slow strategy on a push feed (latest value wins, bounded queue)', async () => {
    const got: MarketDataMap[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => { release = r; });
    const events: FeedEvent[] = [];
    for (let i = 0; i < 50; i++) events.push([i, { A: { price: i, size: 1 }, B: { price: 100 + i, size: 1 } }, {}]);
    const feed = {
      name: 'push', kind: 'push' as const, async start() {}, async stop() {},
      async *[Symbol.asyncIterator]() { for (const e of events) { yield e; await new Promise((r) => setImmediate(r)); } release(); },
    };
    const clock = new SimulatedClock(0);
    const engine = new LiveEngine({
      strategy: { async onData(_t, d) { got.push(d); if (got.length === 1) await gate; } },
      broker: new PaperBroker({}, clock, silentLogger), feed, clock, handleSignals: false, queueCapacity: 10,
    });
    await engine.run();
    expect(got.length).to.be.lessThan(10);
    const last = got[got.length - 1]!;
    expect(last['A']).to.deep.equal({ price: 49, size: 1 });
    expect(last['B']).to.deep.equal({ price: 149, size: 1 });
    expect(engine.stats.conflated).to.be.greaterThan(40);
    expect(engine.stats.queueHighWater).to.be.at.most(12);
  });

  it('delivers order updates and fills to the strategy before the next bar, with stats', async () => {
    const log: string[] = [];
    const { engine } = setup({
      async onData(t, _d, _c, b) { log.push(`bar ${t}`); if (b.getPosition('AAA') === 0) await b.buy('AAA', 5); },
      onOrderUpdate(o) { log.push(`order ${o.status}`); },
      onFill(f) { log.push(`fill ${f.quantity}@${f.price}`); },
    }, [flat(0, 10), flat(1, 11)]);
    await engine.run();
    expect(log.slice(0, 4)).to.deep.equal([`bar ${flat(0, 10)[0]}`, 'order SUBMITTED', 'fill 5@10', 'order FILLED']);
    expect(engine.stats.fills).to.equal(1);
    expect(engine.stats.bars).to.equal(2);
    expect(engine.account.accountValue()).to.be.closeTo(10_000 + 5, 1e-9);
  });

  it('follows the broker chain\'s halts as they are reported (onHaltChange), and lifts only a halt that came from it', async () => {
    class HaltingBroker extends PaperBroker {
      reason: string | undefined;
      readonly listeners: ((r: string | undefined) => void)[] = [];
      haltReason(): string | undefined { return this.reason; }
      onHaltChange(l: (r: string | undefined) => void): () => void { this.listeners.push(l); return () => {}; }
      report(r: string | undefined): void { this.reason = r; for (const l of this.listeners) l(r); }
    }
    const clock = new SimulatedClock(0);
    const broker = new HaltingBroker({ initialCash: 10_000 }, clock, silentLogger);
    const engine = new LiveEngine({ strategy: { onData() {} }, broker, feed: new ReplayFeed([flat(0, 10)]), clock, handleSignals: false, logger: silentLogger });
    await engine.connect();
    broker.report('daily loss 120 > 100');
    expect(engine.tradingState).to.equal('HALTED');
    expect(engine.stats.haltReason).to.equal('RISK_HALTED: daily loss 120 > 100');
    broker.report(undefined);
    expect(engine.tradingState).to.equal('ACTIVE');
    // the risk layer halts first, another cause joins; lifting the risk halt leaves the engine HALTED for the other
    broker.report('kill switch');
    engine.halt('1 critical discrepancy', 'RECONCILE_MISMATCH');
    broker.report(undefined);
    expect(engine.tradingState).to.equal('HALTED');
    expect(engine.stats.haltReason).to.equal('RECONCILE_MISMATCH: 1 critical discrepancy');
    engine.resume('reconciliation approved');
    engine.halt('an operator stop', 'MANUAL');
    broker.report('kill switch');
    broker.report(undefined); // the risk layer resumed, but the engine's own halt stays
    expect(engine.tradingState).to.equal('HALTED');
    expect(engine.stats.haltReason).to.equal('MANUAL: an operator stop');
    // the other way round: lifting the state layer's cause (an approved reconciliation) leaves the risk layer's halt
    engine.resume('operator');
    broker.report('kill switch');
    const causes = new HaltCauses();
    causes.halt(engine, '1 critical discrepancy', 'RECONCILE_MISMATCH');
    expect(causes.clear(engine, ['RECONCILE_MISMATCH'], 'reconciliation approved')).to.equal(false);
    expect(engine.tradingState).to.equal('HALTED');
    expect(engine.stats.haltReason).to.equal('RISK_HALTED: kill switch');
    broker.report(undefined);
    expect(engine.tradingState).to.equal('ACTIVE');
    await engine.stop();
  });

  it('quietUntil: market events up to it reach the strategy, its orders are refused (ENGINE_CATCHING_UP); later ones are sent', async () => {
    const seen: number[] = [];
    const sent: number[] = [];
    const refused: string[] = [];
    const events = [flat(0, 10), flat(1, 10), flat(2, 10), flat(3, 10)];
    const { engine, broker, clock } = setup({
      async onData(ts, _d, _c, b) {
        seen.push(ts);
        try { await b.buy('A', 1); sent.push(ts); } catch (e) { refused.push((e as { code: string }).code); }
      },
    }, events);
    await engine.connect();
    engine.quietUntil(events[1]![0]);
    clock.set(events[3]![0] + 3_600_000); // by the events' own times, not the clock (a live restart: the clock is past them)
    await engine.run();
    expect(seen).to.deep.equal(events.map((e) => e[0]));
    expect(refused).to.deep.equal(['ENGINE_CATCHING_UP', 'ENGINE_CATCHING_UP']);
    expect(sent).to.deep.equal([events[2]![0], events[3]![0]]);
    expect(await broker.getOrders()).to.have.length(2);
  });

  it('with haltOnError, an order refused while catching up is not a strategy failure: the run goes on and trades after', async () => {
    const events = [flat(0, 10), flat(1, 10), flat(2, 10)];
    const { engine, broker } = setup({ async onData(_ts, _d, _c, b) { await b.buy('A', 1); } }, events, { haltOnError: true });
    await engine.connect();
    engine.quietUntil(events[0]![0]);
    await engine.run();
    expect(engine.tradingState).to.equal('ACTIVE');
    expect(engine.stats.errors).to.equal(1);
    expect(await broker.getOrders()).to.have.length(2);
  });
});
