import { expect } from 'chai';
import fc from 'fast-check';
import type { Fill, Order, OrderIntent } from '@tradewire/core';
import { VirtualPortfolio } from '@tradewire/risk';
import { T0, expectRisk, rig } from './support/helpers.js';

const close = (a: number, b: number, tol = 1e-6): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

describe('VirtualPortfolio', () => {
  it('fills with bps slippage and per-share/percent/minimum commission', () => {
    const v = new VirtualPortfolio(10_000, { slippageBps: 10, commissionPerShare: 0.01, commissionPct: 0.1, minCommission: 1 });
    v.mark('A', 100);
    const b = v.execute('A', 'BUY', 10, 100);
    expect(b.price).to.be.closeTo(100.1, 1e-12);
    expect(b.commission).to.be.closeTo(Math.max(1, 0.1 + 0.001 * 1001), 1e-12);
    const s = v.execute('A', 'SELL', 1, 100);
    expect(s.price).to.be.closeTo(99.9, 1e-12);
    expect(s.commission).to.equal(1); // minimum
    expect(v.totalCommission).to.be.closeTo(b.commission + 1, 1e-12);
  });

  it('keeps a bounded history: the newest finished orders and fills, and every resting order whatever its age', () => {
    const v = new VirtualPortfolio(1e9, undefined, 10);
    const intent = (id: string, extra: Partial<OrderIntent> = {}): OrderIntent =>
      ({ clientOrderId: id, asset: 'A', side: 'BUY', quantity: 1, orderType: 'MARKET', timeInForce: 'DAY', createdAt: T0, ...extra });
    v.mark('A', 100);
    const resting = v.submit(intent('rest', { orderType: 'LIMIT', limitPrice: 50 }), 100, T0).order;
    expect(resting.status).to.equal('SUBMITTED');
    for (let i = 0; i < 50; i++) expect(v.submit(intent(`m${i}`), 100, T0 + i).execution).to.not.equal(undefined);
    const ids = v.orders().map((o) => o.clientOrderId);
    expect(ids.length).to.be.within(10, 11);
    expect(ids).to.include('rest');
    expect(ids).to.include('m49');
    expect(ids).to.not.include('m0');
    const fills = v.fills();
    expect(fills.length).to.be.within(10, 11);
    expect(fills[fills.length - 1]?.clientOrderId).to.equal('m49');
    expect(v.order('rest')?.status).to.equal('SUBMITTED');
    expect(v.onPrice('A', 49, T0 + 100)).to.have.length(1); // the old resting order still fills
    expect(v.order('rest')?.status).to.equal('FILLED');
    expect(v.position('A')?.quantity).to.equal(51);
  });

  it('weighted-average cost, partial close, flip, realized and unrealized P&L', () => {
    const v = new VirtualPortfolio(100_000);
    v.mark('A', 10);
    v.execute('A', 'BUY', 10, 10);
    v.execute('A', 'BUY', 10, 20);
    expect(v.position('A')).to.include({ quantity: 20, avgEntryPrice: 15 });
    v.execute('A', 'SELL', 5, 30); // partial close: realized 5 × 15
    expect(v.position('A')).to.include({ quantity: 15, avgEntryPrice: 15, realizedPnl: 75 });
    v.execute('A', 'SELL', 25, 40); // close 15 (+375) and flip to −10 at 40
    expect(v.position('A')).to.include({ quantity: -10, avgEntryPrice: 40, realizedPnl: 450 });
    v.mark('A', 35);
    expect(v.position('A')?.unrealizedPnl).to.equal(50);
    expect(v.accountValue).to.equal(100_000 + 450 + 50);
    v.execute('A', 'BUY', 10, 35);
    expect(v.position('A')).to.equal(undefined);
    expect(v.cash).to.equal(100_500);
  });

  const fillArb = fc.record({
    asset: fc.constantFrom('A', 'B', 'C'),
    buy: fc.boolean(),
    qty: fc.double({ min: 0.001, max: 500, noNaN: true }),
    price: fc.double({ min: 0.5, max: 2000, noNaN: true }),
  });
  const costArb = fc.record({
    slippageBps: fc.double({ min: 0, max: 50, noNaN: true }),
    commissionPerShare: fc.double({ min: 0, max: 0.05, noNaN: true }),
    commissionPct: fc.double({ min: 0, max: 0.5, noNaN: true }),
    minCommission: fc.double({ min: 0, max: 5, noNaN: true }),
  });

  it('property: cash + marked positions = initial + realized + unrealized − commission, over random fills with flips and partial closes', () => {
    fc.assert(fc.property(costArb, fc.array(fillArb, { minLength: 1, maxLength: 60 }), (costs, fills) => {
      const v = new VirtualPortfolio(1_000_000, costs);
      for (const f of fills) {
        v.mark(f.asset, f.price);
        v.execute(f.asset, f.buy ? 'BUY' : 'SELL', f.qty, f.price);
        const expected = 1_000_000 + v.realizedPnl + v.unrealizedPnl - v.totalCommission;
        if (!close(v.accountValue, expected)) return false;
        let marked = v.cash;
        for (const p of v.positions()) marked += p.quantity * p.currentPrice;
        if (!close(marked, v.accountValue)) return false;
      }
      return true;
    }), { numRuns: 300, seed: 42 });
  });

  it('property: without costs a fill at the mark leaves account value unchanged; with costs it drops by exactly slippage + commission', () => {
    fc.assert(fc.property(costArb, fc.array(fillArb, { minLength: 1, maxLength: 60 }), (costs, fills) => {
      const free = new VirtualPortfolio(1_000_000);
      const paid = new VirtualPortfolio(1_000_000, costs);
      for (const f of fills) {
        free.mark(f.asset, f.price); paid.mark(f.asset, f.price);
        const before = free.accountValue;
        free.execute(f.asset, f.buy ? 'BUY' : 'SELL', f.qty, f.price);
        if (!close(free.accountValue, before)) return false;
        const pb = paid.accountValue;
        const ex = paid.execute(f.asset, f.buy ? 'BUY' : 'SELL', f.qty, f.price);
        if (!close(pb - paid.accountValue, ex.commission + f.qty * Math.abs(ex.price - f.price))) return false;
      }
      return true;
    }), { numRuns: 300, seed: 7 });
  });
});

