import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, PluginError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { SimulatedClock, SystemClock, type Clock } from '../clock.js';
import type { BrokerProtocol } from '../protocols/broker.js';
import type { Strategy } from '../protocols/strategy.js';
import type { KeyValueStore } from '../protocols/kv.js';
import { usesOf, type AdapterRef, type UsesSpec } from '../registry/decorators.js';
import { isAdapterDefinition } from '../registry/adapter-definition.js';
import type { AdapterRegistry } from '../registry/registry.js';
import { loadConfiguredPlugins } from '../registry/plugin-loader.js';
import { createRegistry } from '../builtins.js';
import { AggregatedFeed } from '../feeds/aggregated-feed.js';
import { LiveEngine } from '../engine/live-engine.js';
import type { EngineExtension } from '../engine/extension.js';
import type { ClientOrderIdGenerator } from '../engine/client-order-id.js';
import type { TradewireConfig } from './schema.js';

/** Hooks for layers the config wires around the broker (the durable state layer). @public */
export interface StateLayerHooks {
  kv?: KeyValueStore;
  wrapBroker?(broker: BrokerProtocol): BrokerProtocol;
  extensions?: EngineExtension[];
  idGenerator?: ClientOrderIdGenerator;
  close?(): void | Promise<void>;
}

/** @public */
export interface BuildOptions {
  baseDir?: string;
  registry?: AdapterRegistry;
  logger?: Logger;
  clock?: Clock;
  /** a strategy object to use instead of `strategy` in the config */
  strategy?: Strategy;
  /** wraps the strategy after its `@uses` was read (equity recording, tracing) */
  wrapStrategy?: (strategy: Strategy) => Strategy;
  /** opens the state layer when the config has a `state` section (provided by the CLI) */
  openState?: (config: NonNullable<TradewireConfig['state']>, ctx: { baseDir: string; clock: Clock; logger: Logger }) => Promise<StateLayerHooks>;
}

/** What `buildEngine` made, so callers can close it. @public */
export interface BuiltEngine {
  engine: LiveEngine;
  registry: AdapterRegistry;
  strategy: Strategy;
  close(): Promise<void>;
}

function refOf(r: AdapterRef | undefined): { use: string; config: Record<string, unknown> } | undefined {
  if (r === undefined) return undefined;
  return typeof r === 'string' ? { use: r, config: {} } : { use: r.use, config: r.config ?? {} };
}

/** Loads the strategy module named in the config and instantiates it with `params`. @public */
export async function loadStrategy(config: TradewireConfig, baseDir: string, registry: AdapterRegistry): Promise<Strategy> {
  const s = config.strategy;
  if (s.use) return registry.create('strategy', s.use, s.params);
  const file = isAbsolute(s.module!) ? s.module! : resolve(baseDir, s.module!);
  let mod: Record<string, unknown>;
  try { mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>; } catch (e) {
    throw new ConfigError(`config key 'strategy.module': cannot load ${file}: ${e instanceof Error ? e.message : String(e)}`, 'CONFIG_INVALID', { cause: e, details: { keys: ['strategy.module'] } });
  }
  const exp = mod[s.export ?? 'default'];
  if (exp === undefined) throw new ConfigError(`config key 'strategy.export': ${file} has no export '${s.export ?? 'default'}'`, 'CONFIG_INVALID', { details: { keys: ['strategy.export'] } });
  if (isAdapterDefinition(exp)) {
    registry.register(exp);
    return registry.create('strategy', exp.name, s.params);
  }
  if (typeof exp === 'function') return new (exp as new (p: Record<string, unknown>) => Strategy)(s.params);
  if (typeof exp === 'object' && exp !== null && typeof (exp as Strategy).onData === 'function') return exp as Strategy;
  throw new ConfigError(`config key 'strategy.module': export '${s.export ?? 'default'}' of ${file} is not a strategy class or object with onData`, 'CONFIG_INVALID', { details: { keys: ['strategy.module'] } });
}

/**
 * Composes an engine from a validated config: loads plugins, the strategy, merges its `@uses`
 * (the file wins), creates broker and feed through the registry (options validated, errors
 * name the key), installs the risk middleware and the state layer, and returns the engine.
 * @public
 */
