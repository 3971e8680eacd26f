import { z } from 'zod';
import { injectable, provideValue } from '../di.js';
import type { InjectionToken } from '../di.js';
import { TOKENS } from '../tokens.js';
import {
  defineAdapter,
  type AdapterDefinition,
  type AdapterInstanceMap,
  type AdapterKind,
} from './adapter-definition.js';

const META = Symbol.for('tradewire:adapter-meta');
const USES = Symbol.for('tradewire:uses');

/** Options of the class decorators. @public */
export interface AdapterDecoratorOptions<S extends z.ZodType = z.ZodType> {
  configSchema?: S;
  description?: string;
}

interface AdapterMeta { kind: AdapterKind; name: string; configSchema: z.ZodType; description?: string }

type Ctor<T> = new (...args: never[]) => T;

function marker(kind: AdapterKind) {
  return function <S extends z.ZodType>(name: string, options: AdapterDecoratorOptions<S> = {}) {
    return function <C extends Ctor<AdapterInstanceMap[typeof kind]>>(target: C): C {
      // decorators only record metadata: nothing is registered in any container here
      injectable()(target as unknown as Ctor<unknown>);
      const meta: AdapterMeta = { kind, name, configSchema: options.configSchema ?? z.object({}).strict() };
      if (options.description !== undefined) meta.description = options.description;
      Object.defineProperty(target, META, { value: meta, enumerable: false });
      return target;
    };
  };
}

/** Marks a class as a broker adapter named `name` (`@broker('paper', { configSchema })`). @public */
export const broker = marker('broker');
/** Marks a class as a data feed adapter. @public */
export const feed = marker('feed');
/** Marks a class as a risk policy. @public */
export const riskPolicy = marker('risk');
/** Marks a class as a named strategy (loadable from config by name). @public */
export const strategy = marker('strategy');
/** Marks a class as broker middleware (e.g. the risk layer). @public */
export const middleware = marker('middleware');

/** Reads the decorator metadata of an adapter class, if any. @public */
export function adapterMetaOf(target: unknown): AdapterMeta | undefined {
  if (typeof target !== 'function') return undefined;
  return (target as unknown as Record<symbol, AdapterMeta | undefined>)[META];
}

/**
 * Builds the `AdapterDefinition` of a decorated class. `create` resolves the class in the
 * adapter's child container with `TOKENS.AdapterConfig` bound to the parsed options.
 * @public
 */
export function definitionFromClass<T>(target: Ctor<T>): AdapterDefinition {
  // one definition per class: registering the same class twice (a plugin auto-discovered and also
  // listed in a config) is then the same value twice, which the registry accepts; a different
  // class under the same name is still a duplicate
  const known = classDefinitions.get(target);
  if (known) return known;
  const made = makeDefinition(target);
  classDefinitions.set(target, made);
  return made;
}

const classDefinitions = new WeakMap<object, AdapterDefinition>();

function makeDefinition<T>(target: Ctor<T>): AdapterDefinition {
  const meta = adapterMetaOf(target);
  if (!meta) throw new TypeError(`${target.name} carries no @broker/@feed/@riskPolicy/@strategy decorator`);
  const def: Parameters<typeof defineAdapter>[1] = {
    name: meta.name,
    configSchema: meta.configSchema,
    create(config, ctx) {
      // the class may have been decorated by another installed copy of core (a plugin with its
      // own node_modules): register its constructor with THIS copy's container too. The
      // @inject tokens live in reflect-metadata's shared registry, so nothing is lost.
      injectable()(target as unknown as Ctor<unknown>);
      provideValue(ctx.container, TOKENS.AdapterConfig, config);
      return ctx.container.resolve(target as unknown as InjectionToken<T>) as never;
    },
  };
  if (meta.description !== undefined) (def as { description?: string }).description = meta.description;
  return defineAdapter(meta.kind, def);
}

/** A plugin reference in wiring: a name, or a name with options. @public */
export type AdapterRef = string | { use: string; config?: Record<string, unknown> | undefined };

/** Wiring a strategy declares for itself; a config file overrides it key by key. @public */
export interface UsesSpec {
  broker?: AdapterRef;
  feed?: AdapterRef;
  /** a risk configuration object, or 'none' */
  risk?: Record<string, unknown> | 'none';
}

/** `@uses({ broker: 'paper', feed: { use: 'csv', config: {...} } })` on a strategy class. @public */
export function uses(spec: UsesSpec) {
  return function <C extends abstract new (...args: never[]) => unknown>(target: C): C {
    Object.defineProperty(target, USES, { value: Object.freeze({ ...spec }), enumerable: false });
    return target;
  };
}

/** Reads `@uses` from a strategy class or instance. @public */
export function usesOf(target: unknown): UsesSpec | undefined {
  if (target === null || target === undefined) return undefined;
  const ctor = typeof target === 'function' ? target : (target as object).constructor;
  return (ctor as unknown as Record<symbol, UsesSpec | undefined>)[USES];
}
