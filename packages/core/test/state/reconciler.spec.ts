import { expect } from 'chai';
import { SimulatedClock, createStateLayer, reconcile, silentLogger, type ReconcilePolicy, type StateLayer } from '@tradewire/core';
import { FakeVenue } from './fake-venue.js';
import { FakeEngine } from './fake-engine.js';
import { cleanupTempDirs, intent, tempDir } from './helpers.js';

async function withLocal100(policy: ReconcilePolicy): Promise<{ layer: StateLayer; venue: FakeVenue; engine: FakeEngine }> {
  const venue = new FakeVenue();
  const layer = createStateLayer({ stateDir: tempDir(), reconcile: { policy, intervalSeconds: 30 } });
  const broker = layer.wrapBroker(venue);
  await broker.submitOrder(intent('twB1', { quantity: 100 }));
  venue.fill('twB1', 100, 100);
  venue.ledger.positions['AAPL'] = 150; // F10: someone traded 50 more by hand (no fill in the report window)
  return { layer, venue, engine: new FakeEngine(broker) };
}

describe('reconciler', () => {
  afterEach(cleanupTempDirs);

  it('F10 warn: reports the position mismatch as critical, changes nothing, does not halt', async () => {
    const { layer, engine } = await withLocal100('warn');
    const r = await layer.reconciler.run(engine);
    const pm = r!.discrepancies.filter((d) => d.kind === 'POSITION_MISMATCH');
    expect(pm).to.deep.equal([{ kind: 'POSITION_MISMATCH', severity: 'critical', message: 'AAPL: local 100, broker 150', asset: 'AAPL', local: 100, broker: 150 }]);
    expect(r!.mustHalt).to.equal(false);
    expect(engine.tradingState).to.equal('ACTIVE');
    expect(layer.journal.positions()[0]?.quantity).to.equal(100);
    layer.close();
  });

  it('F10 halt: fails closed', async () => {
    const { layer, engine } = await withLocal100('halt');
    await layer.reconciler.onConnect(engine);
    expect(engine.tradingState).to.equal('HALTED');
    expect(engine.haltCodes).to.deep.equal(['RECONCILE_MISMATCH']);
    expect(layer.journal.positions()[0]?.quantity).to.equal(100);
    expect(engine.scheduled.map((s) => s.intervalMs)).to.deep.equal([30_000]);
    layer.close();
  });

  it('F10 adopt-broker: aligns local positions to the broker (journaled) and resyncs', async () => {
    const { layer, engine } = await withLocal100('adopt-broker');
    const r = await layer.reconciler.run(engine);
    expect(r!.actions).to.include('position AAPL: 100 → 150');
    expect(layer.journal.positions()[0]?.quantity).to.equal(150);
    expect(layer.journal.entriesAfter(0).some((e) => e.kind === 'POSITION_SET')).to.equal(true);
    expect(engine.tradingState).to.equal('ACTIVE');
    expect(engine.resyncs).to.equal(1);
    layer.close();
  });

  it('approve: records a pending approval and stays HALTED until an operator approves; then adopts and resumes', async () => {
    const { layer, engine } = await withLocal100('approve');
    await layer.reconciler.run(engine);
    expect(engine.tradingState).to.equal('HALTED');
    const pending = layer.store.approvals('PENDING');
    expect(pending).to.have.length(1);
    expect(pending[0]?.summary).to.contain('AAPL: local 100, broker 150');
    await layer.reconciler.run(engine); // no second approval while one is pending
    expect(layer.store.approvals('PENDING')).to.have.length(1);
    expect(engine.tradingState).to.equal('HALTED');
    layer.store.resolveApproval(pending[0]!.id, 'APPROVED', 'alice', 'broker is right');
    await layer.reconciler.run(engine);
    expect(layer.journal.positions()[0]?.quantity).to.equal(150);
    expect(engine.tradingState).to.equal('ACTIVE');
    layer.close();
  });

  it('an approved reconciliation does not lift a halt that recovery raised for another cause', async () => {
    const { layer, venue, engine } = await withLocal100('approve');
    layer.journal.recordIntent(intent('twZ1'));
    venue.failing.add('getOrder');
    await layer.recovery.onConnect(engine); // RECOVERY_UNRESOLVED
    venue.failing.delete('getOrder');
    await layer.reconciler.run(engine);
    const id = layer.store.approvals('PENDING')[0]!.id;
    layer.store.resolveApproval(id, 'APPROVED', 'alice');
    await layer.reconciler.run(engine);
    expect(layer.journal.positions()[0]?.quantity).to.equal(150);
    expect(engine.tradingState).to.equal('HALTED');
    expect(engine.haltCodes[0]).to.equal('RECOVERY_UNRESOLVED');
    layer.close();
  });

  it('F09: orders at the broker unknown locally are adopted as external and tagged, not cancelled', async () => {
    const venue = new FakeVenue();
    const layer = createStateLayer({ stateDir: tempDir(), reconcile: { policy: 'halt' } });
    const engine = new FakeEngine(layer.wrapBroker(venue));
    venue.seedOrder({ clientOrderId: 'byhand1', asset: 'MSFT', side: 'BUY', quantity: 5, limitPrice: 300 });
    const r = await layer.reconciler.run(engine);
    expect(r!.discrepancies.map((d) => [d.kind, d.severity, d.clientOrderId])).to.deep.equal([['ORDER_EXTERNAL', 'warning', 'byhand1']]);
    const o = layer.journal.getOrder('byhand1');
    expect(o?.external).to.equal(true);
    expect(o?.tag).to.equal('EXTERNAL');
    expect(venue.ledger.orders[0]?.status).to.equal('SUBMITTED');
    expect(engine.tradingState).to.equal('ACTIVE');
    layer.close();
  });

  it('an adopted external order keeps what the venue says it filled (quantity and average price), in both durabilities', async () => {
    for (const durability of ['process', 'power'] as const) {
      const venue = new FakeVenue();
      const layer = createStateLayer({ stateDir: tempDir(), durability, reconcile: { policy: 'adopt-broker' } });
      const engine = new FakeEngine(layer.wrapBroker(venue));
      venue.seedOrder({ clientOrderId: 'byhand2', asset: 'MSFT', side: 'BUY', quantity: 5, limitPrice: 300 });
      venue.fill('byhand2', 3, 299.5, { silent: true });
      await layer.reconciler.run(engine);
      const o = layer.journal.getOrder('byhand2');
      expect([o?.external, o?.status, o?.filledQuantity, o?.avgFillPrice], durability).to.deep.equal([true, 'PARTIALLY_FILLED', 3, 299.5]);
      expect(layer.journal.fills().filter((f) => f.clientOrderId === 'byhand2').map((f) => f.quantity), durability).to.deep.equal([3]);
      layer.close();
    }
  });

  it('a missing report is never read as flat: getPositions throws → REPORT_UNAVAILABLE, positions untouched even under adopt-broker', async () => {
    const { layer, venue, engine } = await withLocal100('adopt-broker');
    venue.failing.add('getPositions');
    const r = await layer.reconciler.run(engine);
    expect(r!.unavailable).to.deep.equal(['getPositions']);
    expect(r!.discrepancies.find((d) => d.kind === 'REPORT_UNAVAILABLE')?.severity).to.equal('critical');
    expect(r!.discrepancies.some((d) => d.kind === 'POSITION_MISMATCH')).to.equal(false);
    expect(layer.journal.positions()[0]?.quantity).to.equal(100);
    expect(engine.tradingState).to.equal('HALTED');
    layer.close();
  });

  it('missing fills are applied exactly once; a second pass finds nothing', async () => {
    const venue = new FakeVenue();
    const layer = createStateLayer({ stateDir: tempDir(), reconcile: { policy: 'halt' } });
    const broker = layer.wrapBroker(venue);
    const engine = new FakeEngine(broker);
    await broker.submitOrder(intent('twM1', { quantity: 10 }));
    venue.fill('twM1', 10, 100, { silent: true }); // the stream dropped it (F11)
    const r1 = await layer.reconciler.run(engine);
    expect(r1!.discrepancies.map((d) => [d.kind, d.executionId])).to.deep.equal([['FILL_MISSING_LOCALLY', venue.ledger.fills[0]?.executionId]]);
    expect(layer.journal.getOrder('twM1')?.status).to.equal('FILLED');
    expect(layer.journal.positions()[0]?.quantity).to.equal(10);
    const r2 = await layer.reconciler.run(engine);
    expect(r2!.discrepancies).to.deep.equal([]);
    expect(layer.journal.fillCount()).to.equal(1);
    expect(engine.tradingState).to.equal('ACTIVE');
    layer.close();
  });

  it('dry run reports without acting', async () => {
    const { layer, venue } = await withLocal100('adopt-broker');
    venue.seedOrder({ clientOrderId: 'byhand2', asset: 'MSFT', side: 'BUY', quantity: 1 });
    const r = await reconcile(layer.journal, venue, { policy: 'adopt-broker', now: 10_000, logger: silentLogger, dryRun: true });
    expect(r.discrepancies.map((d) => d.kind).sort()).to.deep.equal(['ORDER_EXTERNAL', 'POSITION_MISMATCH']);
    expect(r.actions).to.deep.equal([]);
    expect(layer.journal.getOrder('byhand2')).to.equal(undefined);
    expect(layer.journal.positions()[0]?.quantity).to.equal(100);
    layer.close();
  });

  it('a fresh state dir takes the broker positions as its baseline', async () => {
    const venue = new FakeVenue();
    venue.ledger.positions['SPY'] = 20;
    const layer = createStateLayer({ stateDir: tempDir(), reconcile: { policy: 'halt' } });
    const engine = new FakeEngine(layer.wrapBroker(venue));
    const r = await layer.reconciler.run(engine);
    expect(r!.discrepancies.map((d) => [d.kind, d.severity])).to.deep.equal([['POSITION_BASELINE', 'info']]);
    expect(layer.journal.positions().map((p) => [p.asset, p.quantity])).to.deep.equal([['SPY', 20]]);
    expect(engine.tradingState).to.equal('ACTIVE');
    layer.close();
  });

  it('an in-flight submit the broker never got is resolved locally after the timeout, never resent', async () => {
    const venue = new FakeVenue();
    const clock = new SimulatedClock(0);
    const layer = createStateLayer({ stateDir: tempDir(), clock, reconcile: { policy: 'halt', inflightTimeoutMs: 1_000 } });
    const broker = layer.wrapBroker(venue);
    const engine = new FakeEngine(broker, undefined, clock);
    venue.nextSubmit.push('timeout-before-accept');
    await broker.submitOrder(intent('twI1', { createdAt: 0 })).catch(() => undefined);
    engine.clock.set(100_000);
    const r = await layer.reconciler.run(engine);
    expect(r!.discrepancies.map((d) => d.kind)).to.deep.equal(['ORDER_LOST']);
    expect(layer.journal.getOrder('twI1')?.status).to.equal('REJECTED');
    expect(venue.submitCalls).to.deep.equal(['twI1']);
    layer.close();
  });
});
