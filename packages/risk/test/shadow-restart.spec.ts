import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LiveEngine, MemoryLogger, PaperBroker, ReplayFeed, SimulatedClock, SqliteKeyValueStore, StateStore, createStateLayer, silentLogger,
  type FeedEvent, type Order, type Strategy,
} from '@tradewire/core';
import { RiskStateSchema, SafeBroker, parseRiskConfig, type LiveRiskConfigInput } from '@tradewire/risk';
import { LedgerBroker, T0, bar, intent } from './support/helpers.js';

const SHADOW: LiveRiskConfigInput = { shadowMode: true, shadow: { initialCash: 50_000, slippageBps: 10, commissionPerShare: 0.01, minCommission: 1 } };

/** A SafeBroker whose counters are written behind only once a minute: what reaches the store at once is a decision or a virtual execution. */
function shadowBroker(kv: SqliteKeyValueStore, clock: SimulatedClock, inner = new LedgerBroker()): SafeBroker {
  return new SafeBroker(inner, { config: parseRiskConfig(SHADOW), clock, logger: new MemoryLogger(), kv, externalSyncMs: 0, persistIntervalMs: 60_000 });
}
function tick(s: SafeBroker, clock: SimulatedClock, ts: number, px: Record<string, number>): void {
  clock.set(ts);
  const d: Record<string, ReturnType<typeof bar>> = {};
  for (const [k, v] of Object.entries(px)) d[k] = bar(v);
  s.onMarketData(ts, d, {});
}
function events(from: number, n: number): FeedEvent[] {
  const out: FeedEvent[] = [];
  for (let i = from; i < from + n; i++) {
    const p = 100 + (i % 5);
    out.push([T0 + i * 60_000, { A: { open: p, high: p, low: p, close: p, volume: 1e9 } }, {}]);
  }
  return out;
}

interface EngineRun { safe: SafeBroker | undefined; engine: LiveEngine; journalOrders: number; journalFills: number }

/**
 * One engine run on `dir` (state layer, SafeBroker, paper venue) over bars `from`…`from + n − 1`;
 * `kill`: no `engine.stop()` afterwards (the engine still stops itself at the end of the replayed
 * feed, with a final checkpoint: a test that needs the state of a kill between checkpoints removes
 * the newer ones); `noRisk`: a live run without the risk layer.
 */
async function runEngine(dir: string, strategy: Strategy, from: number, n: number, opts: { kill?: boolean; policy?: 'warn' | 'halt'; mode?: 'shadow' | 'live'; noRisk?: boolean } = {}): Promise<EngineRun> {
  const mode = opts.mode ?? 'shadow';
  const clock = new SimulatedClock(T0);
  const layer = createStateLayer({ stateDir: dir, clock, breakStaleLock: true, reconcile: { policy: opts.policy ?? 'warn', intervalSeconds: 300 }, checkpointIntervalSeconds: 600 });
  const inner = new PaperBroker({ initialCash: 100_000 }, clock, silentLogger);
  const config = parseRiskConfig(mode === 'shadow' ? SHADOW : {});
  try {
    const journaled = layer.wrapBroker(inner);
    const safe = opts.noRisk ? undefined : new SafeBroker(journaled, { config, clock, logger: new MemoryLogger(), kv: layer.kv, externalSyncMs: 0, persistIntervalMs: 60_000 });
    const engine = new LiveEngine({ strategy, broker: safe ?? journaled, feed: new ReplayFeed(events(from, n)), clock, logger: silentLogger, mode, extensions: layer.extensions, idGenerator: layer.idGenerator, handleSignals: false });
    await engine.connect();
    await engine.run();
    if (!opts.kill) await engine.stop();
    if (mode === 'shadow') expect(await inner.getOrders()).to.have.length(0);
    return { safe, engine, journalOrders: layer.journal.orders().length, journalFills: layer.journal.fills().length };
  } finally {
    layer.close();
  }
}

