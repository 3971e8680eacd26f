import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateStore, LOCK_FILE, STATE_DB_FILE, STATE_DIR_MARKER, createStateLayer, isTradingError } from '@tradewire/core';
import { cleanupTempDirs, tempDir } from './helpers.js';

function errorOf(fn: () => unknown): { code: string; message: string; details: Record<string, unknown> } {
  try { fn(); } catch (err) {
    if (isTradingError(err)) return { code: err.code, message: err.message, details: err.details };
    throw err;
  }
  throw new Error('expected a throw');
}

/** A state dir that has lived: opened, written, closed. Returns its namespace. */
function livedDir(dir: string): string {
  const s = StateStore.open({ stateDir: dir });
  s.appendEvent('test', { n: 1 });
  const ns = s.namespace;
  s.close();
  return ns;
}

function removeDb(dir: string): void {
  for (const f of readdirSync(dir)) if (f === STATE_DB_FILE || f.startsWith(`${STATE_DB_FILE}-`)) unlinkSync(join(dir, f));
}

/** Refused: STATE_MISSING naming the file, nothing created, lock released. */
function expectMissing(dir: string, open: () => unknown, evidence: string): { message: string } {
  const e = errorOf(open);
  expect(e.code).to.equal('STATE_MISSING');
  expect(e.message).to.contain(join(dir, STATE_DB_FILE)).and.contain('refusing to start fresh').and.contain(evidence);
  expect(e.details['file']).to.equal(join(dir, STATE_DB_FILE));
  expect(existsSync(join(dir, STATE_DB_FILE)), 'no fresh database').to.equal(false);
  expect(existsSync(join(dir, LOCK_FILE)), 'lock released').to.equal(false);
  return e;
}

describe('a missing state.db (RELIABILITY §0.5: never a fresh start)', () => {
  afterEach(cleanupTempDirs);

  it('read-only and operator opens (state show, risk commands) name a lost state.db as STATE_MISSING too', () => {
    const dir = tempDir();
    livedDir(dir);
    removeDb(dir);
    expectMissing(dir, () => StateStore.openReadOnly(dir), STATE_DIR_MARKER);
    expectMissing(dir, () => StateStore.openOperator(dir), STATE_DIR_MARKER);
  });

  it('a new state dir gets the state-dir.json marker naming its namespace', () => {
    const dir = tempDir();
    const ns = livedDir(dir);
    const marker = JSON.parse(readFileSync(join(dir, STATE_DIR_MARKER), 'utf8')) as Record<string, unknown>;
    expect(marker).to.include({ format: 1, namespace: ns, database: STATE_DB_FILE });
    expect(Date.parse(String(marker['createdAt']))).to.be.closeTo(Date.now(), 60_000); // wall time
  });

  it('state.db removed from a state dir that had one → STATE_MISSING (StateStore.open and createStateLayer), saying how to start fresh', () => {
    const dir = tempDir();
    livedDir(dir);
    removeDb(dir);
    const e = expectMissing(dir, () => StateStore.open({ stateDir: dir }), STATE_DIR_MARKER);
    expect(e.message).to.contain(`move ${STATE_DIR_MARKER} out of the directory`);
    expectMissing(dir, () => createStateLayer({ stateDir: dir }), STATE_DIR_MARKER);
    expectMissing(dir, () => createStateLayer({ stateDir: dir, breakStaleLock: true }), STATE_DIR_MARKER);
  });

  it('without the marker, a journal log segment or a state.db-wal also shows the dir held a database', () => {
    for (const leftover of ['journal.0000000000000001.log', `${STATE_DB_FILE}-wal`]) {
      const dir = tempDir();
      writeFileSync(join(dir, leftover), '');
      expectMissing(dir, () => createStateLayer({ stateDir: dir }), leftover);
    }
  });

  it('a deliberate fresh start: with the marker moved away, a new database (new namespace) is created', () => {
    const dir = tempDir();
    const ns = livedDir(dir);
    removeDb(dir);
    renameSync(join(dir, STATE_DIR_MARKER), join(dir, `${STATE_DIR_MARKER}.old`));
    const s = StateStore.open({ stateDir: dir });
    expect(s.namespace).to.not.equal(ns);
    s.close();
    expect(existsSync(join(dir, STATE_DIR_MARKER))).to.equal(true);
  });

  it('a state dir of an earlier build (state.db, no marker) keeps working and gets the marker at its next open', () => {
    const dir = tempDir();
    const ns = livedDir(dir);
    rmSync(join(dir, STATE_DIR_MARKER));
    const s = StateStore.open({ stateDir: dir });
    expect(s.namespace).to.equal(ns);
    expect(s.events({ kind: 'test' })).to.have.length(1);
    s.close();
    expect(JSON.parse(readFileSync(join(dir, STATE_DIR_MARKER), 'utf8'))).to.include({ namespace: ns });
  });

  it('a corrupt state.db in a marked dir still starts HALTED on a fresh file (not STATE_MISSING); a crash before the fresh file exists is STATE_MISSING naming the corrupt copy', () => {
    const dir = tempDir();
    livedDir(dir);
    writeFileSync(join(dir, STATE_DB_FILE), 'not a database at all, definitely not'.repeat(200));
    const layer = createStateLayer({ stateDir: dir });
    expect(layer.startupError?.code).to.equal('STATE_CORRUPT');
    expect(layer.store.halt()?.code).to.equal('STATE_CORRUPT');
    layer.close();
    // as if the process died between moving the corrupt file aside and creating the fresh one
    removeDb(dir);
    const e = expectMissing(dir, () => createStateLayer({ stateDir: dir }), STATE_DIR_MARKER);
    expect(e.message).to.match(/state\.db\.corrupt-\S+ is a corrupt copy moved aside earlier/);
  });
});
