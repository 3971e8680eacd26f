// The journal writer's native path: a batch's rows bound as one blob and read by the `tw_rows`
// SQLite extension, against the JavaScript path that binds them value by value.
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { SimulatedClock, createStateLayer, silentLogger } from '../../dist/index.js';
import { rowsExtensionBuilt } from '../../dist/state/native-rows.js';
import { ByteWriter } from '../../dist/state/byte-writer.js';
import { applyBatch, prepareBatchStatements, type BatchStatements, type PostedBatch } from '../../dist/state/write-behind-sql.js';
import { tempDir } from './helpers.js';

/** A fresh state database (schema only), copied to `copies` files. */
function freshDatabases(copies: number): string[] {
  const dir = tempDir();
  const layer = createStateLayer({ stateDir: join(dir, 's'), durability: 'batch', clock: new SimulatedClock(0), logger: silentLogger });
  layer.close();
  const files = Array.from({ length: copies }, (_, i) => join(dir, `copy${i}.db`));
  for (const f of files) copyFileSync(join(dir, 's', 'state.db'), f);
  return files;
}

function statements(db: Database.Database, native: boolean): BatchStatements {
  const before = process.env['TRADEWIRE_NATIVE_ROWS'];
  process.env['TRADEWIRE_NATIVE_ROWS'] = native ? '1' : '0';
  try { return prepareBatchStatements(db); } finally {
    if (before === undefined) delete process.env['TRADEWIRE_NATIVE_ROWS'];
    else process.env['TRADEWIRE_NATIVE_ROWS'] = before;
  }
}

const LONG = 'x'.repeat(300); // ≥ 256 characters: written as UTF-8 with a 4-byte length, not as short ASCII

/** Orders `from` … `to - 1`, in `status`; every kind of value the writer posts. */
function batch(id: number, from: number, to: number, status: string): PostedBatch {
  const o = new ByteWriter(); const f = new ByteWriter(); const r = new ByteWriter(); const p = new ByteWriter();
  for (let k = from; k < to; k++) {
    const cid = `twnative${k.toString(36)}`;
    const side = k % 3 === 0 ? 'SELL' : 'BUY';
    const tag = k % 5 === 0 ? null : k % 5 === 1 ? 'momentum-é' : k % 5 === 2 ? LONG : 'plain';
    const t = 1.7e12 + k * 60_000;
    // the columns of `WRITE_BEHIND_SQL.upsertOrder`
    o.str(cid); o.col(1, k < 40 ? 'AAPL' : 'MSFT'); o.col(2, side); o.num(k + 0.5); o.col(4, k % 2 ? 'LIMIT' : 'MARKET');
    o.value(k === 17 ? Number.NaN : k % 2 ? 100 + k / 7 : null); o.value(null); o.col(7, 'DAY'); o.value(k % 7 === 0 ? t + 1 : null); o.col(9, tag); o.num(k % 4 === 0 ? 1 : 0); o.num(t);
    o.str(status === 'FILLED' ? `V-${k}` : ''); o.col(13, status); o.num(status === 'FILLED' ? k + 0.5 : 0); o.num(status === 'FILLED' ? 100 + k / 3 : 0); o.num(t + 5); o.value(t + 1);
    o.value(status === 'FILLED' ? t + 2 : null); o.value(k === 13 ? 'rejected: "quoted" ✓' : null); o.num(0); o.num(0);
    if (status === 'FILLED') {
      // the columns of `WRITE_BEHIND_SQL.insertFill`
      f.str(`E-${k}`); f.str(`V-${k}`); f.str(cid); f.col(3, k < 40 ? 'AAPL' : 'MSFT'); f.col(4, side); f.num(k + 0.5); f.num(100 + k / 3);
      f.num(k === 3 ? -0 : 0.01 * k); f.num(t + 2); f.num(k + 0.5); f.col(10, 'stream'); f.num(t + 3);
    }
    r.num(t); r.str(cid); r.col(2, status === 'FILLED' ? 'FILL' : 'INTENT'); r.col(3, status); r.value(k % 6 === 0 ? '{"why":"note"}' : null);
  }
  p.str('AAPL'); p.num(from); p.num(101.25); p.num(-3.5); p.num(102); p.num(1.7e12 + id);
  p.str('MSFT'); p.num(-from); p.num(99); p.num(0); p.num(98.5); p.num(1.7e12 + id);
  return { id, orders: o.take(), fills: f.take(), positions: p.take(), rows: r.take(), logSeq: id * 10 };
}

