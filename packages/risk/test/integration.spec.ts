import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger, PaperBroker, SimulatedClock, SqliteKeyValueStore, StateStore, silentLogger, type MarketDataMap } from '@tradewire/core';
import { SafeBroker, haltRisk, parseRiskConfig, readRiskStatus, resumeRisk, type LiveRiskConfigInput } from '@tradewire/risk';
import { T0, bar, expectRisk, intent } from './support/helpers.js';

function paper(clock: SimulatedClock): PaperBroker { return new PaperBroker({ initialCash: 100_000 }, clock, silentLogger); }
function safe(inner: PaperBroker, clock: SimulatedClock, config: LiveRiskConfigInput, kv?: SqliteKeyValueStore): SafeBroker {
  return new SafeBroker(inner, { config: parseRiskConfig(config), clock, logger: new MemoryLogger(), ...(kv ? { kv } : {}), externalSyncMs: 0, persistIntervalMs: 0 });
}
const tick = (b: SafeBroker, clock: SimulatedClock, ts: number, px: Record<string, number>): void => {
  clock.set(ts);
  const d: MarketDataMap = {};
  for (const [k, v] of Object.entries(px)) d[k] = { ...bar(v), volume: 1e9 };
  b.onMarketData(ts, d, {});
};

describe('against core PaperBroker and the durable state store', () => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'risk-int-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('refusals never reach the paper venue; accepted orders fill there', async () => {
    const clock = new SimulatedClock(T0);
    const inner = paper(clock);
    const s = safe(inner, clock, { maxOrderValue: 1000 });
    await s.connect();
    tick(s, clock, T0, { A: 10 });
    await expectRisk(s.submitOrder(intent('A', 'BUY', 101, { createdAt: T0 })), 'RISK_MAX_ORDER_VALUE');
    await s.submitOrder(intent('A', 'BUY', 100, { createdAt: T0 }));
    tick(s, clock, T0 + 60_000, { A: 10 });
    expect(await inner.getOrders()).to.have.length(1);
    expect((await inner.getPosition('A'))?.quantity).to.equal(100);
  });

  it('shadow mode: the paper venue ledger receives zero orders', async () => {
    const clock = new SimulatedClock(T0);
    const inner = paper(clock);
    const s = safe(inner, clock, { shadowMode: true });
    await s.connect();
    for (let i = 0; i < 10; i++) {
      tick(s, clock, T0 + i * 60_000, { A: 10 + i });
      await s.submitOrder(intent('A', i % 2 ? 'SELL' : 'BUY', 5, { createdAt: clock.now() }));
    }
    expect(await inner.getOrders()).to.have.length(0);
    expect(await inner.getFills()).to.have.length(0);
    expect(await s.getFills()).to.have.length(10);
  });

  it('F06 with SQLite: kill switch and daily loss survive a restart; operator resume from another handle is picked up', async () => {
    const clock = new SimulatedClock(T0);
    let store = StateStore.open({ stateDir: dir, clock });
    const inner = paper(clock);
    const a = safe(inner, clock, { maxDailyLoss: 5000 }, new SqliteKeyValueStore(store));
    await a.connect();
    tick(a, clock, T0, { A: 100, B: 10 });
    await a.submitOrder(intent('A', 'BUY', 100, { createdAt: T0 }));
    tick(a, clock, T0 + 60_000, { A: 100, B: 10 });
    tick(a, clock, T0 + 120_000, { A: 90, B: 10 });
    expect(a.snapshot().dailyLoss).to.be.closeTo(1000, 1e-6);
    a.halt('drill', 'ops');
    store.close(); // crash/restart

    store = StateStore.open({ stateDir: dir, clock });
    const b = safe(inner, clock, { maxDailyLoss: 5000 }, new SqliteKeyValueStore(store));
    await b.connect();
    expect(b.killSwitchEngaged).to.equal(true);
    expect(b.snapshot().dailyLoss).to.be.closeTo(1000, 1e-6);
    tick(b, clock, T0 + 180_000, { A: 90, B: 10 });
    await expectRisk(b.submitOrder(intent('B', 'BUY', 1, { createdAt: clock.now() })), 'RISK_KILL_SWITCH');

    // the CLI's path: an operator handle on the same state dir while the engine runs
    const op = StateStore.openOperator(dir);
    resumeRisk(new SqliteKeyValueStore(op), { reason: 'drill over', by: 'ops', now: clock.now() });
    op.close();
    b.syncState();
    await b.submitOrder(intent('B', 'BUY', 1, { createdAt: clock.now() }));
    const ro = StateStore.openReadOnly(dir);
    const shown = readRiskStatus(new SqliteKeyValueStore(ro), { readOnly: true });
    ro.close();
    expect(shown.audit.map((x) => x.action)).to.deep.equal(['halt', 'resume']);
    expect(shown.state.ordersPlaced).to.equal(2);
    store.close();
  });

  it('operator halt on the durable store blocks a running SafeBroker', async () => {
    const clock = new SimulatedClock(T0);
    const store = StateStore.open({ stateDir: dir, clock });
    const s = safe(paper(clock), clock, {}, new SqliteKeyValueStore(store));
    await s.connect();
    tick(s, clock, T0, { A: 10 });
    await s.submitOrder(intent('A', 'BUY', 1, { createdAt: T0 }));
    const op = StateStore.openOperator(dir);
    haltRisk(new SqliteKeyValueStore(op), { reason: 'market closed early', by: 'eve', now: T0 });
    op.close();
    await expectRisk(s.submitOrder(intent('A', 'BUY', 2, { createdAt: T0 })), 'RISK_KILL_SWITCH');
    store.close();
  });
});
