import { expect } from 'chai';
import { eventually, FakeClock, findSecrets, MemoryLogger, secretCanary, VenueLedger } from '@tradewire/testkit';

describe('testkit helpers', () => {
  it('VenueLedger books executions once: position, cash, order state', () => {
    const l = new VenueLedger(1_000);
    l.orders.set('a', { clientOrderId: 'a', venueOrderId: '1', asset: 'X', side: 'BUY', quantity: 3, filledQuantity: 0, state: 'open' });
    l.book({ executionId: 'e1', clientOrderId: 'a', asset: 'X', side: 'BUY', quantity: 1, price: 10, commission: 0.5 });
    expect(l.order('a')?.state).to.equal('open');
    l.book({ executionId: 'e2', clientOrderId: 'a', asset: 'X', side: 'BUY', quantity: 2, price: 11, commission: 0.5 });
    expect(l.order('a')?.state).to.equal('filled');
    expect(l.position('X')).to.equal(3);
    expect(l.cash).to.equal(1_000 - 10 - 22 - 1);
    expect(() => l.book({ executionId: 'e1', clientOrderId: 'a', asset: 'X', side: 'SELL', quantity: 1, price: 1, commission: 0 })).to.throw('booked twice');
    const copy = VenueLedger.from(l.snapshot());
    expect(copy.executionsFor('a').map((e) => e.executionId)).to.deep.equal(['e1', 'e2']);
    expect(copy.openOrders()).to.have.length(0);
  });

  it('secret canary finds a leak in logs, nested error causes and events, and nothing in clean sources', () => {
    const c = secretCanary();
    expect(c.value).to.match(/^twcanary_[0-9a-f]{24}$/);
    const logger = new MemoryLogger();
    logger.info('connecting', { url: 'wss://x' });
    expect(c.findLeaks({ logs: logger.entries, events: [{ a: 1 }] })).to.deep.equal([]);
    const err = new Error('outer', { cause: new Error(`inner ${c.value}`) });
    expect(c.findLeaks({ errors: [err], events: [{ nested: { deep: [c.value] } }], logs: ['fine'] })).to.deep.equal(['errors', 'events']);
    expect(findSecrets(['abc'], { short: 'abc' }), 'secrets under 4 chars are ignored').to.deep.equal([]);
  });

  it('eventually retries until the check passes, then rethrows the last failure on timeout', async () => {
    let n = 0;
    expect(await eventually(() => { if (++n < 3) throw new Error('not yet'); return n; }, 1000, 1)).to.equal(3);
    const err = await eventually(() => { throw new Error('never'); }, 30, 5).then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).to.equal('never');
  });

  it('FakeClock is core SimulatedClock: timers fire only when time is advanced', () => {
    const clock = new FakeClock(0);
    let fired = 0;
    clock.setTimeout(() => { fired++; }, 50);
    clock.advance(49);
    expect(fired).to.equal(0);
    clock.advance(1);
    expect(fired).to.equal(1);
  });
});
