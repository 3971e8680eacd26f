import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  AdapterRegistry, broker, createRegistry, defineBroker, inject, isTradingError, loadConfiguredPlugins, loadPlugin, PaperBroker, parseConfig, TOKENS,
  type BrokerProtocol, type Clock,
} from '@tradewire/core';

const Cfg = z.object({ host: z.string(), port: z.number().int().min(1).max(65535).default(7497) }).strict();

@broker('decorated', { configSchema: Cfg })
class DecoratedBroker extends PaperBroker {
  constructor(@inject(TOKENS.AdapterConfig) readonly cfg: z.output<typeof Cfg>, @inject(TOKENS.Clock) clock: Clock) {
    super({}, clock, { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } });
  }
}

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try { await (typeof p === 'function' ? p() : p); } catch (e) { return e as Error & { code?: string }; }
  throw new Error('expected an error');
}

describe('AdapterRegistry', () => {
  it('creates a decorated class with parsed, frozen options injected by token', async () => {
    const reg = new AdapterRegistry().register(DecoratedBroker);
    const b = (await reg.create('broker', 'decorated', { host: '127.0.0.1' })) as unknown as DecoratedBroker;
    expect(b).to.be.instanceOf(DecoratedBroker);
    expect(b.cfg).to.deep.equal({ host: '127.0.0.1', port: 7497 });
    expect(Object.isFrozen(b.cfg)).to.equal(true);
  });

  it('names the offending key in option errors (wrong type, unknown key, out of range)', async () => {
    const reg = new AdapterRegistry().register(DecoratedBroker);
    const e1 = await errorOf(reg.create('broker', 'decorated', { host: 1 }));
    expect(e1.code).to.equal('CONFIG_INVALID');
    expect(e1.message).to.contain("broker 'decorated'").and.contain("'host'");
    const e2 = await errorOf(reg.create('broker', 'decorated', { host: 'x', colour: 'red' }));
    expect(e2.message).to.contain("'colour'");
    expect(e2.details?.['keys']).to.deep.equal(['colour']);
    const e3 = await errorOf(reg.create('broker', 'decorated', { host: 'x', port: 70000 }));
    expect(e3.message).to.contain("'port'");
    expect(e2.message).to.not.contain('did you mean'); // nothing close to 'colour'
    const e4 = await errorOf(reg.create('broker', 'decorated', { host: 'x', prot: 7497 }));
    expect(e4.message).to.contain("unknown option 'prot' (did you mean 'port'?)");
    const e5 = await errorOf(() => parseConfig({ strategy: { module: './s.js' }, engin: { haltOnError: true }, state: { dir: 'x', checkpointIntervalSecs: 5 } }));
    expect(e5.message).to.contain("'engin' (did you mean 'engine'?)").and.contain("'state.checkpointIntervalSecs' (did you mean 'checkpointIntervalSeconds'?)");
  });

  it('fails on an unknown adapter name listing the installed ones', async () => {
    const reg = createRegistry();
    const e = await errorOf(reg.create('broker', 'nope'));
    expect(e.code).to.equal('ADAPTER_UNKNOWN');
    expect(e.message).to.contain("unknown broker 'nope'").and.contain('paper');
    expect(isTradingError(e)).to.equal(true);
  });

  it('rejects duplicate names and non-definitions', async () => {
    const def = defineBroker({ name: 'dup', configSchema: z.object({}), create: () => ({}) as BrokerProtocol });
    const reg = new AdapterRegistry().register(def);
    reg.register(def); // the same value twice is harmless
    const other = defineBroker({ name: 'dup', configSchema: z.object({}), create: () => ({}) as BrokerProtocol });
    expect((await errorOf(() => reg.register(other))).code).to.equal('PLUGIN_DUPLICATE');
    expect((await errorOf(() => reg.register({ name: 'x' }))).code).to.equal('PLUGIN_INVALID');
    expect((await errorOf(() => reg.register({ ...def, apiVersion: 99 }))).code).to.be.oneOf(['PLUGIN_INVALID', 'PLUGIN_API_MISMATCH']);
  });

  it('a decorated class registered twice (a plugin auto-discovered and also listed) is one registration; another class under its name is a duplicate', async () => {
    const reg = new AdapterRegistry().register(DecoratedBroker);
    reg.register(DecoratedBroker);
    expect(reg.list('broker')).to.deep.equal(['decorated']);
    @broker('decorated', { configSchema: Cfg })
    class Impostor extends PaperBroker {}
    expect((await errorOf(() => reg.register(Impostor))).code).to.equal('PLUGIN_DUPLICATE');
  });

  it('loadPlugin twice with a package of decorated classes registers them once', async () => {
    // inside the repo, so the plugin resolves @tradewire/core and zod like an installed one
    const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), 'tmp-plugin-'));
    try {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tw-twice', type: 'module', main: './index.js', tradewire: { plugin: true } }));
      writeFileSync(join(dir, 'index.js'), [
        "import { z } from 'zod';",
        "import { broker, PaperBroker } from '@tradewire/core';",
        'class Twice extends PaperBroker {}',
        "broker('twice', { configSchema: z.object({}).strict() })(Twice);",
        'export default [Twice];',
      ].join('\n'));
      const reg = createRegistry();
      expect(await loadPlugin(reg, dir)).to.deep.equal(['broker:twice']);
      expect(await loadPlugin(reg, dir)).to.deep.equal([]); // listed after being discovered: nothing new, no error
      expect(reg.list('broker')).to.deep.equal(['paper', 'twice']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a config outside the project finds plugins installed where tradewire runs (working directory), discovered and listed at once', async () => {
    const project = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), 'tmp-project-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'tw-config-')); // the config's directory: no node_modules anywhere above
    const cwd = process.cwd();
    try {
      const pkg = join(project, 'node_modules', 'tw-rooted');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'tw-rooted', type: 'module', main: './index.js', tradewire: { plugin: true } }));
      writeFileSync(join(pkg, 'index.js'), "import { z } from 'zod';\nimport { defineBroker } from '@tradewire/core';\nexport default [defineBroker({ name: 'rooted', configSchema: z.object({}), create: () => ({}) })];\n");
      process.chdir(project);
      const reg = createRegistry();
      await loadConfiguredPlugins(reg, { baseDir: elsewhere, autoDiscover: true, listed: ['tw-rooted'] });
      expect(reg.has('broker', 'rooted')).to.equal(true);
      expect((await errorOf(loadConfiguredPlugins(createRegistry(), { baseDir: elsewhere, autoDiscover: false, listed: ['tw-not-installed'] }))).code).to.equal('PLUGIN_NOT_FOUND');
    } finally {
      process.chdir(cwd);
      rmSync(project, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('lists registered names by kind', () => {
    expect(createRegistry().list('feed')).to.deep.equal(['csv', 'replay']);
    expect(createRegistry().list('broker')).to.deep.equal(['paper']);
  });
});
