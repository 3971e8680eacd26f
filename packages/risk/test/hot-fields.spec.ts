import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Objects written on every bar or fill keep their number fields unboxed, with every package
 * loaded. V8 stores a field's numbers unboxed only while that field has held nothing but numbers
 * in every object of its hidden class: a field declared without an initialiser starts as
 * `undefined`, and an object literal shares its hidden class with every literal of the same keys
 * (risk's zod schema of a shadow position has `Position`'s keys). A boxed field allocates a heap
 * number on every store, and a store into a long-lived object takes the write barrier's slow path.
 *
 * Read from a heap snapshot of a small child process: a field holding a boxed number is an edge to
 * a "heap number" node; an unboxed one is no edge at all. The control class's field is boxed on
 * purpose, so the check is seen to detect one.
 */
const CHILD = `
import 'reflect-metadata';
import v8 from 'node:v8';
import { PaperBroker, PositionRecord, SimulatedClock, applyFillInPlace, markPosition, silentLogger } from '@tradewire/core';
import '@tradewire/risk';
class BoxedControl { v = undefined; }
const t0 = Date.UTC(2024, 0, 2, 14, 30);
const clock = new SimulatedClock(t0);
const paper = new PaperBroker({ initialCash: 100_000.5 }, clock, silentLogger);
await paper.connect();
for (let i = 1; i <= 3; i++) {
  clock.set(t0 + i * 60_000 + 0.5);
  const p = 100 + i * 0.37;
  paper.onMarketData(clock.now(), { X: { open: p, high: p, low: p, close: p, volume: 1e6 } }, {});
  await paper.submitOrder({ clientOrderId: 'c' + i, asset: 'X', side: i % 2 ? 'BUY' : 'SELL', quantity: 3, orderType: 'MARKET', timeInForce: 'DAY', createdAt: clock.now() });
}
const pos = new PositionRecord('Y', 10.25);
applyFillInPlace(pos, 3, 10.25);
applyFillInPlace(pos, -1, 11.75);
markPosition(pos, 11.5);
const control = new BoxedControl();
control.v = 1.25;
globalThis.keep = [clock, paper, pos, control];
const chunks = [];
for await (const c of v8.getHeapSnapshot()) chunks.push(c);
const s = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const nf = s.snapshot.meta.node_fields.length, ef = s.snapshot.meta.edge_fields.length;
const property = s.snapshot.meta.edge_types[0].indexOf('property');
const N = s.nodes, E = s.edges, str = s.strings;
const watch = new Set(['SimulatedClock', 'PaperBroker', 'PositionRecord', 'BoxedControl']);
const boxed = {};
let e = 0;
for (let i = 0; i < N.length; i += nf) {
  const name = str[N[i + 1]];
  const count = N[i + 4];
  if (watch.has(name)) boxed[name] ??= [];
  for (let k = 0; k < count; k++, e += ef) {
    if (!watch.has(name) || E[e] !== property) continue;
    const to = E[e + 2];
    if (str[N[to + 1]] === 'heap number') boxed[name].push(str[E[e + 1]]);
  }
}
process.stdout.write(JSON.stringify({ boxed, cash: await paper.getCash(), pos: { ...pos } }));
`;

describe('hot objects keep number-only fields (no heap number per store)', () => {
  it('the simulated clock, the paper broker and position records hold no boxed numbers; a boxed field is detected', function () {
    this.timeout(60_000);
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: fileURLToPath(new URL('../', import.meta.url)), encoding: 'utf8', maxBuffer: 1 << 20,
    });
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as { boxed: Record<string, string[]>; cash: number; pos: Record<string, number> };
    // the values are the kind a boxed field would box (not small integers)
    expect(Number.isInteger(out.cash)).to.equal(false);
    expect(out.pos['avgEntryPrice']).to.equal(10.25);
    expect(out.pos['realizedPnl']).to.equal(1.5);
    expect(out.boxed).to.deep.equal({ SimulatedClock: [], PaperBroker: [], PositionRecord: [], BoxedControl: ['v'] });
  });
});