describe('shadow mode across a restart', () => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'risk-shadow-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('the virtual account (cash, positions, average cost, realized P&L, resting orders) is written at once and restored after a kill', async () => {
    const clock = new SimulatedClock(T0);
    let store = StateStore.open({ stateDir: dir, clock });
    const inner = new LedgerBroker();
    const a = shadowBroker(new SqliteKeyValueStore(store), clock, inner);
    await a.connect();
    tick(a, clock, T0, { A: 100, B: 20 });
    const first = await a.submitOrder(intent('A', 'BUY', 10, { createdAt: clock.now() }));
    tick(a, clock, T0 + 60_000, { A: 110, B: 20 });
    await a.submitOrder(intent('A', 'SELL', 4, { createdAt: clock.now() }));
    const resting = await a.submitOrder(intent('B', 'BUY', 5, { limitPrice: 18, createdAt: clock.now() }));
    expect(resting.status).to.equal('SUBMITTED');
    const before = { cash: await a.getCash(), value: await a.getAccountValue(), positions: await a.getPositions(), pending: await a.getPendingOrders() };
    expect(before.positions).to.have.length(1);
    expect(before.positions[0]).to.include({ asset: 'A', quantity: 6 });
    expect(before.positions[0]?.realizedPnl).to.be.closeTo(4 * (109.89 - 100.1), 1e-9);
    // SIGKILL: no flush, no disconnect; the lock is released as by the dead process
    store.close();

    store = StateStore.open({ stateDir: dir, clock });
    const b = shadowBroker(new SqliteKeyValueStore(store), clock, inner);
    await b.connect();
    expect(await b.getCash()).to.equal(before.cash);
    expect(await b.getAccountValue()).to.equal(before.value);
    expect(await b.getPositions()).to.deep.equal(before.positions);
    expect(await b.getPendingOrders()).to.deep.equal(before.pending);
    expect(b.virtual?.totalCommission).to.equal(a.virtual?.totalCommission);
    // the resting order still fills, and ids of the new session never repeat the old ones
    tick(b, clock, T0 + 120_000, { A: 110, B: 17 });
    expect((await b.getOrder(resting.clientOrderId))?.status).to.equal('FILLED');
    expect(await b.getPosition('B')).to.include({ quantity: 5 });
    const next = await b.submitOrder(intent('A', 'BUY', 1, { createdAt: clock.now() }));
    const oldIds = [first.orderId, resting.orderId, ...(a.virtual?.fills() ?? []).map((f) => f.executionId)];
    expect(oldIds).to.not.include(next.orderId);
    for (const f of b.virtual?.fills() ?? []) expect(oldIds).to.not.include(f.executionId);
    expect(inner.ledger).to.have.length(0);
    store.close();
  });

  it('restored resting orders expire by the same rules, on the first event: a GTD past its expireAt, a DAY order of an earlier session', async () => {
    const clock = new SimulatedClock(T0);
    let store = StateStore.open({ stateDir: dir, clock });
    const a = shadowBroker(new SqliteKeyValueStore(store), clock);
    await a.connect();
    tick(a, clock, T0, { A: 100 });
    const day = await a.submitOrder(intent('A', 'BUY', 5, { limitPrice: 95, createdAt: clock.now() }));
    const gtd = await a.submitOrder(intent('A', 'BUY', 4, { limitPrice: 95, timeInForce: 'GTD', expireAt: T0 + 30 * 60_000, createdAt: clock.now() }));
    const gtc = await a.submitOrder(intent('A', 'BUY', 3, { limitPrice: 95, timeInForce: 'GTC', createdAt: clock.now() }));
    store.close(); // SIGKILL

    // back in the same session, after the GTD's expireAt
    clock.set(T0 + 3_600_000);
    store = StateStore.open({ stateDir: dir, clock });
    const b = shadowBroker(new SqliteKeyValueStore(store), clock);
    const seenB: Order[] = [];
    b.onOrderUpdate((o) => seenB.push(o));
    await b.connect();
    expect((await b.getPendingOrders()).map((o) => o.clientOrderId)).to.deep.equal([day.clientOrderId, gtd.clientOrderId, gtc.clientOrderId]);
    tick(b, clock, T0 + 3_600_000, { A: 96 });
    expect(seenB.map((o) => [o.clientOrderId, o.status])).to.deep.equal([[gtd.clientOrderId, 'EXPIRED']]);
    expect((await b.getPendingOrders()).map((o) => o.clientOrderId)).to.deep.equal([day.clientOrderId, gtc.clientOrderId]);
    store.close(); // SIGKILL again

    // back in the next session: the DAY order ends on the first event, before its price can fill it
    clock.set(T0 + 86_400_000);
    store = StateStore.open({ stateDir: dir, clock });
    const kv = new SqliteKeyValueStore(store);
    const c = shadowBroker(kv, clock);
    const seenC: Order[] = [];
    c.onOrderUpdate((o) => seenC.push(o));
    await c.connect();
    tick(c, clock, T0 + 86_400_000, { A: 90 });
    expect(seenC.map((o) => [o.clientOrderId, o.status])).to.deep.equal([[day.clientOrderId, 'EXPIRED'], [gtc.clientOrderId, 'FILLED']]);
    expect(await c.getPosition('A')).to.include({ quantity: 3 });
    expect(RiskStateSchema.parse(kv.get('risk:state')).shadow?.pending).to.deep.equal([]);
    store.close();
  });

  it('no re-buy after a kill and restart: "buy when flat" through the engine and the state layer buys once', async () => {
    let buys = 0;
    const strategy = (): Strategy => ({
      async onData(_ts, _d, _c, b) {
        if (b.getPosition('A') === 0) { buys++; await b.buy('A', 10); }
      },
    });
    await runEngine(dir, strategy(), 0, 30, { kill: true });
    const { safe } = await runEngine(dir, strategy(), 30, 30);
    expect(buys).to.equal(1);
    expect(await safe?.getPosition('A')).to.include({ quantity: 10 });
  });

  it('a replayed feed after a kill: bars up to the last virtual order reach the strategy but send nothing (no order taken twice)', async () => {
    const everyBar = (): Strategy => ({ async onData(_ts, _d, _c, b) { await b.buy('A', 1).catch(() => undefined); } });
    // 30 bars, killed after the checkpoint of bar 20 (the end-of-feed checkpoint is removed: a kill
    // leaves none), then the same feed from its start: 40 bars in all
    await runEngine(dir, everyBar(), 0, 30, { kill: true });
    const store = StateStore.open({ stateDir: dir, clock: new SimulatedClock(T0), breakStaleLock: true });
    try { store.db.prepare('DELETE FROM checkpoints WHERE ts > ?').run(T0 + 20 * 60_000); } finally { store.close(); }
    const b = await runEngine(dir, everyBar(), 0, 40);
    expect(b.engine.stats.skipped).to.equal(21); // bars 0…20; bars 21…29 reached the strategy, refused ENGINE_CATCHING_UP
    expect(b.engine.stats.tradingState).to.equal('ACTIVE');
    expect(b.safe?.virtual?.fills()).to.have.length(10); // bars 30…39 only
    expect(await b.safe?.getPosition('A')).to.include({ quantity: 40 }); // as a run never killed
  });

  it("the state layer's journal stays the venue's: recovery and reconciliation (policy halt) neither copy virtual orders and fills into it nor halt on them", async () => {
    const flip = (): Strategy => ({
      async onData(_ts, _d, _c, b) { await (b.getPosition('A') === 0 ? b.buy('A', 10) : b.sell('A', 10)); },
    });
    const a = await runEngine(dir, flip(), 0, 30, { kill: true, policy: 'halt' });
    expect(a.engine.stats.tradingState).to.equal('ACTIVE');
    expect([a.journalOrders, a.journalFills]).to.deep.equal([0, 0]);
    const b = await runEngine(dir, flip(), 30, 30, { policy: 'halt' });
    expect(b.engine.stats.haltReason).to.equal(undefined);
    expect([b.journalOrders, b.journalFills]).to.deep.equal([0, 0]);
    expect(b.safe?.virtual?.fills()).to.have.length(30);
  });

  it('a state dir of a shadow run is refused in live mode, and a live one in shadow mode (STATE_MODE_MISMATCH): virtual and venue accounts never mix', async () => {
    const buyOnce = (): Strategy => ({ async onData(_ts, _d, _c, b) { if (b.getPosition('A') === 0) await b.buy('A', 10); } });
    await runEngine(dir, buyOnce(), 0, 5);
    const live = await runEngine(dir, buyOnce(), 5, 5, { mode: 'live', noRisk: true });
    expect(live.engine.stats.tradingState).to.equal('HALTED');
    expect(live.engine.stats.haltReason).to.match(/^STATE_MODE_MISMATCH: .*shadow mode/);
    expect(live.engine.stats.orders).to.equal(0);
    expect(live.journalOrders).to.equal(0);

    const other = mkdtempSync(join(tmpdir(), 'risk-live-'));
    try {
      await runEngine(other, buyOnce(), 0, 5, { mode: 'live', noRisk: true });
      const shadow = await runEngine(other, buyOnce(), 5, 5);
      expect(shadow.engine.stats.haltReason).to.match(/^STATE_MODE_MISMATCH: .*venue/);
      expect(shadow.safe?.virtual?.fills()).to.have.length(0);
    } finally { rmSync(other, { recursive: true, force: true }); }
  });

  it('without the state layer too: a live SafeBroker refuses a risk state holding a virtual account, and a shadow one a risk state marked by a venue account', async () => {
    const clock = new SimulatedClock(T0);
    const store = StateStore.open({ stateDir: dir, clock });
    try {
      const kv = new SqliteKeyValueStore(store);
      const s = shadowBroker(kv, clock);
      await s.connect();
      tick(s, clock, T0, { A: 100 });
      await s.submitOrder(intent('A', 'BUY', 10, { createdAt: clock.now() }));
      await s.disconnect();
      const live = (): SafeBroker => new SafeBroker(new LedgerBroker(), { config: parseRiskConfig({}), clock, logger: new MemoryLogger(), kv, externalSyncMs: 0 });
      expect(live).to.throw().with.property('code', 'RISK_MODE_MISMATCH');
      kv.delete('risk:state');
      const l = live();
      await l.connect();
      tick(l, clock, T0 + 60_000, { A: 100 });
      await l.submitOrder(intent('A', 'BUY', 1, { createdAt: clock.now() }));
      await l.disconnect();
      expect(() => shadowBroker(kv, clock)).to.throw().with.property('code', 'RISK_MODE_MISMATCH');
    } finally { store.close(); }
  });
});
