import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEngine, loadConfigFile } from '@tradewire/core';

const here = dirname(fileURLToPath(import.meta.url));
const configPath = join(here, '..', 'tradewire.config.yaml');
const cli = join(here, '..', '..', '..', 'packages', 'cli', 'dist', 'bin.js');

describe('third-party broker plugin (acme)', () => {
  it('is loaded by package name from the config and runs the strategy', async () => {
    const { config, baseDir } = await loadConfigFile(configPath);
    const built = await buildEngine(config, { baseDir });
    expect(built.registry.list('broker')).to.include('acme');
    await built.engine.run();
    const b = built.engine.broker as unknown as { name: string; feesCharged: number };
    expect(b.name).to.equal('acme');
    expect(b.feesCharged).to.equal(4); // two orders × feePerOrder 2
    expect(built.engine.stats.fills).to.equal(2);
    expect(built.engine.account.cash).to.be.closeTo(20_000 + 100 * (51.1 - 50.2), 1e-6);
  });

  it('runs through `tradewire run --config` and prints the figures as JSON', () => {
    const out = execFileSync(process.execPath, [cli, 'run', '--config', configPath, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const last = JSON.parse(out.trim().split('\n').at(-1)!) as { orders: number; fills: number; finalEquity: number };
    expect(last.orders).to.equal(2);
    expect(last.fills).to.equal(2);
    expect(last.finalEquity).to.be.closeTo(20_090, 1e-6);
  });

  it('rejects a bad option naming the key', async () => {
    const { config, baseDir } = await loadConfigFile(configPath);
    const bad = { ...config, broker: { use: 'acme', config: { feePerOrdr: 1 } } };
    try { await buildEngine(bad, { baseDir }); expect.fail('should throw'); } catch (e) {
      expect((e as Error).message).to.contain("broker 'acme'").and.contain('feePerOrdr');
    }
  });
});
