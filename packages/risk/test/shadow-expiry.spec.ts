import { expect } from 'chai';
import type { Order, OrderIntent } from '@tradewire/core';
import { RiskStateSchema, SessionCalendar, VirtualPortfolio } from '@tradewire/risk';
import { T0, rig } from './support/helpers.js';

const shadow = { shadowMode: true, shadow: { initialCash: 50_000 } } as const;
/** the resting orders of the virtual account as stored now */
const storedPending = (kv: { get(key: string): unknown }): string[] =>
  (RiskStateSchema.parse(kv.get('risk:state')).shadow?.pending ?? []).map((o) => o.clientOrderId);
const statuses = (updates: Order[]): string[][] => updates.map((o) => [o.clientOrderId, o.status]);

describe('shadow mode: resting orders expire as at a venue', () => {
  it('GTD: once an event reaches expireAt the order is EXPIRED before that price can fill it; written at once, then reported', async () => {
    const r = await rig(shadow);
    const updates: Order[] = [];
    const storedAtUpdate: string[][] = [];
    r.safe.onOrderUpdate((o) => { updates.push(o); storedAtUpdate.push(storedPending(r.kv)); });
    r.tick({ A: 100 });
    const soon = await r.buy('A', 5, { limitPrice: 95, timeInForce: 'GTD', expireAt: T0 + 120_000 });
    const later = await r.buy('A', 3, { limitPrice: 95, timeInForce: 'GTD', expireAt: T0 + 180_000 });
    r.tick({ A: 96 }, T0 + 60_000);
    expect(await r.safe.getPendingOrders()).to.have.length(2);
    r.tick({ A: 90 }, T0 + 120_000); // reaches `soon`'s expireAt; `later` still lives and fills
    expect(await r.safe.getOrder(soon.clientOrderId)).to.include({ status: 'EXPIRED', filledQuantity: 0, updatedAt: T0 + 120_000 });
    expect(await r.safe.getOrder(later.clientOrderId)).to.include({ status: 'FILLED', filledQuantity: 3 });
    expect(statuses(updates)).to.deep.equal([
      [soon.clientOrderId, 'SUBMITTED'], [later.clientOrderId, 'SUBMITTED'], [soon.clientOrderId, 'EXPIRED'], [later.clientOrderId, 'FILLED'],
    ]);
    expect(storedAtUpdate[2]).to.deep.equal([later.clientOrderId]); // the expiry was stored before the strategy heard of it
    expect(await r.safe.getPendingOrders()).to.deep.equal([]);
    expect(await r.safe.getPosition('A')).to.include({ quantity: 3 });
    expect(r.safe.virtual?.fills().map((f) => f.clientOrderId)).to.deep.equal([later.clientOrderId]);
  });

  it('GTD: an order whose expireAt has already passed when it is taken ends EXPIRED at once, unfilled, even when marketable', async () => {
    const r = await rig(shadow);
    r.tick({ A: 100 });
    const o = await r.buy('A', 5, { limitPrice: 101, timeInForce: 'GTD', expireAt: T0 });
    expect(o).to.include({ status: 'EXPIRED', filledQuantity: 0 });
    expect(await r.safe.getPendingOrders()).to.deep.equal([]);
    expect(await r.safe.getPositions()).to.deep.equal([]);
    expect(await r.safe.getCash()).to.equal(50_000);
  });

  it("DAY: expires at the end of the risk layer's trading session it was placed in (session.boundary in session.timeZone), not at UTC midnight", async () => {
    const r = await rig({ ...shadow, session: { timeZone: 'America/New_York', boundary: '17:00' } });
    const updates: Order[] = [];
    r.safe.onOrderUpdate((o) => updates.push(o));
    r.tick({ A: 100 }); // T0: 10:00 in New York, session 2026-01-04 (started 17:00 the day before)
    const day = await r.buy('A', 5, { limitPrice: 95 });
    const gtc = await r.buy('A', 2, { limitPrice: 95, timeInForce: 'GTC' });
    const boundary = Date.UTC(2026, 0, 5, 22, 0); // 17:00 in New York
    r.tick({ A: 96 }, boundary - 60_000);
    expect(r.safe.snapshot().sessionDate).to.equal('2026-01-04');
    expect(await r.safe.getPendingOrders()).to.have.length(2);
    r.tick({ A: 90 }, boundary);
    expect(r.safe.snapshot().sessionDate).to.equal('2026-01-05'); // the risk layer's session rolled on this same event
    expect(await r.safe.getOrder(day.clientOrderId)).to.include({ status: 'EXPIRED', filledQuantity: 0, updatedAt: boundary });
    expect(await r.safe.getOrder(gtc.clientOrderId)).to.include({ status: 'FILLED' });
    expect(await r.safe.getPosition('A')).to.include({ quantity: 2 });

    const night = await r.buy('A', 1, { limitPrice: 80 }); // placed in session 2026-01-05
    r.tick({ A: 85 }, Date.UTC(2026, 0, 6, 0, 30)); // a new UTC day, still the same New York session
    expect((await r.safe.getOrder(night.clientOrderId))?.status).to.equal('SUBMITTED');
    r.tick({ A: 85 }, Date.UTC(2026, 0, 6, 22, 0));
    expect((await r.safe.getOrder(night.clientOrderId))?.status).to.equal('EXPIRED');
    expect(statuses(updates).filter(([, s]) => s !== 'SUBMITTED')).to.deep.equal([
      [day.clientOrderId, 'EXPIRED'], [gtc.clientOrderId, 'FILLED'], [night.clientOrderId, 'EXPIRED'],
    ]);
    expect(await r.safe.getPendingOrders()).to.deep.equal([]);
  });

  it('GTC orders never expire; a cancelled or filled order is not reported expired later', async () => {
    const r = await rig(shadow);
    const updates: Order[] = [];
    r.safe.onOrderUpdate((o) => updates.push(o));
    r.tick({ A: 100 });
    const gtc = await r.buy('A', 1, { limitPrice: 50, timeInForce: 'GTC' });
    const cancelled = await r.buy('A', 1, { limitPrice: 50, timeInForce: 'GTD', expireAt: T0 + 120_000 });
    const filled = await r.buy('A', 1, { limitPrice: 99 });
    await r.safe.cancelOrder(cancelled.clientOrderId);
    r.tick({ A: 98 }, T0 + 60_000);
    r.tick({ A: 98 }, T0 + 10 * 86_400_000);
    expect(statuses(updates).filter(([, s]) => s !== 'SUBMITTED')).to.deep.equal([[cancelled.clientOrderId, 'CANCELLED'], [filled.clientOrderId, 'FILLED']]);
    expect((await r.safe.getPendingOrders()).map((o) => o.clientOrderId)).to.deep.equal([gtc.clientOrderId]);
  });
});

