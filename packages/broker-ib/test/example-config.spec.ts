/**
 * examples/ib-paper/tradewire.config.yaml, run by the real `tradewire` CLI against the fake TWS
 * with only the port changed (and the state dir pointed at a temp dir): the strategy trades on
 * minute bars built from 5-second bars, the order reaches the venue carrying the engine's
 * clientOrderId, and SIGINT stops the engine cleanly.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeTws } from './fake-tws/fake-tws.js';
import { waitFor } from './support.js';

const here = dirname(fileURLToPath(import.meta.url));
let root = here;
while (!existsSync(join(root, 'lerna.json'))) root = dirname(root);
const exampleDir = join(root, 'examples', 'ib-paper');
const cli = join(root, 'packages', 'cli', 'bin', 'tradewire.js');

describe('examples/ib-paper against the fake TWS', function () {
  this.timeout(30_000);

  it('runs the example config with only the port changed: one order at the venue, clean stop on SIGINT', async () => {
    const tws = await FakeTws.start({ prices: { AAPL: 100 } });
    const stateDir = mkdtempSync(join(tmpdir(), 'tw-ib-example-'));
    const config = join(exampleDir, `.tmp-example-${process.pid}.yaml`);
    const text = readFileSync(join(exampleDir, 'tradewire.config.yaml'), 'utf8')
      .replace(/port: 7497/g, `port: ${tws.port}`)
      .replace('dir: ./.tradewire/ib-paper', `dir: ${JSON.stringify(stateDir)}`);
    expect(text).to.contain(`port: ${tws.port}`);
    writeFileSync(config, text);
    const child = spawn(process.execPath, [cli, 'run', '--config', config, '--json'], { cwd: exampleDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => tws.messages(50).length >= 1, 15_000, `reqRealTimeBars (stderr: ${stderr})`);
      const t0 = 1_763_766_000; // a minute boundary
      const push = (k: number, close: number, high: number): void => tws.pushBar('AAPL', t0 + 5 * k, { open: close, high, low: close - 0.2, close, volume: 10 });
      for (let k = 0; k < 12; k++) push(k, 100, 100.5);            // minute 1: high 100.5
      for (let k = 12; k < 24; k++) push(k, 101, 101.2);           // minute 2 closes 101 > 100.5: breakout
      push(24, 101, 101.1);                                        // opens minute 3: closes minute 2
      await waitFor(() => tws.ledger.orders.size === 1 && (tws.ledger.positions.get('AAPL')?.quantity ?? 0) === 10, 10_000, `order at the venue (stderr: ${stderr})`);
      const order = [...tws.ledger.orders.values()][0]!;
      expect(order.orderRef).to.match(/^tw[A-Za-z0-9]+$/);
      // the adapter emits a fill once its commissionReport arrived (or after commissionWaitMs)
      await new Promise((r) => setTimeout(r, 3_500));
      child.kill('SIGINT');
      expect(await exited).to.equal(0);
      const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as { orders: number; fills: number };
      expect(figures.orders).to.equal(1);
      expect(figures.fills).to.equal(1);
    } finally {
      child.kill('SIGKILL');
      rmSync(config, { force: true });
      rmSync(stateDir, { recursive: true, force: true });
      await tws.close();
    }
  });
});
