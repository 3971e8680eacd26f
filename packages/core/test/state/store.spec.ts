import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  StateStore, SqliteKeyValueStore, SCHEMA_VERSION, LOCK_FILE, STATE_DB_FILE, createStateLayer, isTradingError, SimulatedClock,
} from '@tradewire/core';
import { cleanupTempDirs, tempDir } from './helpers.js';

function codeOf(fn: () => unknown): { code: string; message: string; details: Record<string, unknown> } {
  try { fn(); } catch (err) {
    if (isTradingError(err)) return { code: err.code, message: err.message, details: err.details };
    throw err;
  }
  throw new Error('expected a throw');
}

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('state store', () => {
  afterEach(cleanupTempDirs);

  it('creates a WAL database with the current schema version and a namespace', () => {
    const dir = join(tempDir(), 'nested', 'state');
    const s = StateStore.open({ stateDir: dir });
    expect(s.db.pragma('journal_mode', { simple: true })).to.equal('wal');
    expect(s.db.pragma('synchronous', { simple: true })).to.equal(1); // NORMAL
    expect((s.db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number }).v).to.equal(SCHEMA_VERSION);
    expect(s.namespace).to.match(/^[A-Za-z0-9]{8}$/);
    const ns = s.namespace;
    s.close();
    const again = StateStore.open({ stateDir: dir });
    expect(again.namespace).to.equal(ns);
    again.close();
  });

  it("durability 'power' uses synchronous=FULL", () => {
    const s = StateStore.open({ stateDir: tempDir(), durability: 'power' });
    expect(s.db.pragma('synchronous', { simple: true })).to.equal(2);
    s.close();
  });

  it('F08: a second engine on the same state dir is refused and told the holder pid', () => {
    const dir = tempDir();
    const a = StateStore.open({ stateDir: dir });
    const e = codeOf(() => StateStore.open({ stateDir: dir }));
    expect(e.code).to.equal('STATE_LOCKED');
    expect(e.message).to.contain(`pid ${process.pid}`);
    expect(e.details['pid']).to.equal(process.pid);
    a.close();
    expect(existsSync(join(dir, LOCK_FILE))).to.equal(false);
    StateStore.open({ stateDir: dir }).close();
  });

  it('F08: a lock held by another live process names it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: 1 }));
    const e = codeOf(() => StateStore.open({ stateDir: dir }));
    expect(e.code).to.equal('STATE_LOCKED');
    expect(e.message).to.contain(`pid ${process.ppid}`);
  });

  it('a stale lock (dead pid) is broken only with the explicit flag', () => {
    const dir = tempDir();
    const pid = deadPid();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), startedAt: 1 }));
    const e = codeOf(() => StateStore.open({ stateDir: dir }));
    expect(e.code).to.equal('STATE_LOCK_STALE');
    expect(e.message).to.contain(`pid ${pid}`);
    const s = StateStore.open({ stateDir: dir, breakStaleLock: true });
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).to.equal(process.pid);
    s.close();
  });

  it('refuses a newer schema with a clear error and leaves the file alone', () => {
    const dir = tempDir();
    StateStore.open({ stateDir: dir }).close();
    const db = new Database(join(dir, STATE_DB_FILE));
    db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 5, 'future', 0);
    db.close();
    const e = codeOf(() => StateStore.open({ stateDir: dir }));
    expect(e.code).to.equal('STATE_SCHEMA_TOO_NEW');
    expect(e.message).to.contain(`schema version ${SCHEMA_VERSION + 5}`);
    expect(existsSync(join(dir, STATE_DB_FILE))).to.equal(true);
    expect(existsSync(join(dir, LOCK_FILE))).to.equal(false); // lock released on failure
  });

  it('F04: a corrupt state file → STATE_CORRUPT naming the file; moved aside with a timestamp, never overwritten', () => {
    const dir = tempDir();
    const file = join(dir, STATE_DB_FILE);
    const garbage = Buffer.from('{"killSwitch":tr' + 'x'.repeat(5000));
    writeFileSync(file, garbage);
    const e = codeOf(() => StateStore.open({ stateDir: dir }));
    expect(e.code).to.equal('STATE_CORRUPT');
    expect(e.message).to.contain(file);
    const aside = readdirSync(dir).filter((f) => f.startsWith(`${STATE_DB_FILE}.corrupt-`));
    expect(aside).to.have.length(1);
    expect(e.details['movedTo']).to.equal(join(dir, aside[0]!));
    expect(readFileSync(join(dir, aside[0]!)).equals(garbage)).to.equal(true);
  });

  it('F04: a damaged page inside a valid database is detected too', () => {
    const dir = tempDir();
    const s = StateStore.open({ stateDir: dir });
    const kv = new SqliteKeyValueStore(s);
    for (let i = 0; i < 300; i++) kv.set(`k${i}`, { i, pad: 'y'.repeat(200) });
    s.db.pragma('wal_checkpoint(TRUNCATE)');
    s.close();
    const file = join(dir, STATE_DB_FILE);
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 4096 * 2, 4096 * 6); // clobber pages 3..6
    writeFileSync(file, bytes);
    const e = codeOf(() => StateStore.open({ stateDir: dir }));
    expect(e.code).to.equal('STATE_CORRUPT');
    expect(existsSync(file)).to.equal(false);
  });

  it('F04: createStateLayer over a corrupt file starts HALTED (persisted marker), not fresh', () => {
    const dir = tempDir();
    writeFileSync(join(dir, STATE_DB_FILE), 'not a database at all, definitely not'.repeat(200));
    const layer = createStateLayer({ stateDir: dir });
    expect(layer.startupError?.code).to.equal('STATE_CORRUPT');
    expect(layer.store.halt()?.code).to.equal('STATE_CORRUPT');
    layer.close();
    const again = createStateLayer({ stateDir: dir });
    expect(again.startupError).to.equal(undefined);
    expect(again.store.halt()?.code).to.equal('STATE_CORRUPT'); // survives restart until an operator clears it
    again.store.clearHalt('test', 'rebuilt from broker');
    expect(again.store.halt()).to.equal(undefined);
    again.close();
  });

  it('kv: values round-trip across reopen; an unreadable value throws StateError', () => {
    const dir = tempDir();
    let s = StateStore.open({ stateDir: dir });
    let kv = new SqliteKeyValueStore(s);
    kv.set('risk.killSwitch', { engaged: true, by: 'op' });
    kv.set('risk.dailyLoss', -1234.5);
    kv.set('other', 1);
    s.close();
    s = StateStore.open({ stateDir: dir });
    kv = new SqliteKeyValueStore(s);
    expect(kv.get('risk.killSwitch')).to.deep.equal({ engaged: true, by: 'op' });
    expect(kv.get('risk.dailyLoss')).to.equal(-1234.5);
    expect(kv.keys('risk.')).to.deep.equal(['risk.dailyLoss', 'risk.killSwitch']);
    kv.delete('other');
    expect(kv.get('other')).to.equal(undefined);
    s.db.prepare(`UPDATE kv SET value = '{"engaged":tr' WHERE key = 'risk.killSwitch'`).run();
    const e = codeOf(() => kv.get('risk.killSwitch'));
    expect(e.code).to.equal('STATE_CORRUPT');
    expect(e.message).to.contain('risk.killSwitch');
    expect(e.message).to.contain(s.file);
    s.db.prepare(`UPDATE kv SET value = '{"engaged":false}' WHERE key = 'risk.killSwitch'`).run(); // valid JSON, wrong checksum
    expect(codeOf(() => kv.get('risk.killSwitch')).code).to.equal('STATE_CORRUPT');
    expect(codeOf(() => s.verify()).code).to.equal('STATE_CORRUPT');
    s.close();
  });

  it('checkpoints: newest wins, checksummed, only the last 10 kept', () => {
    const clock = new SimulatedClock(5_000);
    const s = StateStore.open({ stateDir: tempDir(), clock });
    for (let i = 0; i < 12; i++) { clock.advance(1000); s.writeCheckpoint({ account: { cash: i }, strategy: { n: i } }); }
    const c = s.lastCheckpoint();
    expect(c?.account).to.deep.equal({ cash: 11 });
    expect(c?.strategy).to.deep.equal({ n: 11 });
    expect(c?.timestamp).to.equal(17_000);
    expect((s.db.prepare('SELECT COUNT(*) AS n FROM checkpoints').get() as { n: number }).n).to.equal(10);
    s.db.prepare(`UPDATE checkpoints SET strategy = '{"n":99}' WHERE id = ?`).run(c?.id);
    expect(codeOf(() => s.lastCheckpoint()).code).to.equal('STATE_CORRUPT');
    s.close();
  });

  it('the event log is append-only', () => {
    const s = StateStore.open({ stateDir: tempDir() });
    const seq = s.appendEvent('test', { a: 1 });
    expect(s.events({ kind: 'test' }).map((e) => e.data)).to.deep.equal([{ a: 1 }]);
    expect(() => s.db.prepare('UPDATE events SET kind = ? WHERE seq = ?').run('x', seq)).to.throw(/append-only/);
    expect(() => s.db.prepare('DELETE FROM events').run()).to.throw(/append-only/);
    s.close();
  });

  it('approvals: pending → resolved once', () => {
    const s = StateStore.open({ stateDir: tempDir() });
    const id = s.addApproval('reconcile', 'AAPL: local 100, broker 150', { x: 1 });
    expect(s.approvals('PENDING').map((a) => a.id)).to.deep.equal([id]);
    expect(s.resolveApproval(id, 'APPROVED', 'alice', 'checked')).to.equal(true);
    expect(s.resolveApproval(id, 'REJECTED', 'bob')).to.equal(false);
    expect(s.approvals('APPROVED')[0]?.resolvedBy).to.equal('alice');
    s.close();
  });

  it('openReadOnly reads while an engine holds the lock', () => {
    const dir = tempDir();
    const s = StateStore.open({ stateDir: dir });
    new SqliteKeyValueStore(s).set('a', 1);
    const ro = StateStore.openReadOnly(dir);
    expect(new SqliteKeyValueStore(ro).get('a')).to.equal(1);
    expect(() => ro.appendEvent('x')).to.throw(/read-only/);
    ro.close();
    s.close();
  });
});
