import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDemoBars } from '@tradewire/cli';
import { SqliteKeyValueStore, StateStore } from '@tradewire/core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const bin = join(root, 'packages', 'cli', 'dist', 'bin.js');
const run = (args: string[], cwd: string): string => execFileSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('tradewire CLI', () => {
  it('demo --json ends with one JSON object whose figures are consistent, and writes equity.html', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tw-demo-'));
    const out = run(['demo', '--json', '--bars', '5000'], cwd);
    const f = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
    for (const k of ['bars', 'orders', 'fills', 'finalEquity', 'returnPct', 'maxDrawdownPct', 'sharpe', 'elapsedMs']) expect(f, k).to.have.property(k).that.is.a('number');
    expect(f['bars']).to.equal(5000);
    expect(f['orders']).to.be.greaterThan(0);
    expect(f['fills']).to.be.at.most(f['orders']!);
    expect(f['finalEquity']).to.be.closeTo(f['cash']! + f['positionValue']!, 0.011);
    expect(f['returnPct']).to.be.closeTo((f['finalEquity']! / 100_000 - 1) * 100, 1e-3);
    const html = readFileSync(join(cwd, 'tradewire-demo', 'equity.html'), 'utf8');
    expect(html).to.contain('<svg').and.contain('<path d="M');
    rmSync(cwd, { recursive: true, force: true });
  });

  it('demo --help says --break-stale-lock never takes over a lock from another host or container', () => {
    const help = run(['demo', '--help'], root).replace(/\s+/g, ' ');
    expect(help).to.contain('--break-stale-lock');
    expect(help).to.contain('a lock from another host or container is never taken over');
    expect(help).to.not.match(/a dead pid, another host/);
  });

  it('the demo data is deterministic for a seed', () => {
    expect(generateDemoBars({ bars: 100, seed: 7 })).to.deep.equal(generateDemoBars({ bars: 100, seed: 7 }));
    expect(generateDemoBars({ bars: 100, seed: 7 })).to.not.deep.equal(generateDemoBars({ bars: 100, seed: 8 }));
  });

  it('init scaffolds a project whose own test passes', () => {
    // inside the repo so @tradewire/core resolves through the workspace, as after `npm install`
    const parent = mkdtempSync(join(root, '.tmp-init-'));
    try {
      const dir = join(parent, 'my-strategy');
      run(['init', dir], root);
      for (const f of ['package.json', 'tradewire.config.yaml', 'src/strategy.js', 'test/strategy.test.js']) expect(existsSync(join(dir, f)), f).to.equal(true);
      const out = execFileSync(process.execPath, ['--test', 'test/'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).to.match(/# pass 1/);
      const ran = run(['run', '--config', join(dir, 'tradewire.config.yaml'), '--json'], dir);
      expect(JSON.parse(ran.trim().split('\n').at(-1)!).bars).to.equal(4);
      expect(() => run(['init', dir], root)).to.throw(/not empty/);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('reports an unknown adapter with the installed names and a non-zero exit', () => {
    const parent = mkdtempSync(join(root, '.tmp-cfg-'));
    try {
      const cfg = join(parent, 'c.json');
      execFileSync('node', ['-e', `require('fs').writeFileSync(${JSON.stringify(cfg)}, JSON.stringify({ autoDiscoverPlugins: false, strategy: { module: './s.js' }, broker: 'nope', feed: 'replay' }))`]);
      execFileSync('node', ['-e', `require('fs').writeFileSync(${JSON.stringify(join(parent, 's.js'))}, 'export default class { onData() {} }')`]);
      try { run(['run', '--config', cfg], parent); expect.fail('should fail'); } catch (e) {
        const err = e as { status: number; stderr: string };
        expect(err.status).to.equal(1);
        expect(err.stderr).to.contain("unknown broker 'nope'").and.contain('paper');
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
  it("state show prints shadow mode's virtual account from the risk state (the journal's positions are flat in shadow mode)", () => {
    const parent = mkdtempSync(join(root, '.tmp-state-'));
    try {
      const dir = join(parent, 'state');
      const store = StateStore.open({ stateDir: dir });
      try {
        new SqliteKeyValueStore(store).set('risk:state', {
          tradingState: 'ACTIVE',
          shadow: { cash: 48_996.5, totalCommission: 1, seq: 2, pending: [], positions: [{ asset: 'AAPL', quantity: 10, avgEntryPrice: 100.1, currentPrice: 101, unrealizedPnl: 9, realizedPnl: 0 }] },
        });
      } finally { store.close(); }
      const out = run(['state', 'show', '--state-dir', dir], parent);
      expect(out).to.match(/virtual account \(shadow mode, risk:state\): cash 48996\.50, 0 resting order\(s\)\n\s+AAPL\s+10 @ 100\.1000\s+realized 0\.00/);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('reconcile refuses a shadow config (nothing reaches the broker, nothing to compare) with exit 1 and says where the virtual account is', () => {
    const parent = mkdtempSync(join(root, '.tmp-cfg-'));
    try {
      const cfg = join(parent, 'c.json');
      writeFileSync(cfg, JSON.stringify({ mode: 'shadow', risk: {}, autoDiscoverPlugins: false, strategy: { module: './s.js' }, broker: 'paper', feed: 'replay', state: { dir: './state' } }));
      try { run(['reconcile', '--config', cfg, '--dry-run'], parent); expect.fail('should fail'); } catch (e) {
        const err = e as { status: number; stderr: string };
        expect(err.status).to.equal(1);
        expect(err.stderr).to.contain('CONFIG_INVALID').and.contain('shadow mode').and.contain('tradewire risk show');
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