describe('VirtualPortfolio.expire', () => {
  const limit = (id: string, extra: Partial<OrderIntent>): OrderIntent =>
    ({ clientOrderId: id, asset: 'A', side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 50, timeInForce: 'GTC', createdAt: T0, ...extra });

  it('ends each order at its own deadline, also after the earliest one was cancelled or filled', () => {
    const v = new VirtualPortfolio(10_000, undefined, undefined, new SessionCalendar('UTC', '09:30'));
    v.submit(limit('g1', { timeInForce: 'GTD', expireAt: T0 + 1_000 }), 100, T0);
    v.submit(limit('g2', { timeInForce: 'GTD', expireAt: T0 + 2_000 }), 100, T0);
    v.submit(limit('g3', { timeInForce: 'GTD', expireAt: T0 + 3_000, limitPrice: 90 }), 100, T0);
    v.submit(limit('d1', { timeInForce: 'DAY' }), 100, T0); // session 2026-01-05 (from 09:30 UTC)
    v.submit(limit('c1', {}), 100, T0);
    expect(v.cancel('g1', T0 + 10)).to.include({ status: 'CANCELLED' });
    expect(v.expire(T0 + 1_000)).to.deep.equal([]);
    expect(v.expire(T0 + 1_999)).to.deep.equal([]);
    expect(v.expire(T0 + 2_000).map((o) => [o.clientOrderId, o.status, o.updatedAt])).to.deep.equal([['g2', 'EXPIRED', T0 + 2_000]]);
    expect(v.onPrice('A', 89, T0 + 2_500).map((e) => e.order.clientOrderId)).to.deep.equal(['g3']); // price > the others' limit
    expect(v.expire(T0 + 3_000)).to.deep.equal([]);
    const nextSession = Date.UTC(2026, 0, 6, 9, 30);
    expect(v.expire(nextSession - 1)).to.deep.equal([]);
    expect(v.expire(nextSession).map((o) => o.clientOrderId)).to.deep.equal(['d1']);
    expect(v.pendingOrders().map((o) => o.clientOrderId)).to.deep.equal(['c1']);
    expect(v.toState().pending.map((o) => o.clientOrderId)).to.deep.equal(['c1']);
  });
});
