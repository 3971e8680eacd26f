import { expect } from 'chai';
import { createStateLayer, recover, silentLogger, LOST_BEFORE_SEND, SqliteKeyValueStore, isTradingError, ACCOUNT_KIND_KEY, type EngineHandle, type StateLayer } from '@tradewire/core';
import { FakeVenue } from './fake-venue.js';
import { FakeEngine } from './fake-engine.js';
import { cleanupTempDirs, intent, tempDir } from './helpers.js';

function open(dir: string, venue: FakeVenue, policy: 'warn' | 'adopt-broker' | 'halt' | 'approve' = 'halt'): { layer: StateLayer; engine: FakeEngine } {
  const layer = createStateLayer({ stateDir: dir, breakStaleLock: true, reconcile: { policy, intervalSeconds: 30 }, checkpointIntervalSeconds: 10 });
  const engine = new FakeEngine(layer.wrapBroker(venue));
  return { layer, engine };
}

describe('crash recovery', () => {
  afterEach(cleanupTempDirs);

  it('F01: an intent PENDING_SUBMIT that the broker never got → REJECTED (lost before send), never resent', async () => {
    const dir = tempDir();
    const venue = new FakeVenue();
    let { layer } = open(dir, venue);
    layer.journal.recordIntent(intent('twL1')); // crash right after the intent commit
    layer.close();
    ({ layer } = open(dir, venue));
    const r = await recover(layer.store, layer.journal, venue, silentLogger);
    expect(r.settled).to.deep.equal([{ clientOrderId: 'twL1', outcome: 'lost', status: 'REJECTED', reason: r.settled[0]?.reason }]);
    expect(r.settled[0]?.reason).to.contain(LOST_BEFORE_SEND);
    const o = layer.journal.getOrder('twL1');
    expect(o?.status).to.equal('REJECTED');
    expect(o?.rejectionReason).to.contain(LOST_BEFORE_SEND);
    expect(venue.submitCalls).to.have.length(0);
    layer.close();
  });

  it('F02/F13: an UNKNOWN intent the broker accepted is adopted; fills made while down are applied once', async () => {
    const dir = tempDir();
    const venue = new FakeVenue();
    let { layer } = open(dir, venue);
    venue.nextSubmit.push('timeout-after-accept');
    await layer.wrapBroker(venue).submitOrder(intent('twU1', { quantity: 10 })).catch(() => undefined);
    expect(layer.journal.getOrder('twU1')?.status).to.equal('UNKNOWN');
    layer.close();
    venue.fill('twU1', 6, 100, { silent: true }); // while the engine is down
    venue.fill('twU1', 4, 101, { silent: true });
    ({ layer } = open(dir, venue));
    const engine = new FakeEngine(layer.wrapBroker(venue));
    await layer.recovery.onConnect(engine);
    const r = layer.recovery.lastReport!;
    expect(r.settled.map((s) => [s.clientOrderId, s.outcome, s.status])).to.deep.equal([['twU1', 'adopted', 'FILLED']]);
    expect(r.fillsApplied).to.equal(2);
    const o = layer.journal.getOrder('twU1');
    expect(o?.status).to.equal('FILLED');
    expect(o?.filledQuantity).to.equal(10);
    expect(o?.orderId).to.equal(venue.ledger.orders[0]?.orderId);
    expect(layer.journal.positions()[0]?.quantity).to.equal(10);
    expect(venue.submitCalls).to.deep.equal(['twU1']);
    expect(engine.tradingState).to.equal('ACTIVE');
    expect(engine.resyncs).to.equal(1);
    // a second recovery adds nothing
    const again = await recover(layer.store, layer.journal, venue, silentLogger);
    expect(again.fillsApplied).to.equal(0);
    expect(layer.journal.fillCount()).to.equal(2);
    layer.close();
  });

  it('a lookup that fails leaves the intent unresolved and the engine HALTED', async () => {
    const dir = tempDir();
    const venue = new FakeVenue();
    const { layer, engine } = open(dir, venue);
    layer.journal.recordIntent(intent('twX1'));
    venue.failing.add('getOrder');
    await layer.recovery.onConnect(engine);
    expect(layer.recovery.lastReport?.settled[0]?.outcome).to.equal('unresolved');
    expect(layer.journal.getOrder('twX1')?.status).to.equal('PENDING_SUBMIT');
    expect(engine.tradingState).to.equal('HALTED');
    expect(engine.haltCodes).to.include('RECOVERY_UNRESOLVED');
    layer.close();
  });

  it('F04/F06: an unreadable risk value → recovery throws STATE_CORRUPT and the engine is HALTED (persisted)', async () => {
    const dir = tempDir();
    const venue = new FakeVenue();
    const { layer, engine } = open(dir, venue);
    new SqliteKeyValueStore(layer.store).set('risk.killSwitch', { engaged: true });
    layer.store.db.prepare(`UPDATE kv SET value = '{"engaged":tr' WHERE key = 'risk.killSwitch'`).run();
    let code = '';
    try { await layer.recovery.onConnect(engine); } catch (err) { code = isTradingError(err) ? err.code : 'other'; }
    expect(code).to.equal('STATE_CORRUPT');
    expect(engine.tradingState).to.equal('HALTED');
    layer.close();
  });

  it('an EngineHandle written before EngineHandle.mode (optional) still compiles and is recovered as a venue run', async () => {
    const dir = tempDir();
    const venue = new FakeVenue();
    const { layer, engine } = open(dir, venue);
    layer.journal.recordIntent(intent('twM1')); // crash right after the intent commit
    // a third party's handle (a test double, another engine) that knows nothing of `mode`
    const legacy: EngineHandle = {
      clock: engine.clock, logger: engine.logger, broker: engine.broker, strategy: engine.strategy,
      get tradingState() { return engine.tradingState; },
      halt: (reason, code) => engine.halt(reason, code), resume: () => engine.resume(),
      accountSnapshot: () => engine.accountSnapshot(), resyncAccount: () => engine.resyncAccount(),
      skipUntil: (ts) => engine.skipUntil(ts), quietUntil: (ts) => engine.quietUntil(ts), schedule: (ms, fn) => engine.schedule(ms, fn),
    };
    await layer.recovery.onConnect(legacy);
    expect(layer.recovery.lastReport?.settled.map((s) => [s.clientOrderId, s.outcome])).to.deep.equal([['twM1', 'lost']]);
    expect(layer.journal.getOrder('twM1')?.status).to.equal('REJECTED');
    expect(layer.store.kvGetRaw(ACCOUNT_KIND_KEY)).to.equal('"venue"');
    expect(engine.tradingState).to.equal('ACTIVE');
    layer.close();
  });

  it('a persisted halt marker keeps the next start HALTED', async () => {
    const dir = tempDir();
    const venue = new FakeVenue();
    let { layer, engine } = open(dir, venue);
    layer.store.setHalt({ reason: 'overfill on twV1', code: 'OVERFILL' });
    layer.close();
    ({ layer, engine } = open(dir, venue));
    await layer.recovery.onConnect(engine);
    expect(engine.tradingState).to.equal('HALTED');
    expect(engine.haltCodes).to.deep.equal(['OVERFILL']);
    layer.close();
  });

  it('F03: checkpoint + strategy snapshot()/restore() round-trip; a crashed checkpoint write leaves the previous one', async () => {
    const dir = tempDir();
    const venue = new FakeVenue();
    let { layer } = open(dir, venue);
    let state = { bars: 41, signal: 'long' as string };
    const strategy = { onData() {}, snapshot: () => state, restore: (s: unknown) => { state = s as typeof state; } };
    let engine = new FakeEngine(layer.wrapBroker(venue), strategy);
    await layer.checkpointer.onConnect(engine);
    expect(engine.scheduled.map((s) => s.intervalMs)).to.deep.equal([10_000]);
    await engine.scheduled[0]!.fn();
    state = { bars: 42, signal: 'flat' };
    // a write that dies mid-transaction (simulated: the transaction throws before commit)
    const db = layer.store.db;
    expect(() => db.transaction(() => { db.prepare('INSERT INTO checkpoints (ts, journal_seq, account, strategy, checksum) VALUES (1, 0, ?, ?, ?)').run('{}', '{"bars":0}', 'bad'); throw new Error('killed'); })()).to.throw('killed');
    await layer.checkpointer.onStop(engine);
    layer.close();
    state = { bars: 0, signal: '' };
    ({ layer } = open(dir, venue));
    engine = new FakeEngine(layer.wrapBroker(venue), strategy);
    await layer.recovery.onConnect(engine);
    expect(state).to.deep.equal({ bars: 42, signal: 'flat' });
    expect(layer.store.lastCheckpoint()?.account).to.have.property('lastPrices').that.deep.equals({ AAPL: 100 });
    layer.close();
  });
});
