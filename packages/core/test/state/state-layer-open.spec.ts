import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateStore, LOCK_FILE, STATE_DB_FILE, createStateLayer, isTradingError } from '@tradewire/core';
import { cleanupTempDirs, intent, tempDir } from './helpers.js';

function errorOf(fn: () => unknown): { code: string; message: string; details: Record<string, unknown> } {
  try { fn(); } catch (err) {
    if (isTradingError(err)) return { code: err.code, message: err.message, details: err.details };
    throw new Error(`expected a typed error, got: ${(err as Error).message}`);
  }
  throw new Error('expected a throw');
}

describe('createStateLayer: a failed open leaves nothing behind', () => {
  afterEach(cleanupTempDirs);

  it('a journal log segment replaced by a directory → STATE_UNREADABLE naming it (EISDIR); the store is closed and the lock released', () => {
    const dir = tempDir();
    const layer = createStateLayer({ stateDir: dir });
    layer.journal.recordIntent(intent(`tw${layer.store.namespace}1`));
    layer.close();
    const segment = join(dir, 'journal.0000000000000001.log');
    mkdirSync(segment);
    const e = errorOf(() => createStateLayer({ stateDir: dir }));
    expect(e.code).to.equal('STATE_UNREADABLE');
    expect(e.message).to.contain(segment).and.contain('EISDIR');
    expect(e.details['file']).to.equal(segment);
    expect(existsSync(join(dir, LOCK_FILE)), 'lock released').to.equal(false);
    expect(readdirSync(segment)).to.deep.equal([]); // left as it was
    StateStore.open({ stateDir: dir }).close(); // no handle left behind: the dir can be locked again
  });

  it('an untyped failure after the store opened (here: persisting the HALT marker of a corrupt file) → STATE_UNREADABLE naming the file; lock released', () => {
    const dir = tempDir();
    writeFileSync(join(dir, STATE_DB_FILE), 'not a database at all, definitely not'.repeat(200));
    const original = Object.getOwnPropertyDescriptor(StateStore.prototype, 'setHalt')!;
    StateStore.prototype.setHalt = function (): void { throw new Error('disk I/O error (simulated)'); };
    try {
      const e = errorOf(() => createStateLayer({ stateDir: dir }));
      expect(e.code).to.equal('STATE_UNREADABLE');
      expect(e.message).to.contain(join(dir, STATE_DB_FILE)).and.contain('disk I/O error (simulated)');
      expect(existsSync(join(dir, LOCK_FILE)), 'lock released').to.equal(false);
    } finally {
      Object.defineProperty(StateStore.prototype, 'setHalt', original);
    }
  });
});