export async function buildEngine(config: TradewireConfig, options: BuildOptions = {}): Promise<BuiltEngine> {
  const baseDir = options.baseDir ?? process.cwd();
  const registry = options.registry ?? createRegistry();
  const logger = options.logger ?? createLogger({ level: config.log.level });
  await loadConfiguredPlugins(registry, {
    baseDir, autoDiscover: config.autoDiscoverPlugins, listed: config.plugins,
    onSkip: (name, e) => logger.warn('plugin auto-discovery: skipped', { plugin: name, error: e }),
  });

  const loaded = options.strategy ?? (await loadStrategy(config, baseDir, registry));
  const declared: UsesSpec = usesOf(loaded) ?? {};
  const strategy = options.wrapStrategy ? options.wrapStrategy(loaded) : loaded;
  const brokerRef = refOf(config.broker ?? declared.broker);
  const feedRef = refOf(config.feed ?? declared.feed);
  const risk = config.risk ?? declared.risk;
  if (!brokerRef) throw new ConfigError("no broker: set 'broker' in the config or @uses({ broker }) on the strategy", 'CONFIG_INVALID', { details: { keys: ['broker'] } });
  if (!feedRef) throw new ConfigError("no feed: set 'feed' in the config or @uses({ feed }) on the strategy", 'CONFIG_INVALID', { details: { keys: ['feed'] } });
  if (config.mode === 'live' && risk === undefined) throw new ConfigError("live mode needs a 'risk' section (or an explicit `risk: none`)", 'CONFIG_RISK_REQUIRED', { details: { keys: ['risk'] } });

  const feedDef = registry.get('feed', feedRef.use);
  const pullClock = options.clock ?? (config.mode === 'replay' ? new SimulatedClock(0) : new SystemClock());
  const state = config.state && options.openState ? await options.openState(config.state, { baseDir, clock: pullClock, logger }) : undefined;
  if (config.state && !options.openState) throw new ConfigError("config has a 'state' section but no state layer is available here", 'CONFIG_INVALID', { details: { keys: ['state'] } });
  // the state layer holds the state dir's lock: a failure from here on must release it, or the
  // process hangs on its open handles and the next start finds the dir locked
  let engine: LiveEngine;
  try {
    const common = { clock: pullClock, logger, ...(state?.kv ? { kv: state.kv } : {}), ...(config.state ? { stateDir: resolve(baseDir, config.state.dir) } : {}) };
    const rawBroker = await registry.create('broker', brokerRef.use, brokerRef.config, common);
    let feed = await registry.create('feed', feedDef.name, feedRef.config, common);
    if (config.mode !== 'replay' && feed.kind === 'pull' && options.clock === undefined) {
      // paper, shadow and live run on the wall clock: with historical bars, checkpoints (and so a
      // restart's resume point), data staleness and session boundaries would compare wall time
      // with the bars' old timestamps
      try { await feed.stop(); } catch { /* not started */ }
      throw new ConfigError(`mode '${config.mode}' runs on the wall clock and needs a live (push) feed; feed '${feedDef.name}' replays historical data: use mode: replay for it`, 'CONFIG_INVALID', { details: { keys: ['mode', 'feed'], mode: config.mode, feed: feedDef.name } });
    }
    if (config.bars) feed = new AggregatedFeed(feed, { periodMs: config.bars.periodMs, ...(config.bars.flushAfterMs !== undefined ? { flushAfterMs: config.bars.flushAfterMs } : {}) }, pullClock);

    let broker: BrokerProtocol = state?.wrapBroker ? state.wrapBroker(rawBroker) : rawBroker;
    if (risk !== undefined && risk !== 'none') {
      if (!registry.has('middleware', 'risk')) throw new PluginError("config has a 'risk' section but no risk layer is installed: npm install @tradewire/risk", 'PLUGIN_NOT_FOUND', { details: { keys: ['risk'] } });
      const mw = await registry.create('middleware', 'risk', { ...risk, ...(config.mode === 'shadow' ? { shadowMode: true } : {}) }, common);
      broker = await mw.wrap(broker, { container: (await import('../di.js')).container.createChildContainer(), ...common });
    } else if (config.mode === 'shadow') {
      throw new ConfigError("shadow mode needs the risk layer (its virtual portfolio): add a 'risk' section and install @tradewire/risk", 'CONFIG_INVALID', { details: { keys: ['risk'] } });
    } else if (config.mode === 'live' && risk === 'none') {
      logger.warn('LIVE trading WITHOUT a risk layer (risk: none): no limits, no circuit breakers, no kill switch', { broker: brokerRef.use });
    }

    engine = new LiveEngine({
      strategy, broker, feed, clock: pullClock, logger, mode: config.mode,
      haltOnError: config.engine.haltOnError, queueCapacity: config.engine.queueCapacity, conflate: config.engine.conflate,
      handleSignals: config.engine.handleSignals,
      ...(state?.extensions ? { extensions: state.extensions } : {}),
      ...(state?.idGenerator ? { idGenerator: state.idGenerator } : {}),
    });
  } catch (e) {
    try { await state?.close?.(); } catch (closeErr) { logger.error('closing the state layer after a failed build failed', { error: closeErr }); }
    throw e;
  }
  return {
    engine, registry, strategy,
    async close() { await engine.stop(); await state?.close?.(); },
  };
}
