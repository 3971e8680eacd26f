import { expect } from 'chai';
import {
  IB_STATUSES, IBConfig, IBFeedConfig, OrderIdAllocator, Pacer, TickThrottle, completedOrderStatus, completedOrdersReadable, definitions, ibError,
  executionAliases, executionKey, isIBWarning, mapIBStatus, parseIBTime, toIBOrder, validCommission,
} from '@tradewire/broker-ib';
import ibDefault from '@tradewire/broker-ib';
import { AdapterRegistry, MemoryKeyValueStore, SimulatedClock, isTradingError, type MarketData } from '@tradewire/core';

describe('broker-ib units', () => {
  it('maps every IB status string', () => {
    const got = Object.fromEntries(IB_STATUSES.map((s) => [s, mapIBStatus(s, 0, 10)]));
    expect(got).to.deep.equal({
      ApiPending: 'PENDING_SUBMIT', PendingSubmit: 'PENDING_SUBMIT', PendingCancel: 'KEEP', PreSubmitted: 'SUBMITTED', Submitted: 'SUBMITTED',
      ApiCancelled: 'CANCELLED', Cancelled: 'CANCELLED', Filled: 'FILLED', Inactive: 'REJECTED',
    });
    expect(mapIBStatus('Submitted', 4, 10)).to.equal('PARTIALLY_FILLED');
    expect(mapIBStatus('Unknown', 0, 10)).to.equal('UNKNOWN');
  });

  it('maps a completed order\'s final state; reads completed orders only from server version 177', () => {
    const cases: [string, string, string | undefined][] = [
      ['Filled', 'Filled Size: 10', 'FILLED'], ['Cancelled', 'Cancelled by Trader', 'CANCELLED'], ['ApiCancelled', '', 'CANCELLED'],
      ['Inactive', '', 'REJECTED'], ['Cancelled', 'Rejected by System: no margin', 'REJECTED'], ['Submitted', '', undefined], ['', '', undefined],
    ];
    expect(cases.map(([status, completedStatus]) => completedOrderStatus({ status: status as never, completedStatus }))).to.deep.equal(cases.map((c) => c[2]));
    expect([undefined, 150, 176, 177, 193].map(completedOrdersReadable)).to.deep.equal([false, false, false, true, true]);
  });

  it('maps IB error codes to typed errors with the venue code, message and cause', () => {
    const cause = new Error('raw');
    const cases: [number, string, string][] = [
      [201, 'Order rejected - reason:Invalid', 'ORDER_REJECTED'], [201, 'Order rejected - reason: insufficient margin', 'INSUFFICIENT_FUNDS'],
      [103, 'Duplicate order id', 'IB_DUPLICATE_ORDER_ID'], [200, 'No security definition', 'UNKNOWN_SYMBOL'], [135, 'not found', 'ORDER_NOT_FOUND'],
      [10147, 'OrderId 1 not found', 'ORDER_NOT_FOUND'], [502, 'refused', 'VENUE_UNAVAILABLE'], [326, 'client id in use', 'AUTHENTICATION'],
      [100, 'Max rate', 'RATE_LIMIT'], [4242, 'something new', 'IB_4242'],
    ];
    for (const [code, text, expected] of cases) {
      const e = ibError(code, text, { id: 5, cause });
      expect(isTradingError(e)).to.equal(true);
      expect(e.code, String(code)).to.equal(expected);
      expect(e.details).to.deep.include({ venue: 'ib', venueCode: code, venueMessage: text, id: 5 });
      expect(e.cause).to.equal(cause);
    }
    expect(isIBWarning(2104)).to.equal(true);
    expect(isIBWarning(2110)).to.equal(false);
    expect(isIBWarning(201)).to.equal(false);
  });

  it('names an execution by its execId without the correction part, and aliases every version up to the one received (ids an earlier build journaled)', () => {
    expect(executionKey('0000e0d5.65000001.01.02')).to.equal('0000e0d5.65000001.01');
    expect(executionAliases('0000e0d5.65000001.01.02')).to.deep.equal(['0000e0d5.65000001.01.01', '0000e0d5.65000001.01.02']);
    expect(executionAliases('0000e0d5.65000001.01.01')).to.deep.equal(['0000e0d5.65000001.01.01']);
    expect(executionAliases('abc.xyz')).to.deep.equal(['abc.xyz']);
    expect(executionAliases('nodots')).to.deep.equal([]);
  });

  it('parses execution times with and without a zone', () => {
    expect(parseIBTime('20230224  12:04:56')).to.equal(Date.UTC(2023, 1, 24, 12, 4, 56));
    expect(parseIBTime('20261121 23:00:00 UTC')).to.equal(Date.UTC(2026, 10, 21, 23, 0, 0));
    expect(parseIBTime('20250708 02:35:00 America/New_York')).to.equal(Date.UTC(2025, 6, 8, 6, 35, 0));
    expect(parseIBTime('garbage')).to.equal(undefined);
    expect(validCommission(1.7976931348623157e308)).to.equal(undefined);
    expect(validCommission(-1)).to.equal(undefined);
    expect(validCommission(2.25)).to.equal(2.25);
  });

  it('builds IB orders: orderRef = clientOrderId, prices only where the type uses them, GTD date', () => {
    const o = toIBOrder({ clientOrderId: 'abc', asset: 'AAPL', side: 'SELL', quantity: 3, orderType: 'STOP_LIMIT', limitPrice: 9, stopPrice: 10, timeInForce: 'GTD', expireAt: Date.UTC(2026, 0, 2, 3, 4, 5), createdAt: 0 }, 'DU1');
    expect(o).to.deep.include({ action: 'SELL', totalQuantity: 3, orderType: 'STP LMT', lmtPrice: 9, auxPrice: 10, tif: 'GTD', orderRef: 'abc', account: 'DU1', goodTillDate: '20260102 03:04:05 UTC', transmit: true });
    const m = toIBOrder({ clientOrderId: 'x', asset: 'AAPL', side: 'BUY', quantity: 1, orderType: 'MARKET', limitPrice: 5, timeInForce: 'DAY', createdAt: 0 }, undefined);
    expect(m.lmtPrice).to.equal(undefined);
    expect(m.account).to.equal(undefined);
  });

  it('paces on the injected clock: at most N per sliding second, in order', async () => {
    const clock = new SimulatedClock(1_000);
    const p = new Pacer(clock, 3);
    const ran: [number, number][] = [];
    const all = Array.from({ length: 7 }, (_, k) => p.run(() => ran.push([k, clock.now()])));
    expect(ran.map((x) => x[0])).to.deep.equal([0, 1, 2]);
    clock.advance(999);
    expect(ran).to.have.length(3);
    clock.advance(1);
    expect(ran.map((x) => x[0])).to.deep.equal([0, 1, 2, 3, 4, 5]);
    clock.advance(1000);
    await Promise.all(all);
    expect(ran.map((x) => x[1])).to.deep.equal([1000, 1000, 1000, 2000, 2000, 2000, 3000]);
    const dropped = p.run(() => undefined);
    const more = [p.run(() => undefined), p.run(() => undefined), p.run(() => undefined)];
    p.clear();
    await dropped;
    const failed = await Promise.allSettled(more);
    expect(failed.filter((f) => f.status === 'rejected').length).to.be.at.least(1);
  });

  it('order ids: max(local high-water mark + 1, nextValidId), persisted before use', () => {
    const kv = new MemoryKeyValueStore();
    const scope = { host: 'h', port: 1, clientId: 2 };
    const a = new OrderIdAllocator(kv, scope);
    a.observe(100);
    expect([a.take(), a.take()]).to.deep.equal([100, 101]);
    a.observe(50); // rolled back: ignored
    expect(a.take()).to.equal(102);
    const b = new OrderIdAllocator(kv, scope);
    b.observe(90);
    expect(b.take()).to.equal(103);
    expect(new OrderIdAllocator(kv, { ...scope, clientId: 3 }).peek()).to.equal(0);
  });

  it('tick throttle on the injected clock: first tick at once, later ones coalesced, -1 ignored', () => {
    const clock = new SimulatedClock(0);
    const out: [number, MarketData][] = [];
    const t = new TickThrottle(clock, 100, (ts, _s, d) => out.push([ts, d]));
    t.price('X', 4, 10);
    t.price('X', 4, 11);
    t.price('X', 4, -1);
    t.price('X', 1, 10.9);
    t.price('X', 2, 11.1);
    expect(out).to.deep.equal([[0, { price: 10, size: 0 }]]);
    clock.advance(100);
    expect(out[1]).to.deep.equal([100, { price: 11, size: 0 }]);
    clock.advance(1000);
    expect(out).to.have.length(2);
  });

  it('config: defaults in the schema, strict keys, bounds', () => {
    const c = IBConfig.parse({});
    expect([c.host, c.port, c.clientId, c.maxMessagesPerSecond, c.reconnect.enabled]).to.deep.equal(['127.0.0.1', 7497, 0, 40, true]);
    expect(IBConfig.safeParse({ prot: 1 }).success).to.equal(false);
    expect(IBConfig.safeParse({ maxMessagesPerSecond: 51 }).success).to.equal(false);
    expect(IBFeedConfig.safeParse({}).success, 'symbols required').to.equal(false);
    expect(IBFeedConfig.parse({ symbols: ['AAPL'] }).clientId).to.equal(1);
  });

  it('registers broker `ib` and feed `ib`; a bad option fails at creation naming the key', async () => {
    expect(ibDefault).to.equal(definitions);
    const reg = new AdapterRegistry().register(...ibDefault);
    expect(reg.list()).to.deep.equal(['broker:ib', 'feed:ib']);
    const err = await reg.create('broker', 'ib', { port: 'x' }).then(() => undefined, (e: unknown) => e);
    expect(isTradingError(err) && err.message).to.contain("'port'");
    const broker = await reg.create('broker', 'ib', { port: 4002, clientId: 9 });
    expect(broker.name).to.equal('ib');
    expect(broker.isConnected()).to.equal(false);
    const feed = await reg.create('feed', 'ib', { symbols: ['AAPL'] });
    expect(feed.kind).to.equal('push');
  });
});
