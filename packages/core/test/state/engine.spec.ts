// Integration through LiveEngine: the composition the lead wires (open store → wrap adapter
// with the JournalBroker → install the extensions → engine).
import { expect } from 'chai';
import {
  AccountView, LiveEngine, PaperBroker, ReplayFeed, SimulatedClock, createStateLayer, silentLogger, OrderJournal, StateStore,
  type FeedEvent, type Strategy,
} from '@tradewire/core';
import { FakeVenue } from './fake-venue.js';
import { audit } from './invariants.js';
import { cleanupTempDirs, tempDir } from './helpers.js';

function bars(start: number, n: number, asset = 'AAPL'): FeedEvent[] {
  const out: FeedEvent[] = [];
  for (let k = 1; k <= n; k++) {
    const px = 100 + ((k * 7) % 11);
    out.push([start + k * 60_000, { [asset]: { open: px, high: px + 1, low: px - 1, close: px, volume: 10_000 } }, {}]);
  }
  return out;
}

function counter(): Strategy & { n: number } {
  const s = {
    n: 0,
    onData(_t: number, _d: unknown, _c: unknown, b: { buy(a: string, q: number): Promise<unknown>; sell(a: string, q: number): Promise<unknown> }) {
      s.n++;
      void (s.n % 3 === 0 ? b.sell('AAPL', 1) : b.buy('AAPL', 2)).catch(() => undefined);
    },
    snapshot: () => ({ n: s.n }),
    restore: (x: unknown) => { s.n = (x as { n: number }).n; },
  };
  return s as unknown as Strategy & { n: number };
}

