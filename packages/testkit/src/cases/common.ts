/** Helpers shared by the conformance cases. */
import { expect } from 'chai';
import { isTerminal, type Fill, type Order, type OrderIntent } from '@tradewire/core';
import type { CaseContext } from '../harness.js';
import { VenueLedger } from '../venue-ledger.js';
import { eventually } from '../eventually.js';

export type Get = () => CaseContext;

let seq = 0;
/** A clientOrderId as the engine makes them: unique, short, alphanumeric. */
export function nextClientOrderId(): string { return `tk${Date.now().toString(36)}${(++seq).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`; }

export function intent(c: CaseContext, p: Partial<OrderIntent> & Pick<OrderIntent, 'side' | 'quantity'>): OrderIntent {
  const orderType = p.orderType ?? (p.limitPrice !== undefined && p.stopPrice !== undefined ? 'STOP_LIMIT' : p.limitPrice !== undefined ? 'LIMIT' : p.stopPrice !== undefined ? 'STOP' : 'MARKET');
  return { clientOrderId: nextClientOrderId(), asset: c.h.asset, timeInForce: 'DAY', createdAt: Date.now(), ...p, orderType };
}

export async function ledger(c: CaseContext): Promise<VenueLedger> { return VenueLedger.from(await c.h.venue.ledger()); }

/** Waits until the adapter reports the order in a state `pred` accepts; returns it. */
export async function waitOrder(c: CaseContext, clientOrderId: string, pred: (o: Order) => boolean, what: string): Promise<Order> {
  return eventually(async () => {
    const o = await c.h.broker.getOrder(clientOrderId);
    expect(o, `order ${clientOrderId} known to the adapter`).to.not.equal(undefined);
    if (!o || !pred(o)) throw new Error(`order ${clientOrderId} not ${what} (status ${o?.status}, filled ${o?.filledQuantity})`);
    return o;
  }, c.waitMs);
}

export const filled = (o: Order): boolean => o.status === 'FILLED';
export const final = (o: Order): boolean => isTerminal(o.status);

export function fillsFor(c: CaseContext, clientOrderId: string): Fill[] { return c.fills.filter((f) => f.clientOrderId === clientOrderId); }

/** Waits until the fill events of an order cover `qty`. */
export async function waitFills(c: CaseContext, clientOrderId: string, qty: number): Promise<Fill[]> {
  return eventually(() => {
    const f = fillsFor(c, clientOrderId);
    const q = f.reduce((s, x) => s + x.quantity, 0);
    if (Math.abs(q - qty) > 1e-9) throw new Error(`fill events cover ${q} of ${qty}`);
    return f;
  }, c.waitMs);
}

/** Submits, waits for FILLED and for the fill events to cover the quantity; returns order and fills. */
export async function trade(c: CaseContext, p: Partial<OrderIntent> & Pick<OrderIntent, 'side' | 'quantity'>): Promise<{ order: Order; fills: Fill[]; intent: OrderIntent }> {
  const i = intent(c, p);
  await c.h.broker.submitOrder(i);
  const order = await waitOrder(c, i.clientOrderId, filled, 'FILLED');
  const fills = await waitFills(c, i.clientOrderId, i.quantity);
  return { order, fills, intent: i };
}

/** Cash effect of fills: −Σ signed notional − Σ commission. */
export function cashDelta(fills: readonly Fill[]): number {
  return fills.reduce((s, f) => s - (f.side === 'BUY' ? 1 : -1) * f.quantity * f.price - f.commission, 0);
}

export const close = (a: number, b: number, what: string, eps = 1e-6): void => {
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).to.be.lessThan(eps * Math.max(1, Math.abs(b)));
};

/** Each execution id appears once among the fill events, and matches the venue's executions. */
export function expectFillsMatchLedger(c: CaseContext, l: VenueLedger, clientOrderId: string): void {
  const events = fillsFor(c, clientOrderId);
  const ids = events.map((f) => f.executionId);
  expect(new Set(ids).size, 'fill events are unique by executionId').to.equal(ids.length);
  const venue = l.executionsFor(clientOrderId);
  expect([...ids].sort(), 'fill events = venue executions').to.deep.equal(venue.map((e) => e.executionId).sort());
  for (const f of events) {
    const v = venue.find((e) => e.executionId === f.executionId);
    close(f.quantity, v?.quantity ?? NaN, 'fill quantity');
    close(f.price, v?.price ?? NaN, 'fill price');
    close(f.commission, v?.commission ?? NaN, 'fill commission');
  }
}

export async function positionOf(c: CaseContext): Promise<number> { return (await c.h.broker.getPosition(c.h.asset))?.quantity ?? 0; }
