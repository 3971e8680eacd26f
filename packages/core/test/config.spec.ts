import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock, buildEngine, loadConfigFile, parseConfig, uses, type Strategy } from '@tradewire/core';

function err(fn: () => unknown): Error & { code?: string } {
  try { fn(); } catch (e) { return e as Error & { code?: string }; }
  throw new Error('expected an error');
}

describe('config', () => {
  it('substitutes ${ENV} and names a missing variable without printing values', () => {
    const c = parseConfig({ strategy: { module: './s.js' }, broker: { use: 'paper', config: { initialCash: 5 } }, feed: { use: 'csv', config: { path: '${DATA_FILE}' } } }, 'cfg', { DATA_FILE: '/tmp/x.csv' });
    expect(c.feed).to.deep.equal({ use: 'csv', config: { path: '/tmp/x.csv' } });
    const e = err(() => parseConfig({ strategy: { module: './s.js' }, broker: { use: 'x', config: { apiKey: '${SECRET_KEY_X}' } } }, 'cfg', {}));
    expect(e.code).to.equal('CONFIG_ENV_MISSING');
    expect(e.message).to.contain('broker.config.apiKey').and.contain('SECRET_KEY_X');
  });

  it('YAML: an unquoted ${ENV} alone takes the type its value would have there; quoted or inside text it stays a string', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-cfg-'));
    const file = join(dir, 'tradewire.config.yaml');
    writeFileSync(file, [
      'strategy:', '  module: ./s.js', 'autoDiscoverPlugins: false',
      'broker:', '  use: custom', '  config:',
      '    port: ${TW_PORT}', '    paper: ${TW_PAPER}', '    account: "${TW_ACCOUNT}"', '    host: ${TW_HOST}', '    url: http://${TW_HOST}:${TW_PORT}', '    delay: ${TW_DELAY:-2.5}',
    ].join('\n'));
    const { config } = await loadConfigFile(file, { TW_PORT: '7497', TW_PAPER: 'true', TW_ACCOUNT: '12345', TW_HOST: '127.0.0.1' });
    expect(config.broker).to.deep.equal({ use: 'custom', config: { port: 7497, paper: true, account: '12345', host: '127.0.0.1', url: 'http://127.0.0.1:7497', delay: 2.5 } });
    writeFileSync(file, 'strategy: { module: ./s.js }\nbroker: { use: paper, config: { initialCash: ${TW_CASH} } }\n');
    const e = await loadConfigFile(file, { TW_CASH: '1' }).then(() => undefined, (x: unknown) => x as Error & { code?: string });
    expect(e?.code).to.equal('CONFIG_PARSE');
    expect(e?.message).to.contain('write an environment reference quoted');
  });

  it('names unknown and invalid keys', () => {
    const e = err(() => parseConfig({ strategy: { module: './s.js' }, engine: { queueCapacity: -1 }, colour: 1 }));
    expect(e.message).to.contain("'engine.queueCapacity'").and.contain("'colour'");
  });

  it('requires a risk section (or risk: none) in live mode', async () => {
    const cfg = parseConfig({ mode: 'live', strategy: { module: './s.js' }, broker: 'paper', feed: { use: 'replay', config: { bars: [{ timestamp: 0, symbol: 'A', open: 1, high: 1, low: 1, close: 1 }] } } });
    const s: Strategy = { onData() {} };
    try { await buildEngine(cfg, { strategy: s }); expect.fail('should throw'); } catch (e) { expect((e as { code?: string }).code).to.equal('CONFIG_RISK_REQUIRED'); }
  });

  it('live with an explicit risk: none runs, with a warning that names what is off', async () => {
    const cfg = parseConfig({ mode: 'live', risk: 'none', autoDiscoverPlugins: false, strategy: { module: './s.js' }, broker: 'paper', feed: { use: 'replay', config: { bars: [{ timestamp: 0, symbol: 'A', open: 1, high: 1, low: 1, close: 1 }] } } });
    const warned: string[] = [];
    const logger = { debug() {}, info() {}, warn(msg: string) { warned.push(msg); }, error() {}, child() { return logger; } };
    // a clock of the caller's: a historical (pull) feed is then allowed outside replay
    const built = await buildEngine(cfg, { strategy: { onData() {} }, logger, clock: new SimulatedClock(0) });
    await built.close();
    expect(warned.some((m) => /LIVE trading WITHOUT a risk layer/.test(m))).to.equal(true);
  });

  it('paper, shadow and live refuse a historical (pull) feed: they run on the wall clock (checkpoints, staleness and sessions would compare it with old bars)', async () => {
    for (const mode of ['paper', 'shadow', 'live'] as const) {
      const cfg = parseConfig({ mode, risk: mode === 'paper' ? undefined : {}, autoDiscoverPlugins: false, strategy: { module: './s.js' }, broker: 'paper', feed: { use: 'replay', config: { bars: [{ timestamp: 0, symbol: 'A', open: 1, high: 1, low: 1, close: 1 }] } } });
      const e = await buildEngine(cfg, { strategy: { onData() {} } }).then(() => undefined, (x: unknown) => x as { code?: string; message: string; details?: { keys?: string[] } });
      expect(e?.code, mode).to.equal('CONFIG_INVALID');
      expect(e?.message).to.contain(`mode '${mode}'`).and.contain("feed 'replay'").and.contain('mode: replay');
      expect(e?.details?.keys).to.deep.equal(['mode', 'feed']);
    }
  });

  it('uses @uses on the strategy, and the file overrides it', async () => {
    @uses({ broker: { use: 'paper', config: { initialCash: 111 } }, feed: { use: 'replay', config: { bars: [{ timestamp: '2024-01-01T00:00:00Z', symbol: 'A', open: 1, high: 1, low: 1, close: 1 }] } } })
    class S implements Strategy { onData(): void {} }
    const dir = mkdtempSync(join(tmpdir(), 'tw-cfg-'));
    writeFileSync(join(dir, 'tradewire.config.yaml'), 'strategy:\n  module: ./s.js\nautoDiscoverPlugins: false\nbroker:\n  use: paper\n  config:\n    initialCash: 222\n');
    const { config, baseDir } = await loadConfigFile(join(dir, 'tradewire.config.yaml'));
    const built = await buildEngine(config, { baseDir, strategy: new S() });
    await built.engine.run();
    expect(built.engine.account.cash).to.equal(222); // file wins over @uses
    expect(built.engine.stats.bars).to.equal(1); // feed came from @uses
  });

  it('a build that fails after the state layer was opened closes it (its lock is released, nothing keeps the process alive)', async () => {
    const cfg = parseConfig({ mode: 'replay', autoDiscoverPlugins: false, state: { dir: './state' }, strategy: { module: './s.js' }, broker: { use: 'paper', config: { initialCash: -5 } }, feed: { use: 'replay', config: { bars: [{ timestamp: 0, symbol: 'A', open: 1, high: 1, low: 1, close: 1 }] } } });
    let closed = 0;
    const e = await buildEngine(cfg, { strategy: { onData() {} }, openState: async () => ({ close: () => { closed++; } }) }).then(() => undefined, (x: unknown) => x as Error & { code?: string });
    expect(e?.code).to.equal('CONFIG_INVALID');
    expect(e?.message).to.contain('initialCash');
    expect(closed).to.equal(1);
  });
});