describe('shadow mode', () => {
  const shadow = { shadowMode: true, shadow: { initialCash: 50_000, slippageBps: 10, commissionPerShare: 0.01, minCommission: 1 } } as const;

  it('orders never reach the inner broker; the strategy sees virtual fills, positions and cash', async () => {
    const r = await rig(shadow);
    const fills: Fill[] = [];
    const updates: Order[] = [];
    r.safe.onFill((f) => fills.push(f));
    r.safe.onOrderUpdate((o) => updates.push(o));
    r.tick({ A: 100 });
    const o = await r.buy('A', 10);
    expect(o.status).to.equal('FILLED');
    expect(r.inner.ledger).to.have.length(0);
    expect(r.inner.connected).to.equal(false); // F37: no request to the venue at all
    expect(fills).to.have.length(1);
    expect(fills[0]?.price).to.be.closeTo(100.1, 1e-9);
    expect(updates.map((u) => u.status)).to.deep.equal(['FILLED']);
    expect(await r.safe.getPosition('A')).to.include({ quantity: 10 });
    expect(await r.safe.getCash()).to.be.closeTo(50_000 - 1001 - 1, 1e-9);
    r.tick({ A: 110 }, T0 + 60_000);
    expect(await r.safe.getAccountValue()).to.be.closeTo(50_000 - 1001 - 1 + 1100, 1e-9);
    expect((await r.safe.getPositions())[0]?.unrealizedPnl).to.be.closeTo(10 * (110 - 100.1), 1e-9);
  });

  it('no infinite re-buy: "buy when flat" over many bars makes one order', async () => {
    const r = await rig(shadow);
    let view = 0; // the engine's account view, kept from fill events
    r.safe.onFill((f) => { view += f.side === 'BUY' ? f.quantity : -f.quantity; });
    for (let i = 0; i < 50; i++) {
      r.tick({ A: 100 + i }, T0 + i * 60_000);
      const pos = (await r.safe.getPosition('A'))?.quantity ?? 0;
      if (pos === 0 && view === 0) await r.buy('A', 10);
    }
    expect(r.safe.virtual?.fills()).to.have.length(1);
    expect(view).to.equal(10);
    expect(r.inner.ledger).to.have.length(0);
  });

  it('limit orders rest, fill when a later price reaches them, and can be cancelled', async () => {
    const r = await rig(shadow);
    const updates: Order[] = [];
    r.safe.onOrderUpdate((o) => updates.push(o));
    r.tick({ A: 100 });
    const a = await r.buy('A', 5, { limitPrice: 95 });
    const b = await r.buy('A', 5, { limitPrice: 90 });
    expect([a.status, b.status]).to.deep.equal(['SUBMITTED', 'SUBMITTED']);
    expect(await r.safe.getPendingOrders()).to.have.length(2);
    r.tick({ A: 94 }, T0 + 60_000);
    expect((await r.safe.getOrder(a.clientOrderId))?.status).to.equal('FILLED');
    expect(await r.safe.cancelOrder(b.clientOrderId)).to.equal(true);
    expect(updates.map((u) => u.status)).to.deep.equal(['SUBMITTED', 'SUBMITTED', 'FILLED', 'CANCELLED']);
    expect(await r.safe.getPendingOrders()).to.have.length(0);
  });

  it('policies and breakers apply to the virtual account', async () => {
    const r = await rig({ ...shadow, maxPositionShares: 15, maxDrawdownPct: 20 });
    r.tick({ A: 100 });
    await r.buy('A', 10);
    await expectRisk(r.buy('A', 6), 'RISK_MAX_POSITION_SHARES');
    await r.buy('A', 5);
    r.tick({ A: 1 }, T0 + 60_000); // loses ~1500 of ~50 000: 3%
    expect(r.safe.tradingState).to.equal('ACTIVE');
    const big = await rig({ ...shadow, maxDrawdownPct: 20 });
    big.tick({ A: 100 });
    await big.buy('A', 400);
    big.tick({ A: 70 }, T0 + 60_000); // −12 000 on ~50 000 → 24%
    expect(big.safe.tradingState).to.equal('HALTED');
    const closed = await big.safe.closeAllPositions();
    expect(closed).to.have.length(1);
    expect(await big.safe.getPositions()).to.deep.equal([]);
    expect(big.inner.ledger).to.have.length(0);
  });

  it('a reduce-only order that would flip or open a virtual position is rejected, as a venue would; an exact or partial reduction fills', async () => {
    const r = await rig(shadow);
    r.tick({ A: 100, B: 50 });
    await r.buy('A', 10);
    const flip = await r.sell('A', 15, { reduceOnly: true });
    expect(flip.status).to.equal('REJECTED');
    expect(flip.rejectionReason).to.match(/reduce-only/);
    const open = await r.sell('B', 1, { reduceOnly: true });
    expect(open.status).to.equal('REJECTED');
    expect(await r.safe.getPosition('A')).to.include({ quantity: 10 });
    expect((await r.sell('A', 4, { reduceOnly: true })).status).to.equal('FILLED');
    expect((await r.sell('A', 6, { reduceOnly: true })).status).to.equal('FILLED');
    expect(await r.safe.getPositions()).to.deep.equal([]);
  });

  it('closing orders sent in the same millisecond never share a clientOrderId (closePosition and closeAllPositions)', async () => {
    const r = await rig(shadow);
    r.tick({ A: 100, B: 50 });
    await r.buy('A', 10);
    const first = await r.safe.closePosition('A');
    await r.buy('A', 7); // same clock time
    const second = await r.safe.closePosition('A');
    expect(first?.status).to.equal('FILLED');
    expect(second?.status).to.equal('FILLED');
    expect(second?.clientOrderId).to.not.equal(first?.clientOrderId);
    expect((await r.safe.getOrder(first?.clientOrderId ?? ''))?.quantity).to.equal(10); // not overwritten by the second
    expect((await r.safe.getOrder(second?.clientOrderId ?? ''))?.quantity).to.equal(7);
    await r.buy('A', 3);
    await r.buy('B', 2);
    const all = await r.safe.closeAllPositions();
    await r.buy('A', 1);
    const again = await r.safe.closeAllPositions();
    const ids = [first, second, ...all, ...again].map((o) => o?.clientOrderId);
    expect(ids).to.have.length(5);
    expect(new Set(ids).size).to.equal(5);
    const closes = (r.safe.virtual?.orders() ?? []).filter((o) => o.reduceOnly === true);
    expect(closes.map((o) => o.quantity)).to.deep.equal([10, 7, 3, 2, 1]);
    expect(await r.safe.getPositions()).to.deep.equal([]);
  });
});
