import { expect } from 'chai';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKeyValueStore, MemoryLogger, SimulatedClock, StateError, type KeyValueStore } from '@tradewire/core';
import { FileKeyValueStore, RiskStateSchema, SafeBroker, SessionCalendar, haltRisk, parseRiskConfig, readRiskStatus, resumeRisk, type RiskStateData } from '@tradewire/risk';
import { LedgerBroker, T0, bar, expectRisk, intent, rig } from './support/helpers.js';

/** a KeyValueStore whose writes fail with ENOSPC while `full` is set (F05) */
class FullDisk implements KeyValueStore {
  full = false;
  writes = 0;
  readonly m = new MemoryKeyValueStore();
  get<T>(k: string): T | undefined { return this.m.get<T>(k); }
  set(k: string, v: unknown): void {
    if (this.full) { const e = new Error('ENOSPC: no space left on device') as NodeJS.ErrnoException; e.code = 'ENOSPC'; throw e; }
    this.writes++; this.m.set(k, v);
  }
  delete(k: string): void { this.m.delete(k); }
  keys(p?: string): string[] { return this.m.keys(p); }
}

function stored(kv: KeyValueStore): RiskStateData { return RiskStateSchema.parse(kv.get('risk:state')); }

describe('risk state persistence and the kill switch', () => {
  it('persists kill switch, counters and high-water mark on change', async () => {
    const r = await rig({ maxDailyLoss: 1e9 });
    r.tick({ A: 100 });
    await r.buy('A', 10);
    await r.buy('A', 10);
    expect(stored(r.kv).ordersPlaced).to.equal(2);
    expect(stored(r.kv).highWaterMark).to.equal(100_000);
    r.safe.halt('manual test', 'alice');
    const s = stored(r.kv);
    expect(s.killSwitch).to.include({ engaged: true, reason: 'manual test', by: 'alice' });
    expect(s.tradingState).to.equal('HALTED');
    expect(r.safe.auditTrail().map((e) => e.action)).to.deep.equal(['halt']);
  });

  it('F06: kill switch engaged, restart → still engaged; daily loss and HWM restored; counters kept within the session', async () => {
    const kv = new MemoryKeyValueStore();
    const clock = new SimulatedClock(T0);
    const a = await rig({ maxDailyLoss: 5000 }, { kv, clock });
    a.tick({ A: 100, B: 10 });
    await a.buy('A', 100);
    a.tick({ A: 90, B: 10 }, T0 + 60_000); // loss 1000
    a.safe.halt('engaged before crash', 'ops');
    const before = stored(kv);
    // "restart": a new SafeBroker on the same store (the old one is dropped, as after SIGKILL)
    const inner = new LedgerBroker();
    inner.positions.set('A', { ...a.inner.positions.get('A')! });
    inner.cash = a.inner.cash;
    const b = await rig({ maxDailyLoss: 5000 }, { kv, clock, inner });
    expect(b.safe.killSwitchEngaged).to.equal(true);
    expect(b.safe.tradingState).to.equal('HALTED');
    const snap = b.safe.snapshot();
    expect(snap.dailyLoss).to.equal(1000);
    expect(snap.highWaterMark).to.equal(before.highWaterMark);
    expect(snap.ordersPlaced).to.equal(1);
    b.tick({ A: 90, B: 10 }, T0 + 120_000);
    await expectRisk(b.buy('B', 1), 'RISK_KILL_SWITCH');
    expect(b.inner.ledger).to.have.length(0);
    expect(b.safe.snapshot().dailyLoss).to.equal(1000);
    // closing orders still pass while halted
    await b.sell('A', 100);
    expect(b.inner.ledger).to.have.length(1);
  });

  it('daily counters reset at the session boundary in its time zone, never because of a restart', async () => {
    const kv = new MemoryKeyValueStore();
    const cfg = { session: { timeZone: 'America/New_York', boundary: '17:00' } };
    const start = Date.UTC(2026, 0, 5, 21, 0); // 16:00 New York (EST = UTC−5)
    const clock = new SimulatedClock(start);
    const a = await rig(cfg, { kv, clock });
    a.tick({ A: 10 });
    await a.buy('A', 1); await a.buy('A', 1);
    expect(a.safe.snapshot().sessionDate).to.equal('2026-01-04');
    const b = await rig(cfg, { kv, clock }); // restart, same session
    b.tick({ A: 10 }, start + 59 * 60_000); // 16:59
    expect(b.safe.snapshot().ordersPlaced).to.equal(2);
    b.tick({ A: 10 }, start + 60 * 60_000); // 17:00 New York: new session
    expect(b.safe.snapshot()).to.include({ ordersPlaced: 0, sessionDate: '2026-01-05' });
    // the clock stepping back does not un-reset or re-label
    b.tick({ A: 10 }, start);
    expect(b.safe.snapshot().sessionDate).to.equal('2026-01-05');
  });

  it('SessionCalendar follows DST in the session time zone', () => {
    const cal = new SessionCalendar('America/New_York', '17:00');
    // 2026-03-08 DST starts: 17:00 EDT = 21:00 UTC
    expect(cal.label(Date.UTC(2026, 2, 8, 20, 59))).to.equal('2026-03-07');
    expect(cal.label(Date.UTC(2026, 2, 8, 21, 0))).to.equal('2026-03-08');
    expect(cal.label(Date.UTC(2026, 2, 6, 21, 59))).to.equal('2026-03-05');
    expect(cal.label(Date.UTC(2026, 2, 6, 22, 0))).to.equal('2026-03-06');
  });

  it('unreadable state (kv.get throws) → HALTED with the kill switch engaged; nothing is overwritten', async () => {
    const kv = new MemoryKeyValueStore();
    const broken: KeyValueStore = {
      get: () => { throw new StateError('checksum mismatch', 'STATE_CORRUPT'); },
      set: (k, v) => kv.set(k, v), delete: (k) => kv.delete(k), keys: (p) => kv.keys(p),
    };
    const r = await rig({}, { kv: broken });
    expect(r.safe.tradingState).to.equal('HALTED');
    r.tick({ A: 10 });
    const e = await expectRisk(r.buy('A', 1), 'RISK_KILL_SWITCH');
    expect(String(e.details['value'])).to.equal('RISK_STATE_UNREADABLE');
    expect(kv.keys('risk:state')).to.deep.equal([]); // never wrote a fresh state over it
  });

  it('unreadable state (fails its schema) → HALTED; the bad value is copied aside; resume replaces it', async () => {
    const kv = new MemoryKeyValueStore();
    kv.set('risk:state', { killSwitch: 'tr' });
    const r = await rig({}, { kv });
    expect(r.safe.tradingState).to.equal('HALTED');
    expect(kv.keys('risk:state:corrupt:')).to.have.length(1);
    expect(kv.get('risk:state')).to.deep.equal({ killSwitch: 'tr' });
    r.tick({ A: 10 });
    await r.buy('A', 1).catch(() => undefined);
    expect(kv.get('risk:state')).to.deep.equal({ killSwitch: 'tr' }); // still not overwritten
    r.safe.resume('rebuilt from broker', 'bob');
    expect(stored(kv).tradingState).to.equal('ACTIVE');
    await r.buy('A', 1);
    expect(r.inner.ledger).to.have.length(1);
  });

  it('F05: disk full → no risk-increasing order is sent; reducing orders and cancels pass; recovers when space returns', async () => {
    const kv = new FullDisk();
    const r = await rig({}, { kv });
    r.tick({ A: 10 });
    await r.buy('A', 10);
    kv.full = true;
    await expectRisk(r.buy('A', 1), 'RISK_STATE_UNWRITABLE');
    expect(r.inner.ledger).to.have.length(1);
    await r.sell('A', 5); // reduce-only exit allowed
    expect(await r.safe.cancelOrder('whatever')).to.equal(false);
    expect(r.inner.cancels).to.deep.equal(['whatever']);
    expect(r.logger.entries.some((e) => e.level === 'error' && e.msg.includes('ALERT'))).to.equal(true);
    const countBefore = stored(kv).ordersPlaced; // never reported "saved"
    expect(countBefore).to.equal(1);
    kv.full = false;
    await r.buy('A', 1);
    expect(r.inner.ledger).to.have.length(3);
    expect(stored(kv).ordersPlaced).to.equal(3);
  });

  it('F05: a breaker trip written while the store fails is written when it recovers, with no order needed', async () => {
    const kv = new FullDisk();
    const r = await rig({ circuitBreakers: { errorRate: { maxErrors: 1 } } }, { kv });
    r.tick({ A: 10 });
    kv.full = true;
    r.safe.recordError('strategy', new Error('a'));
    r.safe.recordError('strategy', new Error('b')); // trips HALTED; the write fails
    expect(r.safe.tradingState).to.equal('HALTED');
    expect(stored(kv).tradingState).to.equal('ACTIVE');
    kv.full = false;
    r.tick({ A: 10 }, T0 + 60_000); // nothing else changed and no order follows: the next bar retries the write
    expect(stored(kv)).to.include({ tradingState: 'HALTED' });
    expect(stored(kv).trip?.code).to.equal('RISK_BREAKER_ERROR_RATE');
  });

  it('with the default write-behind, state changes are written at once and the order counter on flush/disconnect', async () => {
    const kv = new MemoryKeyValueStore();
    const clock = new SimulatedClock(T0);
    const inner = new LedgerBroker();
    const safe = new SafeBroker(inner, { config: parseRiskConfig({}), clock, logger: new MemoryLogger(), kv });
    await safe.connect();
    safe.onMarketData(T0, { A: bar(10) }, {});
    for (let i = 0; i < 5; i++) await safe.submitOrder(intent('A', 'BUY', 1 + i, { createdAt: T0 }));
    expect(stored(kv).ordersPlaced).to.be.at.most(5);
    safe.halt('now', 'ops');
    expect(stored(kv).killSwitch.engaged).to.equal(true);
    expect(stored(kv).ordersPlaced).to.equal(5);
    await safe.disconnect();
    expect(stored(kv).ordersPlaced).to.equal(5);
  });

  it('without a kv the state lives in memory with a logged warning', async () => {
    const r = await rig({}, { noKv: true });
    expect(r.logger.entries.some((e) => e.level === 'warn' && e.msg.includes('no durable key/value store'))).to.equal(true);
    r.tick({ A: 10 });
    await r.buy('A', 1);
  });

  it('operator commands: halt/resume need a reason, write an audit entry, and a running SafeBroker picks them up', async () => {
    const r = await rig({});
    r.tick({ A: 10 });
    expect(() => haltRisk(r.kv, { reason: '  ', now: T0 })).to.throw().with.property('code', 'RISK_REASON_REQUIRED');
    haltRisk(r.kv, { reason: 'fat finger', by: 'carol', now: T0 + 1 });
    r.safe.syncState();
    await expectRisk(r.buy('A', 1), 'RISK_KILL_SWITCH');
    const st = resumeRisk(r.kv, { reason: 'checked', by: 'carol', now: T0 + 2 });
    expect(st.state.tradingState).to.equal('ACTIVE');
    expect(st.audit.map((a) => [a.action, a.by, a.reason])).to.deep.equal([['halt', 'carol', 'fat finger'], ['resume', 'carol', 'checked']]);
    r.safe.syncState();
    await r.buy('A', 1);
    const shown = readRiskStatus(r.kv);
    expect(shown.state.ordersPlaced).to.equal(1);
    expect(shown.audit).to.have.length(2);
  });

  it('the kill switch is never cleared implicitly (new session, restart, cool-down)', async () => {
    const kv = new MemoryKeyValueStore();
    const clock = new SimulatedClock(T0);
    const r = await rig({ circuitBreakers: { resume: { mode: 'cooldown', cooldownSeconds: 1 } } }, { kv, clock });
    r.tick({ A: 10 });
    r.safe.halt('manual', 'ops');
    r.tick({ A: 10 }, T0 + 3 * 86_400_000);
    const r2 = await rig({ circuitBreakers: { resume: { mode: 'cooldown', cooldownSeconds: 1 } } }, { kv, clock });
    r2.tick({ A: 10 }, T0 + 4 * 86_400_000);
    expect(r2.safe.killSwitchEngaged).to.equal(true);
    await expectRisk(r2.buy('A', 1), 'RISK_KILL_SWITCH');
  });

  it('FileKeyValueStore: durable across instances; a corrupt file reads as HALTED and is not overwritten', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'risk-kv-'));
    try {
      const kv = FileKeyValueStore.inDir(dir);
      haltRisk(kv, { reason: 'r', now: 1 });
      expect(readRiskStatus(FileKeyValueStore.inDir(dir)).state.killSwitch.engaged).to.equal(true);
      writeFileSync(join(dir, 'risk-kv.json'), '{"risk:state":{"killSwitch":tr');
      const r = await rig({}, { kv: FileKeyValueStore.inDir(dir) });
      expect(r.safe.tradingState).to.equal('HALTED');
      expect(() => kv.get('risk:state')).to.throw().with.property('code', 'STATE_CORRUPT');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
