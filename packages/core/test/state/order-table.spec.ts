// The journal's orders in memory (`OrderTable`): ring slots for generated ids, a map for the rest.
import { expect } from 'chai';
import { OrderTable, type OrderKey } from '../../dist/state/order-table.js';

const order = (key: OrderKey, tag = ''): { key: OrderKey; tag: string } => ({ key, tag });

describe('journal orders in memory (order-table)', () => {
  it('keys sharing a ring slot (65,536 apart) and string keys are all kept apart; a delete removes only its own', () => {
    const t = new OrderTable<{ key: OrderKey; tag: string }>();
    const a = order(7); const b = order(7 + 65_536); const c = order(7 + 2 * 65_536); const s = order('user-7');
    for (const o of [a, b, c, s]) t.set(o.key, o);
    expect([t.get(7), t.get(7 + 65_536), t.get(7 + 2 * 65_536), t.get('user-7')]).to.deep.equal([a, b, c, s]);
    expect(t.get(8)).to.equal(undefined);
    expect(t.get('7')).to.equal(undefined);
    t.delete(7); // the slot's holder
    expect([t.has(7), t.get(7 + 65_536), t.get(7 + 2 * 65_536)]).to.deep.equal([false, b, c]);
    t.delete(7 + 2 * 65_536); // a spilled one
    expect([t.has(7 + 2 * 65_536), t.get(7 + 65_536)]).to.deep.equal([false, b]);
    t.delete(999); // absent: nothing happens
    expect(t.get('user-7')).to.equal(s);
  });

  it('an order spilled while its slot was taken, set again once the slot is free, exists once (a delete leaves nothing behind)', () => {
    const t = new OrderTable<{ key: OrderKey; tag: string }>();
    t.set(3, order(3, 'holder'));
    t.set(3 + 65_536, order(3 + 65_536, 'old'));
    t.delete(3);
    const fresh = order(3 + 65_536, 'new');
    t.set(3 + 65_536, fresh);
    expect(t.get(3 + 65_536)).to.equal(fresh);
    t.delete(3 + 65_536);
    expect(t.get(3 + 65_536)).to.equal(undefined);
  });

  it('set replaces the order under the same key', () => {
    const t = new OrderTable<{ key: OrderKey; tag: string }>();
    t.set(1, order(1, 'a'));
    t.set(1, order(1, 'b'));
    expect(t.get(1)!.tag).to.equal('b');
    t.set('x', order('x', 'a'));
    t.set('x', order('x', 'b'));
    expect(t.get('x')!.tag).to.equal('b');
  });
});