describe('state layer through LiveEngine', () => {
  afterEach(cleanupTempDirs);

  it('with the paper broker: journal orders and fills equal the broker, checkpoint on stop, restore on restart', async () => {
    const dir = tempDir();
    const clock = new SimulatedClock(0);
    const layer = createStateLayer({ stateDir: dir, clock, reconcile: { policy: 'halt', intervalSeconds: 600 }, checkpointIntervalSeconds: 300 });
    const paper = new PaperBroker({ initialCash: 1_000_000 }, clock, silentLogger);
    const strategy = counter();
    const engine = new LiveEngine({ strategy, broker: layer.wrapBroker(paper), feed: new ReplayFeed(bars(0, 120)), clock, extensions: layer.extensions, idGenerator: layer.idGenerator, handleSignals: false });
    await engine.run();
    expect(engine.stats.tradingState).to.equal('ACTIVE');
    const j = layer.journal;
    const venueOrders = await paper.getOrders(0);
    const venueFills = await paper.getFills(0);
    expect(j.orders().map((o) => o.clientOrderId).sort()).to.deep.equal(venueOrders.map((o) => o.clientOrderId).sort());
    for (const v of venueOrders) expect([v.clientOrderId, j.getOrder(v.clientOrderId)?.status, j.getOrder(v.clientOrderId)?.filledQuantity]).to.deep.equal([v.clientOrderId, v.status, v.filledQuantity]);
    expect(j.fills().map((f) => f.executionId).sort()).to.deep.equal(venueFills.map((f) => f.executionId).sort());
    expect(j.positions().find((p) => p.asset === 'AAPL')?.quantity).to.equal((await paper.getPosition('AAPL'))?.quantity);
    expect(venueOrders.every((o) => /^tw[A-Za-z0-9]{8}[0-9a-z]+$/.test(o.clientOrderId))).to.equal(true);
    const cp = layer.store.lastCheckpoint();
    expect(cp?.strategy).to.deep.equal({ n: 120 });
    expect(cp?.timestamp).to.equal(120 * 60_000);
    expect(layer.store.events({ kind: 'reconcile' }).length).to.be.greaterThan(1); // on start and every 10 min of engine time
    layer.close();

    // restart on the same dir: the strategy resumes from the checkpoint; ids never repeat
    const clock2 = new SimulatedClock(0);
    const layer2 = createStateLayer({ stateDir: dir, clock: clock2, reconcile: { policy: 'warn', intervalSeconds: 0 } });
    const strategy2 = counter();
    const paper2 = new PaperBroker({}, clock2, silentLogger);
    const engine2 = new LiveEngine({ strategy: strategy2, broker: layer2.wrapBroker(paper2), feed: new ReplayFeed(bars(10_000_000, 3)), clock: clock2, extensions: layer2.extensions, idGenerator: layer2.idGenerator, handleSignals: false });
    await engine2.run();
    expect(strategy2.n).to.equal(123);
    const ids = layer2.journal.orders().map((o) => o.clientOrderId);
    expect(new Set(ids).size).to.equal(ids.length);
    layer2.close();
  });

  it("durability 'batch' (write-behind worker): after 3,000 orders the journal on disk equals the broker", async () => {
    const dir = tempDir();
    const clock = new SimulatedClock(0);
    const layer = createStateLayer({ stateDir: dir, clock, durability: 'batch', reconcile: { policy: 'warn', intervalSeconds: 0 }, checkpointIntervalSeconds: 0 });
    const paper = new PaperBroker({ initialCash: 1e9 }, clock, silentLogger);
    const engine = new LiveEngine({ strategy: counter(), broker: layer.wrapBroker(paper), feed: new ReplayFeed(bars(0, 3_000)), clock, extensions: layer.extensions, idGenerator: layer.idGenerator, handleSignals: false });
    await engine.run();
    const venueOrders = await paper.getOrders(0);
    const venueFills = await paper.getFills(0);
    const pos = (await paper.getPosition('AAPL'))?.quantity;
    layer.close();
    const store = StateStore.openReadOnly(dir);
    const j = new OrderJournal(store);
    expect(j.orders().length).to.equal(3_000);
    expect(j.orders(['FILLED']).length).to.equal(venueOrders.filter((o) => o.status === 'FILLED').length);
    expect(j.fillCount()).to.equal(venueFills.length);
    expect(j.positions().find((p) => p.asset === 'AAPL')?.quantity).to.equal(pos);
    expect(j.entriesAfter(0).filter((e) => e.kind === 'INTENT').length).to.equal(3_000);
    store.close();
  });

  it('with a ledger venue: a clean run audits clean; the JournalBroker hides replayed fills from the engine', async () => {
    const dir = tempDir();
    const clock = new SimulatedClock(0);
    const ledger = `${tempDir()}/ledger.json`;
    const layer = createStateLayer({ stateDir: dir, clock, reconcile: { policy: 'halt', intervalSeconds: 5 } });
    const venue = new FakeVenue(ledger);
    venue.now = () => clock.now();
    const engine = new LiveEngine({ strategy: counter(), broker: layer.wrapBroker(venue), feed: new ReplayFeed(bars(0, 50)), clock, extensions: layer.extensions, idGenerator: layer.idGenerator, handleSignals: false });
    await engine.run();
    layer.close();
    const a = audit(dir, ledger);
    expect([a.lost, a.duplicated, a.fillsMissed.length, a.fillsExtra.length, a.positionMismatch.length]).to.deep.equal([0, 0, 0, 0, 0]);
    expect(a.venueOrders).to.equal(50);

    const clock2 = new SimulatedClock(0);
    const layer2 = createStateLayer({ stateDir: dir, clock: clock2, reconcile: { policy: 'halt', intervalSeconds: 0 } });
    const venue2 = new FakeVenue(ledger);
    venue2.now = () => clock2.now();
    venue2.replayOnConnect = true;
    const engine2 = new LiveEngine({ strategy: counter(), broker: layer2.wrapBroker(venue2), feed: new ReplayFeed(bars(50 * 60_000, 2)), clock: clock2, extensions: layer2.extensions, idGenerator: layer2.idGenerator, handleSignals: false });
    await engine2.run();
    expect(engine2.stats.fills).to.equal(2); // the open order from run 1 plus the first new one; 0 replayed
    expect(engine2.stats.tradingState).to.equal('ACTIVE');
    layer2.close();
    const store = StateStore.openReadOnly(dir);
    expect(new OrderJournal(store).fillCount()).to.equal(venue2.ledger.fills.length);
    store.close();
  });

  it('with the journal in front the engine keeps a short execution-id memory; a fill replayed long after its order finished never reaches it', async () => {
    const dir = tempDir();
    const clock = new SimulatedClock(0);
    // no periodic checkpoint (one a bar would wait for the journal writer every time): thousands of bars
    const layer = createStateLayer({ stateDir: dir, clock, reconcile: { policy: 'warn', intervalSeconds: 0 }, checkpointIntervalSeconds: 1e9 });
    const venue = new FakeVenue(); // no ledger file
    venue.now = () => clock.now();
    const n = AccountView.TERMINAL_MEMORY * 2 + 100; // past the engine's own memory: only the journal can know the id
    let replayed: string | undefined;
    const strategy: Strategy = {
      onData(_t, _d, _c, b) {
        if (venue.ledger.fills.length === n - 1 && replayed === undefined) {
          const first = venue.ledger.fills[0]!;
          replayed = first.executionId;
          venue.emitFill(first); // a venue replaying an old execution (a reconnect)
        }
        return b.buy('AAPL', 1).then(() => undefined);
      },
    };
    const journaled = layer.wrapBroker(venue);
    const engine = new LiveEngine({ strategy, broker: journaled, feed: new ReplayFeed(bars(0, n)), clock, extensions: layer.extensions, idGenerator: layer.idGenerator, handleSignals: false });
    expect(engine.account.maxRememberedExecutions).to.equal(AccountView.TERMINAL_MEMORY);
    await engine.run();
    layer.close();
    expect(replayed).to.be.a('string');
    expect(journaled.stats.fillsDuplicate).to.equal(1);
    expect([engine.stats.fills, engine.stats.duplicateFills]).to.deep.equal([venue.ledger.fills.length, 0]);
    expect(engine.account.positionDetail('AAPL')?.quantity).to.equal(venue.ledger.fills.length);
    // a broker that does not deduplicate: the engine remembers as many executions as before
    expect(new LiveEngine({ strategy, broker: venue, feed: new ReplayFeed([]), clock, handleSignals: false }).account.maxRememberedExecutions).to.equal(20_000);
  });

  it("a restart that sees no bar marks restored positions at the checkpoint's last prices, not at the venue's cost", async () => {
    const dir = tempDir();
    const ledger = `${tempDir()}/ledger.json`;
    const clock = new SimulatedClock(0);
    const layer = createStateLayer({ stateDir: dir, clock, reconcile: { policy: 'warn', intervalSeconds: 0 } });
    const venue = new FakeVenue(ledger);
    venue.now = () => clock.now();
    const engine = new LiveEngine({ strategy: counter(), broker: layer.wrapBroker(venue), feed: new ReplayFeed(bars(0, 10)), clock, extensions: layer.extensions, idGenerator: layer.idGenerator, handleSignals: false });
    await engine.run();
    const before = engine.accountSnapshot().positions.find((p) => p.asset === 'AAPL');
    layer.close();
    expect(before?.currentPrice).to.equal(104); // the 10th bar's close

    const clock2 = new SimulatedClock(0);
    const layer2 = createStateLayer({ stateDir: dir, clock: clock2, reconcile: { policy: 'warn', intervalSeconds: 0 } });
    const venue2 = new FakeVenue(ledger); // reports every position at 100 (its cost), as IB reports average cost
    venue2.now = () => clock2.now();
    const engine2 = new LiveEngine({ strategy: counter(), broker: layer2.wrapBroker(venue2), feed: new ReplayFeed([]), clock: clock2, extensions: layer2.extensions, idGenerator: layer2.idGenerator, handleSignals: false });
    await engine2.run();
    const snap = engine2.accountSnapshot();
    const after = snap.positions.find((p) => p.asset === 'AAPL');
    layer2.close();
    expect(after?.quantity).to.equal(before?.quantity);
    expect(after?.currentPrice).to.equal(104);
    expect(snap.accountValue).to.equal(snap.cash + after!.quantity * 104);
    expect(snap.lastPrices).to.deep.equal({ AAPL: 104 });
  });
});