const dump = (db: Database.Database): unknown => ({
  orders: db.prepare('SELECT *, typeof(quantity) AS tq, typeof(created_at) AS tc FROM orders ORDER BY rowid').all(),
  fills: db.prepare('SELECT *, typeof(commission) AS tc FROM fills ORDER BY rowid').all(),
  positions: db.prepare('SELECT * FROM positions ORDER BY asset').all(),
  journal: db.prepare('SELECT * FROM journal ORDER BY seq').all(),
  seq: db.prepare(`SELECT value FROM counters WHERE name = 'journal_log_seq'`).get(),
});

describe('journal writer: native rows (tw_rows extension) against rows bound from JavaScript', () => {
  it('core\'s native parts are built on this platform (scripts/build-native.mjs ran at install): a build that failed quietly fails here', function () {
    // not built on Windows, nor when the install was told not to: core then works in JavaScript
    if (process.platform === 'win32' || process.env['TRADEWIRE_SKIP_NATIVE'] === '1') this.skip();
    const hint = 'run `node packages/core/scripts/build-native.mjs` and read its warning';
    expect(rowsExtensionBuilt(), `packages/core/native/build/tw_rows.so missing: ${hint}`).to.equal(true);
    expect(existsSync(fileURLToPath(new URL('../../native/build/tw_mmap.node', import.meta.url))), `packages/core/native/build/tw_mmap.node missing: ${hint}`).to.equal(true);
  });

  it('writes the same orders, fills, positions, journal rows and log seq, with the same SQLite types', function () {
    if (!rowsExtensionBuilt()) this.skip();
    const [a, b] = freshDatabases(2).map((f) => new Database(f));
    const native = statements(a!, true);
    const js = statements(b!, false);
    expect([native.native, js.native]).to.deep.equal([true, false]);
    // 75 new orders (two full 32-row statements and 11 single rows on the JavaScript path), then 60 of them filled (upserts), a duplicate fill
    const batches = [batch(1, 0, 75, 'SUBMITTED'), batch(2, 0, 60, 'FILLED'), batch(3, 59, 61, 'FILLED')];
    for (const [db, st] of [[a!, native], [b!, js]] as const) {
      for (const x of batches) db.transaction(() => applyBatch(st, x)).immediate();
    }
    const got = dump(a!);
    expect(got).to.deep.equal(dump(b!));
    const o = got as { orders: { tag: string | null; limit_price: number | null }[]; fills: unknown[] };
    expect(o.orders).to.have.length(75);
    expect(o.fills).to.have.length(61); // E-59 once
    expect(o.orders.filter((x) => x.tag === LONG)).to.have.length(15);
    expect(o.orders[17]!.limit_price).to.equal(null); // NaN is written as NULL, as JSON would
    a!.close(); b!.close();
  });

  it('fails the statement on malformed rows (no partial batch): unknown tag, truncated row, repeat without a row before, a JSON value', function () {
    if (!rowsExtensionBuilt()) this.skip();
    const [file] = freshDatabases(1);
    const db = new Database(file!);
    const st = statements(db, true);
    const good = batch(1, 0, 3, 'SUBMITTED');
    const bad = (orders: Uint8Array): PostedBatch => ({ ...good, orders });
    const w = new ByteWriter();
    w.num(1); w.num(2); w.num(3);
    const twoValues = w.take(); // a 22-value row cut short
    w.json({ a: 1 }); for (let i = 1; i < 22; i++) w.num(i);
    const json = w.take();
    for (const [orders, message] of [[new Uint8Array([9]), /bad value tag/], [twoValues, /incomplete row/], [new Uint8Array([5]), /without a row before/], [json, /JSON value/]] as const) {
      expect(() => db.transaction(() => applyBatch(st, bad(orders))).immediate()).to.throw(message);
    }
    expect(db.prepare('SELECT COUNT(*) AS n FROM journal').get()).to.deep.equal({ n: 0 }); // rolled back with the failed orders
    db.close();
  });
});
