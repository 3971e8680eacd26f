import type { z } from 'zod';
import type { DependencyContainer } from '../di.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { BrokerProtocol } from '../protocols/broker.js';
import type { DataFeedProtocol } from '../protocols/feed.js';
import type { Strategy } from '../protocols/strategy.js';
import type { RiskPolicy } from '../protocols/risk.js';
import type { KeyValueStore } from '../protocols/kv.js';
import type { AdapterRegistry } from './registry.js';

/** The kinds of plugin the registry holds. @public */
export type AdapterKind = 'broker' | 'feed' | 'risk' | 'strategy' | 'middleware';

/** The protocol version adapters are written against; bumped with a breaking protocol change. @public */
export const ADAPTER_API_VERSION = 1;

/** What `create` receives besides its parsed options. @public */
export interface AdapterContext {
  /** a child container for this adapter instance, with core tokens registered */
  container: DependencyContainer;
  clock: Clock;
  logger: Logger;
  stateDir?: string;
  /** the engine's durable key/value area (risk state, id high-water marks), when a state store is open */
  kv?: KeyValueStore;
  /** the registry creating this adapter (a middleware uses it to create user plugins it names) */
  registry?: AdapterRegistry;
}

/** Maps each kind to what its definitions create. @public */
export interface AdapterInstanceMap {
  broker: BrokerProtocol;
  feed: DataFeedProtocol;
  risk: RiskPolicy;
  strategy: Strategy;
  /** wraps a broker (the risk layer's SafeBroker, a journal, a recorder) */
  middleware: BrokerMiddleware;
}

/** A broker wrapper installed by the composition root between the engine and the adapter. @public */
export interface BrokerMiddleware {
  readonly name: string;
  wrap(broker: BrokerProtocol, ctx: AdapterContext): BrokerProtocol | Promise<BrokerProtocol>;
}

/**
 * A plugin's unit: a frozen value describing one adapter. Plugins export these (default export:
 * an array of them); the composition root registers them. Nothing registers on import.
 * @public
 */
export interface AdapterDefinition<K extends AdapterKind = AdapterKind, S extends z.ZodType = z.ZodType> {
  readonly kind: K;
  readonly name: string;
  readonly apiVersion: number;
  readonly description?: string;
  readonly configSchema: S;
  /** the npm package that provided it (filled in by the plugin loader) */
  readonly packageName?: string;
  create(config: z.output<S>, ctx: AdapterContext): AdapterInstanceMap[K] | Promise<AdapterInstanceMap[K]>;
}

/** Any definition, for collections. @public */
export type AnyAdapterDefinition = { [K in AdapterKind]: AdapterDefinition<K, z.ZodType> }[AdapterKind];

const DEF_BRAND = Symbol.for('tradewire:AdapterDefinition');

/** Brand check for definitions coming from another copy of core. @public */
export function isAdapterDefinition(v: unknown): v is AnyAdapterDefinition {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[DEF_BRAND] === true;
}

function define<K extends AdapterKind, S extends z.ZodType>(kind: K, def: Omit<AdapterDefinition<K, S>, 'kind' | 'apiVersion'> & { apiVersion?: number }): AdapterDefinition<K, S> {
  const out = { apiVersion: ADAPTER_API_VERSION, ...def, kind, [DEF_BRAND]: true };
  return Object.freeze(out) as AdapterDefinition<K, S>;
}

type DefInput<K extends AdapterKind, S extends z.ZodType> = Omit<AdapterDefinition<K, S>, 'kind' | 'apiVersion'> & { apiVersion?: number };

/** @public */ export const defineBroker = <S extends z.ZodType>(d: DefInput<'broker', S>): AdapterDefinition<'broker', S> => define('broker', d);
/** @public */ export const defineFeed = <S extends z.ZodType>(d: DefInput<'feed', S>): AdapterDefinition<'feed', S> => define('feed', d);
/** @public */ export const defineRiskPolicy = <S extends z.ZodType>(d: DefInput<'risk', S>): AdapterDefinition<'risk', S> => define('risk', d);
/** @public */ export const defineStrategy = <S extends z.ZodType>(d: DefInput<'strategy', S>): AdapterDefinition<'strategy', S> => define('strategy', d);
/** @public */ export const defineMiddleware = <S extends z.ZodType>(d: DefInput<'middleware', S>): AdapterDefinition<'middleware', S> => define('middleware', d);
/** @public */ export const defineAdapter = <K extends AdapterKind, S extends z.ZodType>(kind: K, d: DefInput<K, S>): AdapterDefinition<K, S> => define(kind, d);
