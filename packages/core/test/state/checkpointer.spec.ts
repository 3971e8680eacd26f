import { expect } from 'chai';
import { CheckpointExtension, PaperBroker, SimulatedClock, StateStore, silentLogger } from '@tradewire/core';
import { FakeEngine } from './fake-engine.js';
import { cleanupTempDirs, tempDir } from './helpers.js';

describe('checkpoints', () => {
  afterEach(cleanupTempDirs);

  it('a checkpoint that keeps failing is counted every time and logged at its 1st–5th, 10th, 100th … failure', () => {
    const store = StateStore.open({ stateDir: tempDir() });
    const engine = new FakeEngine(new PaperBroker({ initialCash: 1 }, new SimulatedClock(0), silentLogger), { onData() {}, snapshot() { throw new Error('snapshot broke'); } });
    const cp = new CheckpointExtension(store, 60);
    for (let i = 0; i < 120; i++) expect(cp.write(engine)).to.equal(undefined);
    expect(cp.failures).to.equal(120);
    const logged = engine.logger.entries.filter((e) => e.level === 'error' && /checkpoint write failed/.test(e.msg));
    expect(logged.map((e) => e.fields['occurrences'] ?? 1)).to.deep.equal([1, 2, 3, 4, 5, 10, 100]);
    expect(logged[0]?.fields['error']).to.equal('snapshot broke');
    store.close();
  });
});
