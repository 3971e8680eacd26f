// An operator's halt or resume (another process: `tradewire risk halt|resume`) against a running
// SafeBroker that keeps writing its own risk state: never lost, picked up without an order.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKeyValueStore, MemoryLogger, SimulatedClock, SqliteKeyValueStore, StateStore, type KeyValueStore, type OrderIntent, type RiskContext } from '@tradewire/core';
import { RiskStateSchema, SafeBroker, haltRisk, parseRiskConfig, resumeRisk, type RiskStateData, type StatefulRiskPolicy } from '@tradewire/risk';
import { LedgerBroker, T0, bar, expectRisk, intent } from './support/helpers.js';

const stored = (kv: KeyValueStore): RiskStateData => RiskStateSchema.parse(kv.get('risk:state'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` on core's SQLite state store in a fresh dir (the store a deployed engine uses), then removes it. */
async function withStateStore(fn: (store: StateStore, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'risk-unreadable-'));
  const store = StateStore.open({ stateDir: dir });
  try { await fn(store, dir); } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
const corruptRiskState = (store: StateStore): void => { store.db.prepare("UPDATE kv SET checksum = 'x' WHERE key = 'risk:state'").run(); };

async function engineSide(kv: KeyValueStore, externalSyncMs: number): Promise<{ safe: SafeBroker; inner: LedgerBroker; clock: SimulatedClock; tick(px: number): void }> {
  const clock = new SimulatedClock(T0);
  const inner = new LedgerBroker();
  const safe = new SafeBroker(inner, { config: parseRiskConfig({ maxDailyLoss: 1e9 }), clock, logger: new MemoryLogger(), kv, externalSyncMs, persistIntervalMs: 0 });
  await safe.connect();
  return { safe, inner, clock, tick: (px) => { clock.set(clock.now() + 60_000); safe.onMarketData(clock.now(), { A: bar(px) }, {}); } };
}

describe('operator commands against a running risk layer', () => {
  it('the engine\'s own writes (marks, counters, flush on stop) never replace a halt or resume it has not read yet', async () => {
    const kv = new MemoryKeyValueStore();
    const e = await engineSide(kv, 3_600_000); // no periodic re-read within the test: only the writes meet the operator's record
    e.tick(100);
    await e.safe.submitOrder(intent('A', 'BUY', 10, { createdAt: e.clock.now() }));
    haltRisk(kv, { reason: 'drill', by: 'bob', now: T0 + 1 });
    e.tick(99); // a mark: the engine writes its state (persistIntervalMs 0)
    expect(stored(kv).tradingState).to.equal('HALTED');
    expect(stored(kv).killSwitch).to.include({ engaged: true, by: 'bob', reason: 'drill' });
    expect(stored(kv).ordersPlaced).to.equal(1); // the engine's counter survives the merge
    expect(e.safe.tradingState).to.equal('HALTED'); // and the engine took the halt while writing
    await expectRisk(e.safe.submitOrder(intent('A', 'BUY', 1, { createdAt: e.clock.now() })), 'RISK_KILL_SWITCH');
    resumeRisk(kv, { reason: 'drill over', by: 'carol', now: T0 + 2 });
    e.tick(98);
    await e.safe.disconnect(); // flush
    expect(stored(kv).tradingState).to.equal('ACTIVE');
    expect(stored(kv).killSwitch).to.include({ engaged: false, by: 'carol' });
    expect(e.safe.tradingState).to.equal('ACTIVE');
    expect(e.inner.ledger).to.have.length(1);
  });

  it('an operator halt found while writing an order\'s count refuses that order too (not only the next one)', async () => {
    const kv = new MemoryKeyValueStore();
    const e = await engineSide(kv, 3_600_000);
    e.tick(100);
    await e.safe.submitOrder(intent('A', 'BUY', 10, { createdAt: e.clock.now() }));
    haltRisk(kv, { reason: 'drill', by: 'bob', now: T0 + 1 });
    await expectRisk(e.safe.submitOrder(intent('A', 'BUY', 10, { createdAt: e.clock.now() })), 'RISK_KILL_SWITCH');
    expect(e.inner.ledger).to.have.length(1);
    await e.safe.disconnect();
    expect(stored(kv).ordersPlaced).to.equal(1); // the refused order is not counted
  });

  it('a halt and a resume from another process reach a connected SafeBroker within externalSyncMs, with no order, and are reported to onHaltChange', async () => {
    const kv = new MemoryKeyValueStore();
    const e = await engineSide(kv, 10);
    const seen: (string | undefined)[] = [];
    e.safe.onHaltChange((r) => seen.push(r));
    e.tick(100);
    haltRisk(kv, { reason: 'fat finger', by: 'bob', now: T0 + 1 });
    await sleep(80);
    expect(e.safe.tradingState).to.equal('HALTED');
    expect(seen).to.deep.equal(['fat finger']);
    resumeRisk(kv, { reason: 'checked', by: 'bob', now: T0 + 2 });
    await sleep(80);
    expect(e.safe.tradingState).to.equal('ACTIVE');
    expect(seen).to.deep.equal(['fat finger', undefined]);
    await e.safe.disconnect();
    haltRisk(kv, { reason: 'after stop', now: T0 + 3 });
    await sleep(50);
    expect(seen, 'no re-reads after disconnect').to.have.length(2);
  });

  it('a breaker trip is reported to onHaltChange when it happens (no order needed)', async () => {
    const clock = new SimulatedClock(T0);
    const safe = new SafeBroker(new LedgerBroker(), { config: parseRiskConfig({ maxDailyLoss: 100 }), clock, logger: new MemoryLogger(), kv: new MemoryKeyValueStore(), persistIntervalMs: 0 });
    await safe.connect();
    const seen: (string | undefined)[] = [];
    safe.onHaltChange((r) => seen.push(r));
    safe.onMarketData(T0, { A: bar(100) }, {});
    await safe.submitOrder(intent('A', 'BUY', 100, { createdAt: T0 }));
    safe.onMarketData(T0 + 60_000, { A: bar(90) }, {}); // −1 000 on the day
    expect(safe.tradingState).to.equal('HALTED');
    expect(seen).to.have.length(1);
    expect(seen[0]).to.match(/daily loss/);
    await safe.disconnect();
  });

  it('orders are refused while the broker\'s positions and cash cannot be read (position limits would read an empty book)', async () => {
    const inner = new LedgerBroker();
    inner.positions.set('A', { asset: 'A', quantity: 10, avgEntryPrice: 10, currentPrice: 10, unrealizedPnl: 0, realizedPnl: 0 });
    let failing = true;
    const getPositions = inner.getPositions.bind(inner);
    inner.getPositions = async () => { if (failing) throw new Error('ECONNRESET'); return getPositions(); };
    const clock = new SimulatedClock(T0);
    const safe = new SafeBroker(inner, { config: parseRiskConfig({ maxPositionShares: 10 }), clock, logger: new MemoryLogger(), kv: new MemoryKeyValueStore(), persistIntervalMs: 0 });
    await safe.connect();
    safe.onMarketData(T0, { A: bar(10) }, {});
    const err = await expectRisk(safe.submitOrder(intent('A', 'BUY', 10, { createdAt: T0 })), 'RISK_ACCOUNT_UNKNOWN');
    expect(err.message).to.match(/positions and cash could not be read/);
    expect(inner.ledger).to.have.length(0);
    failing = false; // the next order re-reads the account first: now the limit sees the 10 held
    await expectRisk(safe.submitOrder(intent('A', 'BUY', 10, { createdAt: T0 })), 'RISK_MAX_POSITION_SHARES');
    await safe.submitOrder(intent('A', 'SELL', 10, { createdAt: T0 }));
    expect(inner.ledger.map((o) => o.side)).to.deep.equal(['SELL']);
  });

  it('a user policy\'s ctx.state changed in onAccepted is persisted (flush on disconnect) and read back after a restart', async () => {
    const kv = new MemoryKeyValueStore();
    const counting: StatefulRiskPolicy = {
      name: 'count',
      check(_o: OrderIntent, ctx: RiskContext) { return ((ctx.state['n'] as number | undefined) ?? 0) >= 2 ? { policy: 'count', code: 'USER_COUNT', message: 'two orders is enough' } : undefined; },
      onAccepted(_o: OrderIntent, ctx: RiskContext) { ctx.state['n'] = ((ctx.state['n'] as number | undefined) ?? 0) + 1; },
    };
    const boot = async (): Promise<SafeBroker> => {
      const s = new SafeBroker(new LedgerBroker(), { config: parseRiskConfig({ policies: ['count'] }), clock: new SimulatedClock(T0), logger: new MemoryLogger(), kv, customPolicies: { count: counting } });
      await s.connect();
      s.onMarketData(T0, { A: bar(10) }, {});
      return s;
    };
    for (let i = 0; i < 2; i++) {
      const s = await boot();
      await s.submitOrder(intent('A', 'BUY', 1, { createdAt: T0 }));
      await s.disconnect();
    }
    expect(stored(kv).policyState['count']).to.deep.equal({ n: 2 });
    const s = await boot();
    await expectRisk(s.submitOrder(intent('A', 'BUY', 1, { createdAt: T0 })), 'USER_COUNT');
    await s.disconnect();
  });

  it('an operator halt written over an unreadable stored state reaches the running engine and is not written over', async () => {
    await withStateStore(async (engineStore, dir) => {
      const kv = new SqliteKeyValueStore(engineStore);
      const e = await engineSide(kv, 3_600_000);
      e.tick(100);
      for (let i = 0; i < 5; i++) await e.safe.submitOrder(intent('A', 'BUY', 1, { createdAt: e.clock.now() })); // revision 6
      corruptRiskState(engineStore);
      await expectRisk(e.safe.submitOrder(intent('A', 'BUY', 1, { createdAt: e.clock.now() })), 'RISK_STATE_UNWRITABLE');
      const op = StateStore.openOperator(dir);
      try { haltRisk(new SqliteKeyValueStore(op), { reason: 'store alert', by: 'bob' }); } finally { op.close(); }
      e.safe.syncState();
      expect(e.safe.tradingState).to.equal('HALTED');
      await expectRisk(e.safe.submitOrder(intent('A', 'BUY', 1, { createdAt: e.clock.now() })), 'RISK_KILL_SWITCH');
      e.tick(99);
      await e.safe.disconnect();
      expect(stored(kv).killSwitch).to.include({ engaged: true, by: 'bob' });
      expect(e.inner.ledger).to.have.length(5);
    });
  });

  it('SafeBroker.resume over an unreadable stored state writes it (the operator\'s command is never refused by the damage it fixes)', async () => {
    await withStateStore(async (store) => {
      const kv = new SqliteKeyValueStore(store);
      const e = await engineSide(kv, 3_600_000);
      e.tick(100);
      e.safe.halt('drill', 'ops');
      corruptRiskState(store);
      e.safe.resume('checked', 'ops');
      expect(stored(kv).tradingState).to.equal('ACTIVE');
      await e.safe.submitOrder(intent('A', 'BUY', 1, { createdAt: e.clock.now() }));
      await e.safe.disconnect();
    });
  });

  it('a stored state that became unreadable while running and was then rewritten keeps its account mark (a shadow SafeBroker still refuses it)', async () => {
    await withStateStore(async (store) => {
      const kv = new SqliteKeyValueStore(store);
      const e = await engineSide(kv, 10);
      e.tick(100);
      kv.set('risk:state', { revision: Number.MAX_SAFE_INTEGER, tradingState: 'SIDEWAYS' }); // newer, and fails the schema
      await sleep(60); // a periodic re-read finds it unreadable: a fresh (HALTED) state replaces it in memory
      expect(e.safe.tradingState).to.equal('HALTED');
      e.safe.resume('checked', 'ops'); // written over the damage
      expect(stored(kv).account).to.equal('venue');
      await e.safe.disconnect();
      const shadow = (): SafeBroker => new SafeBroker(new LedgerBroker(), { config: parseRiskConfig({ shadowMode: true }), clock: new SimulatedClock(T0), logger: new MemoryLogger(), kv, persistIntervalMs: 0 });
      expect(shadow).to.throw().with.property('code', 'RISK_MODE_MISMATCH');
    });
  });

  it('while the account cannot be read, a reduce-only order (the engine\'s closePosition) still passes', async () => {
    const inner = new LedgerBroker();
    inner.positions.set('A', { asset: 'A', quantity: 10, avgEntryPrice: 10, currentPrice: 10, unrealizedPnl: 0, realizedPnl: 0 });
    inner.getPositions = async () => { throw new Error('ECONNRESET'); };
    const safe = new SafeBroker(inner, { config: parseRiskConfig({}), clock: new SimulatedClock(T0), logger: new MemoryLogger(), kv: new MemoryKeyValueStore(), persistIntervalMs: 0 });
    await safe.connect();
    safe.onMarketData(T0, { A: bar(10) }, {});
    await safe.submitOrder(intent('A', 'SELL', 10, { createdAt: T0, reduceOnly: true }));
    await expectRisk(safe.submitOrder(intent('A', 'SELL', 10, { createdAt: T0 })), 'RISK_ACCOUNT_UNKNOWN');
    expect(inner.ledger.map((o) => o.reduceOnly)).to.deep.equal([true]);
    await safe.disconnect();
  });
});
