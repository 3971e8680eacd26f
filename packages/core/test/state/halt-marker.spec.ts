import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateStore, STATE_DB_FILE, createStateLayer, SimulatedClock } from '@tradewire/core';
import { cleanupTempDirs, tempDir } from './helpers.js';

describe('the persisted HALT marker is stamped with wall time', () => {
  afterEach(cleanupTempDirs);

  it('setHalt under a simulated clock: at and the halt event carry wall time; the engine time is kept in details', () => {
    const clock = new SimulatedClock(1_700);
    const s = StateStore.open({ stateDir: tempDir(), clock });
    const before = Date.now();
    s.setHalt({ reason: 'overfill', code: 'OVERFILL', details: { clientOrderId: 'twX1' } });
    const after = Date.now();
    const m = s.halt()!;
    expect(m.at).to.be.within(before, after);
    expect(m.details).to.deep.equal({ clientOrderId: 'twX1', engineTime: 1_700 });
    const ev = s.events({ kind: 'halt' });
    expect(ev).to.have.length(1);
    expect(ev[0]!.timestamp).to.be.within(before, after);
    expect(ev[0]!.data).to.deep.include({ at: m.at, code: 'OVERFILL' });
    s.clearHalt('ops', 'checked');
    expect(s.events({ kind: 'halt.cleared' })[0]!.timestamp).to.be.within(before, Date.now());
    s.close();
  });

  it('a corrupt file in a replay (clock at 0) is HALTED since now, not since 1970', () => {
    const dir = tempDir();
    writeFileSync(join(dir, STATE_DB_FILE), 'not a database at all, definitely not'.repeat(200));
    const before = Date.now();
    const layer = createStateLayer({ stateDir: dir, clock: new SimulatedClock(0) });
    const m = layer.store.halt()!;
    expect(m.code).to.equal('STATE_CORRUPT');
    expect(m.at).to.be.within(before, Date.now());
    expect(new Date(m.at).getUTCFullYear()).to.not.equal(1970);
    expect(m.details?.['engineTime']).to.equal(0);
    layer.close();
  });
});
