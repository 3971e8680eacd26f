import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HotFieldsReport } from './support/hot-fields-child.js';

/**
 * Objects written on every bar or fill keep their number fields unboxed, with core and risk
 * loaded. V8 stores a field's numbers unboxed only while that field has held nothing but numbers
 * in every object of its hidden class: a field declared without an initialiser starts as
 * `undefined`, and an object literal shares its hidden class with every literal of the same keys
 * (risk's zod schema of a shadow position has `Position`'s keys). A boxed field allocates a heap
 * number on every store, and a store into a long-lived object takes the write barrier's slow path.
 *
 * Read from a heap snapshot of a small child process: a field holding a boxed number is an edge to
 * a "heap number" node; an unboxed one is no edge at all. The control class's field is boxed on
 * purpose, so the check is seen to detect one. The child is `support/hot-fields-child.ts`.
 */

describe('hot objects keep number-only fields (no heap number per store)', () => {
  it('the clock, the paper broker, position records, the journal\'s order records and the risk gate\'s context hold no boxed number; a boxed field is detected', function () {
    this.timeout(60_000);
    const child = fileURLToPath(new URL('./support/hot-fields-child.js', import.meta.url));
    const r = spawnSync(process.execPath, [child], { encoding: 'utf8', maxBuffer: 1 << 20 });
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as HotFieldsReport;
    // the run did what the check needs: fills through journal and risk layer, values a boxed field would box (not small integers)
    expect(out.filled).to.equal(3);
    expect(out.records).to.be.greaterThan(0);
    expect(Number.isInteger(out.cash)).to.equal(false);
    expect(out.pos['avgEntryPrice']).to.equal(10.25);
    expect(out.pos['realizedPnl']).to.equal(1.5);
    expect(out.boxed).to.deep.equal({
      SimulatedClock: [], PaperBroker: [], PositionRecord: [], GateContext: [], 'journal order record': [], BoxedControl: ['v'],
    });
  });
});
