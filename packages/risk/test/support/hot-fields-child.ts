/**
 * Child process of `hot-fields.spec.ts`: runs the paper broker behind the journal and the risk
 * layer, then reads a heap snapshot of itself and reports, per watched class, the fields that
 * hold a boxed number (an edge to a "heap number" node; an unboxed field is no edge). Prints one
 * JSON line (`HotFieldsReport`).
 */
import 'reflect-metadata';
import v8 from 'node:v8';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PaperBroker, PositionRecord, SimulatedClock, applyFillInPlace, createStateLayer, markPosition, silentLogger } from '@tradewire/core';
import { SafeBroker, parseRiskConfig } from '@tradewire/risk';

/** What the child prints. */
export interface HotFieldsReport {
  boxed: Record<string, string[]>;
  /** journal order records seen in the snapshot */
  records: number;
  cash: number;
  pos: Record<string, number>;
  /** orders the journal holds as FILLED */
  filled: number;
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** boxed on purpose: its field starts as `undefined` */
class BoxedControl { v: number | undefined = undefined; }
const t0 = Date.UTC(2024, 0, 2, 14, 30);
const clock = new SimulatedClock(t0);
const paper = new PaperBroker({ initialCash: 100_000.5 }, clock, silentLogger);
// paper broker ← journal (its order records) ← risk layer (its gate context, its positions); the last order, a buy limit below the market, rests
const dir = mkdtempSync(join(tmpdir(), 'tw-hot-'));
const layer = createStateLayer({ stateDir: join(dir, 'state'), durability: 'batch', clock, logger: silentLogger });
const config = parseRiskConfig({ maxOrderValue: 1e6, maxPriceDeviationPct: 50, maxDataStalenessSeconds: 1e6 });
const safe = new SafeBroker(layer.wrapBroker(paper), { config, clock, logger: silentLogger, kv: layer.kv });
await safe.connect();
for (let i = 1; i <= 4; i++) {
  clock.set(t0 + i * 60_000 + 0.5);
  const p = 100 + i * 0.37;
  safe.onMarketData(clock.now(), { X: { open: p, high: p, low: p, close: p, volume: 1e6 } }, {});
  const limit = i === 4 ? { orderType: 'LIMIT' as const, limitPrice: p - 0.13 } : { orderType: 'MARKET' as const };
  await safe.submitOrder({ clientOrderId: 'c' + i, asset: 'X', side: i % 2 || i === 4 ? 'BUY' : 'SELL', quantity: 3, ...limit, timeInForce: 'DAY', createdAt: clock.now() });
}
const pos = new PositionRecord('Y', 10.25);
applyFillInPlace(pos, 3, 10.25);
applyFillInPlace(pos, -1, 11.75);
markPosition(pos, 11.5);
const control = new BoxedControl();
control.v = 1.25;
const filled = layer.journal.orders(['FILLED']).length; // before the snapshot (it brings SQLite up to date)
(globalThis as { keep?: unknown }).keep = [clock, paper, safe, pos, control];
const chunks: Buffer[] = [];
for await (const c of v8.getHeapSnapshot()) chunks.push(c as Buffer);
const s = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Snapshot;
const nf = s.snapshot.meta.node_fields.length, ef = s.snapshot.meta.edge_fields.length;
const property = s.snapshot.meta.edge_types[0].indexOf('property');
const N = s.nodes, E = s.edges;
const at = (a: number[], i: number): number => a[i] as number;
const text = (i: number): string => s.strings[i] ?? '';
const watch = new Set(['SimulatedClock', 'PaperBroker', 'PositionRecord', 'GateContext', 'BoxedControl']);
const boxed: Record<string, string[]> = {};
let records = 0;
let e = 0;
for (let i = 0; i < N.length; i += nf) {
  let name = text(at(N, i + 1));
  const count = at(N, i + 4);
  // the journal's order records are plain objects: known by their 'tif' field (a string: Smi fields are no edges)
  if (name === 'Object') {
    for (let k = 0, x = e; k < count; k++, x += ef) {
      if (at(E, x) === property && text(at(E, x + 1)) === 'tif') { name = 'journal order record'; records++; break; }
    }
  }
  const list = watch.has(name) || name === 'journal order record' ? (boxed[name] ??= []) : undefined;
  for (let k = 0; k < count; k++, e += ef) {
    if (list === undefined || at(E, e) !== property) continue;
    const field = text(at(E, e + 1));
    if (text(at(N, at(E, e + 2) + 1)) === 'heap number' && !list.includes(field)) list.push(field);
  }
}
const out: HotFieldsReport = { boxed, records, cash: await paper.getCash(), pos: { quantity: pos.quantity, avgEntryPrice: pos.avgEntryPrice, realizedPnl: pos.realizedPnl }, filled };
await safe.disconnect();
layer.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify(out));
