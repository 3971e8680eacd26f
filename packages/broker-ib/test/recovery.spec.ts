/** Core's crash recovery and reconciliation with the real IBBroker on the fake TWS (a restart = a fresh adapter and state layer). */
import { expect } from 'chai';
import { recover, reconcile, LOST_BEFORE_SEND, MemoryLogger, silentLogger } from '@tradewire/core';
import { stateRig } from './state-rig.js';
import { intent, rig, waitFor, type Rig } from './support.js';

describe('IBBroker under crash recovery and reconciliation', function () {
  this.timeout(20_000);
  let r: Rig;
  const s = stateRig('tw-ib-state-', () => r);
  const { stateDir, openLayer, restart, placed } = s;
  afterEach(async () => {
    s.closeLayers();
    await r?.close();
    s.removeDirs();
  });

  it('F01 on IB: an intent that never reached TWS is settled as lost, never sent', async () => {
    r = await rig();
    const dir = stateDir();
    const layer = openLayer(dir);
    const i = intent({ asset: 'AAPL', side: 'BUY', quantity: 5 });
    layer.journal.recordIntent({ ...i, clientOrderId: 'twLost1' }); // crash right after the intent commit
    const { layer: l2, broker } = await restart(dir, layer);
    const rep = await recover(l2.store, l2.journal, broker, silentLogger);
    expect(rep.settled.map((s) => [s.clientOrderId, s.outcome, s.status])).to.deep.equal([['twLost1', 'lost', 'REJECTED']]);
    expect(rep.settled[0]?.reason).to.contain(LOST_BEFORE_SEND);
    expect(r.tws.messages(3)).to.have.length(0);
  });

  it('F02 on IB: placed at TWS before the crash, filled while down: adopted with its fills once, never re-sent', async () => {
    r = await rig();
    r.tws.behaviour.fillMode = 'manual';
    const dir = stateDir();
    const layer = openLayer(dir);
    await r.broker.connect();
    const i = { ...intent({ asset: 'AAPL', side: 'BUY', quantity: 10 }), clientOrderId: 'twSent1' };
    layer.journal.recordIntent(i);
    await r.broker.submitOrder(i); // reached TWS; the ack never reached the journal
    await r.broker.disconnect();
    r.tws.fillOrder('twSent1', 4, 100);
    r.tws.fillOrder('twSent1', 6, 101);
    const { layer: l2, broker } = await restart(dir, layer);
    const rep = await recover(l2.store, l2.journal, broker, silentLogger);
    expect(rep.settled.map((s) => [s.clientOrderId, s.outcome, s.status])).to.deep.equal([['twSent1', 'adopted', 'FILLED']]);
    expect(rep.fillsApplied).to.equal(2);
    const o = l2.journal.getOrder('twSent1');
    expect(o?.status).to.equal('FILLED');
    expect(o?.filledQuantity).to.equal(10);
    expect(l2.journal.positions().find((p) => p.asset === 'AAPL')?.quantity).to.equal(10);
    expect(placed('twSent1')).to.have.length(1);
    const again = await recover(l2.store, l2.journal, broker, silentLogger);
    expect(again.fillsApplied).to.equal(0);
    const rec = await reconcile(l2.journal, broker, { policy: 'halt', now: Date.now(), logger: new MemoryLogger() });
    expect(rec.discrepancies.map((d) => d.kind)).to.deep.equal([]);
  });

  it('a fill recovery reads before its commissionReport arrived is journaled with its commission, not 0', async () => {
    r = await rig({ config: { commissionWaitMs: 3_000 } });
    r.tws.behaviour.fillMode = 'manual';
    r.tws.behaviour.commissionPerShare = 0.35;
    const dir = stateDir();
    const layer = openLayer(dir);
    await r.broker.connect();
    const i = { ...intent({ asset: 'AAPL', side: 'BUY', quantity: 10 }), clientOrderId: 'twFee1' };
    layer.journal.recordIntent(i);
    await r.broker.submitOrder(i);
    await r.broker.disconnect();
    r.tws.behaviour.commissionDelayMs = 1_000; // under commissionWaitMs: TWS is just slow with the fee
    r.tws.fillOrder('twFee1', 10, 100);
    const { layer: l2, broker } = await restart(dir, layer);
    const rep = await recover(l2.store, l2.journal, broker, silentLogger);
    expect(rep.fillsApplied).to.equal(1);
    expect(l2.journal.fills('twFee1').map((f) => [f.quantity, f.price, f.commission])).to.deep.equal([[10, 100, 3.5]]);
    expect(l2.journal.getOrder('twFee1')?.status).to.equal('FILLED');
  });

  it('a commissionReport later than commissionWaitMs: the fill is not lost, its 0 fee is a warning, and the late fee is logged with its value', async () => {
    r = await rig();
    r.tws.behaviour.fillMode = 'manual';
    r.tws.behaviour.commissionPerShare = 0.35;
    const dir = stateDir();
    const layer = openLayer(dir);
    await r.broker.connect();
    const i = { ...intent({ asset: 'AAPL', side: 'BUY', quantity: 10 }), clientOrderId: 'twFee2' };
    layer.journal.recordIntent(i);
    await r.broker.submitOrder(i);
    await r.broker.disconnect();
    r.tws.behaviour.commissionDelayMs = 1_200; // past commissionWaitMs (500)
    r.tws.fillOrder('twFee2', 10, 100);
    const { layer: l2, broker } = await restart(dir, layer);
    const rep = await recover(l2.store, l2.journal, broker, silentLogger);
    expect(rep.fillsApplied).to.equal(1);
    expect(l2.journal.fills('twFee2').map((f) => [f.quantity, f.commission])).to.deep.equal([[10, 0]]);
    const warned = (msg: string) => r.logger.entries.filter((e) => e.level === 'warn' && e.msg.startsWith(msg));
    expect(warned('ib: no commissionReport for execution').length).to.be.greaterThan(0);
    await waitFor(() => warned('ib: commissionReport arrived after its fill').length > 0, 3000, 'the late fee logged');
    expect(warned('ib: commissionReport arrived after its fill')[0]?.fields.commission).to.equal(3.5);
  });

  it('F09 on IB: orders of another API client with the same order ids, and orders entered by hand in TWS (id 0), are adopted as external, each on its own; ours are untouched', async () => {
    r = await rig({ config: { clientId: 7 } });
    const dir = stateDir();
    const layer = openLayer(dir);
    const mine = layer.wrapBroker(r.broker);
    await mine.connect();
    const own = { ...intent({ asset: 'AAPL', side: 'BUY', quantity: 5, orderType: 'LIMIT', limitPrice: 90 }), clientOrderId: 'twOwn1' };
    expect((await mine.submitOrder(own)).orderId).to.equal('1');
    // another program on client id 8 (order ids are per client at TWS: its first one is 1 too), filled at once
    const other = r.fresh({ clientId: 8 });
    await other.connect();
    const theirs = { ...intent({ asset: 'AAPL', side: 'BUY', quantity: 3 }), clientOrderId: 'otherBot1' };
    expect((await other.submitOrder(theirs)).orderId).to.equal('1');
    // two orders typed into TWS by hand: both have order id 0
    const m1 = r.tws.placeManual({ symbol: 'AAPL', action: 'SELL', totalQuantity: 2, orderType: 'LMT', lmtPrice: 150 });
    r.tws.placeManual({ symbol: 'AAPL', action: 'BUY', totalQuantity: 4, orderType: 'LMT', lmtPrice: 80 });
    r.tws.fillManual(m1, 2, 100);
    const rep = await reconcile(layer.journal, mine, { policy: 'halt', now: Date.now(), logger: new MemoryLogger() });
    const ownNow = layer.journal.getOrder('twOwn1');
    expect([ownNow?.status, ownNow?.filledQuantity]).to.deep.equal(['SUBMITTED', 0]);
    // each is a journal order of its own, tagged external, found by the stream or by the reconciler
    const ext = (cid: string) => { const o = layer.journal.getOrder(cid); return o && [o.external, o.side, o.quantity, o.status]; };
    expect(ext('otherBot1')).to.deep.equal([true, 'BUY', 3, 'FILLED']);
    expect(ext(`ib:perm:${m1}`)).to.deep.equal([true, 'SELL', 2, 'FILLED']);
    expect(ext(`ib:perm:${m1 + 1}`)).to.deep.equal([true, 'BUY', 4, 'SUBMITTED']);
    expect((await mine.getPendingOrders()).map((o) => o.clientOrderId)).to.have.members(['twOwn1', `ib:perm:${m1 + 1}`]);
    // the venue's position (3 bought by the other client, 2 sold by hand) matches the journal's fills
    expect(rep.discrepancies.filter((d) => d.kind === 'POSITION_MISMATCH' || d.kind === 'ORDER_STATUS_MISMATCH')).to.deep.equal([]);
    expect(layer.journal.positions().find((p) => p.asset === 'AAPL')?.quantity).to.equal(1);
  });

  it('an external order that fills while we run is counted once: no false overfill, no halt', async () => {
    r = await rig();
    const layer = openLayer(stateDir());
    const mine = layer.wrapBroker(r.broker);
    const anomalies: string[] = [];
    mine.onAnomaly((a) => anomalies.push(a.code));
    await mine.connect();
    const other = r.fresh({ clientId: 8 });
    await other.connect();
    await other.submitOrder({ ...intent({ asset: 'AAPL', side: 'BUY', quantity: 3 }), clientOrderId: 'otherBot2' });
    // our adapter learns of it at its next sync (as after a 1102): the order report comes before its fill
    await mine.getOrders();
    await waitFor(() => layer.journal.fillCount() === 1, 3000, 'the external fill journaled');
    const o = layer.journal.getOrder('otherBot2');
    expect([o?.external, o?.status, o?.filledQuantity, o?.overfilled]).to.deep.equal([true, 'FILLED', 3, false]);
    expect(anomalies).to.deep.equal([]);
    const rep = await reconcile(layer.journal, mine, { policy: 'halt', now: Date.now(), logger: new MemoryLogger() });
    expect(rep.discrepancies.map((d) => d.kind)).to.deep.equal([]);
    expect(rep.mustHalt).to.equal(false);
  });

  it('an execution IB corrects (execId …01 → …02) is one fill, live and after a restart: no double count, no overfill', async () => {
    r = await rig();
    r.tws.behaviour.fillMode = 'manual';
    const dir = stateDir();
    const layer = openLayer(dir);
    const mine = layer.wrapBroker(r.broker);
    const anomalies: string[] = [];
    mine.onAnomaly((a) => anomalies.push(a.code));
    await mine.connect();
    await mine.submitOrder({ ...intent({ asset: 'AAPL', side: 'BUY', quantity: 10 }), clientOrderId: 'twCorr1' });
    r.tws.fillOrder('twCorr1', 4, 100);
    await waitFor(() => layer.journal.fillCount() === 1, 3000, 'first fill journaled');
    const original = [...r.tws.ledger.executions.keys()][0] ?? '';
    r.tws.correctExecution(original, 100.05);
    await new Promise((res) => setTimeout(res, 700)); // past commissionWaitMs
    const live = layer.journal.getOrder('twCorr1');
    expect([live?.filledQuantity, live?.status, layer.journal.fillCount()]).to.deep.equal([4, 'PARTIALLY_FILLED', 1]);
    expect((await mine.getOrder('twCorr1'))?.filledQuantity).to.equal(4);
    expect(anomalies).to.deep.equal([]);
    // restart: TWS replays both the execution and its correction
    await mine.disconnect();
    const { layer: l2, broker } = await restart(dir, layer);
    const rep = await recover(l2.store, l2.journal, broker, silentLogger);
    expect(rep.fillsApplied).to.equal(0);
    expect(l2.journal.getOrder('twCorr1')?.filledQuantity).to.equal(4);
    expect(l2.journal.positions().find((p) => p.asset === 'AAPL')?.quantity).to.equal(4);
    const rec = await reconcile(l2.journal, broker, { policy: 'halt', now: Date.now(), logger: new MemoryLogger() });
    expect(rec.discrepancies.map((d) => d.kind)).to.deep.equal([]);
  });

  it('F10 on IB: a position TWS holds with no fills behind it is a critical POSITION_MISMATCH; each policy acts on it as documented', async () => {
    r = await rig();
    r.tws.ledger.positions.set('MSFT', { quantity: 50, avgCost: 300 }); // bought on an earlier day: no executions today
    await r.broker.connect();
    const outcome: Record<string, unknown[]> = {};
    for (const policy of ['warn', 'adopt-broker', 'halt', 'approve'] as const) {
      const layer = openLayer(stateDir());
      layer.journal.recordIntent({ ...intent({ asset: 'AAPL', side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 50 }), clientOrderId: `twP${policy.length}` });
      layer.journal.recordStatus(`twP${policy.length}`, 'REJECTED', { reason: 'test' }); // a non-empty journal: no baseline
      const rep = await reconcile(layer.journal, r.broker, { policy, now: Date.now(), logger: new MemoryLogger() });
      const d = rep.discrepancies.find((x) => x.asset === 'MSFT');
      outcome[policy] = [d?.kind, d?.severity, d?.broker, rep.mustHalt, rep.needsApproval, layer.journal.positions().find((p) => p.asset === 'MSFT')?.quantity ?? 0];
    }
    expect(outcome).to.deep.equal({
      warn: ['POSITION_MISMATCH', 'critical', 50, false, false, 0],
      'adopt-broker': ['POSITION_MISMATCH', 'critical', 50, false, false, 50],
      halt: ['POSITION_MISMATCH', 'critical', 50, true, false, 0],
      approve: ['POSITION_MISMATCH', 'critical', 50, true, true, 0],
    });
  });

  it('a lookup that times out at TWS leaves the intent unresolved (never read as lost)', async () => {
    r = await rig();
    const dir = stateDir();
    const layer = openLayer(dir);
    layer.journal.recordIntent({ ...intent({ asset: 'AAPL', side: 'BUY', quantity: 5 }), clientOrderId: 'twHang1' });
    const { layer: l2, broker } = await restart(dir, layer);
    r.tws.behaviour.rateLimitReads = 100; // every read refused with 100
    const rep = await recover(l2.store, l2.journal, broker, silentLogger);
    expect(rep.settled.map((s) => [s.clientOrderId, s.outcome])).to.deep.equal([['twHang1', 'unresolved']]);
    expect(l2.journal.getOrder('twHang1')?.status).to.equal('PENDING_SUBMIT');
  });
});
