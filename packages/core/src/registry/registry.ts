import { z } from 'zod';
import { container as rootContainer, provideValue } from '../di.js';
import type { DependencyContainer } from '../di.js';
import { ConfigError, PluginError } from '../errors.js';
import { SystemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../logger.js';
import { TOKENS } from '../tokens.js';
import type { KeyValueStore } from '../protocols/kv.js';
import {
  ADAPTER_API_VERSION,
  isAdapterDefinition,
  type AdapterContext,
  type AdapterDefinition,
  type AdapterInstanceMap,
  type AdapterKind,
  type AnyAdapterDefinition,
} from './adapter-definition.js';
import { definitionFromClass, adapterMetaOf } from './decorators.js';
import { suggestKey } from './key-suggestion.js';

/** Services handed to adapters when they are created. @public */
export interface CreateOptions {
  clock?: Clock;
  logger?: Logger;
  stateDir?: string;
  kv?: KeyValueStore;
  /** parent container; a child is made per adapter instance */
  container?: DependencyContainer;
}

/**
 * Adapters keyed by (kind, name). Plugins are registered explicitly by the composition root
 * (CLI, tests, or a `register` entry for scripts); importing a plugin registers nothing.
 * @public
 */
export class AdapterRegistry {
  readonly #defs = new Map<string, AnyAdapterDefinition>();

  /** Registers definitions (or decorated classes). Duplicate (kind, name) pairs are rejected. */
  register(...items: unknown[]): this {
    for (const item of items.flat()) {
      const def = toDefinition(item);
      if (def.apiVersion !== ADAPTER_API_VERSION) {
        throw new PluginError(`${def.kind} '${def.name}'${def.packageName ? ` from ${def.packageName}` : ''} targets adapter API v${def.apiVersion}; this core speaks v${ADAPTER_API_VERSION}`, 'PLUGIN_API_MISMATCH');
      }
      const key = `${def.kind}:${def.name}`;
      const existing = this.#defs.get(key);
      if (existing) {
        if (existing === def) continue; // the same value loaded twice is harmless
        throw new PluginError(`${def.kind} '${def.name}' is already registered${existing.packageName ? ` by ${existing.packageName}` : ''}; names must be unique`, 'PLUGIN_DUPLICATE', { details: { kind: def.kind, name: def.name } });
      }
      this.#defs.set(key, def);
    }
    return this;
  }

  has(kind: AdapterKind, name: string): boolean { return this.#defs.has(`${kind}:${name}`); }

  /** Names registered for a kind (or every `kind:name`). */
  list(kind?: AdapterKind): string[] {
    const out: string[] = [];
    for (const d of this.#defs.values()) if (!kind || d.kind === kind) out.push(kind ? d.name : `${d.kind}:${d.name}`);
    return out.sort();
  }

  definitions(kind?: AdapterKind): AnyAdapterDefinition[] {
    return [...this.#defs.values()].filter((d) => !kind || d.kind === kind);
  }

  get<K extends AdapterKind>(kind: K, name: string): AdapterDefinition<K> {
    const def = this.#defs.get(`${kind}:${name}`);
    if (!def) {
      const installed = this.list(kind);
      throw new PluginError(`unknown ${kind} '${name}'; installed ${kind}s: ${installed.length ? installed.join(', ') : '(none)'}`, 'ADAPTER_UNKNOWN', { details: { kind, name, installed } });
    }
    return def as unknown as AdapterDefinition<K>;
  }

  /** Validates options against the adapter's schema (error names the key) without creating it. */
  parseConfig<K extends AdapterKind>(kind: K, name: string, raw: unknown): unknown {
    return parseAdapterConfig(this.get(kind, name) as unknown as AnyAdapterDefinition, raw);
  }

  /** Parses options (zod), freezes them and creates the adapter in its own child container. */
  async create<K extends AdapterKind>(kind: K, name: string, rawConfig: unknown = {}, options: CreateOptions = {}): Promise<AdapterInstanceMap[K]> {
    const def = this.get(kind, name);
    const config = deepFreeze(parseAdapterConfig(def as unknown as AnyAdapterDefinition, rawConfig));
    const ctx = makeContext(options);
    ctx.registry = this;
    return await def.create(config as never, ctx);
  }
}

function makeContext(options: CreateOptions): AdapterContext {
  const child = (options.container ?? rootContainer).createChildContainer();
  const clock = options.clock ?? new SystemClock();
  const logger = options.logger ?? silentLogger;
  provideValue(child, TOKENS.Clock, clock);
  provideValue(child, TOKENS.Logger, logger);
  provideValue(child, TOKENS.StateDir, options.stateDir);
  const ctx: AdapterContext = { container: child, clock, logger };
  if (options.stateDir !== undefined) ctx.stateDir = options.stateDir;
  if (options.kv !== undefined) ctx.kv = options.kv;
  return ctx;
}

function toDefinition(item: unknown): AnyAdapterDefinition {
  if (isAdapterDefinition(item)) return item;
  if (typeof item === 'function' && adapterMetaOf(item)) return definitionFromClass(item as new () => unknown) as AnyAdapterDefinition;
  throw new PluginError(`not an adapter definition: ${describe(item)} (use defineBroker(...) or a class decorated with @broker/@feed/@riskPolicy/@strategy)`, 'PLUGIN_INVALID');
}

function describe(v: unknown): string {
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (v === null) return 'null';
  return typeof v;
}

/** Formats a zod issue path as `a.b[0].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

/** Turns zod issues into one ConfigError that names every offending key (with `schema`: and suggests the known key an unknown one is a typo of). @public */
export function configErrorFromZod(where: string, err: z.ZodError, schema?: z.ZodType): ConfigError {
  const parts = err.issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? (i as { keys?: string[] }).keys ?? [] : [];
    const path = formatPath(i.path);
    if (keys.length) {
      const named = keys.map((k) => {
        const near = schema ? suggestKey(schema, i.path, k) : undefined;
        return `'${path === '(root)' ? k : `${path}.${k}`}'${near ? ` (did you mean '${near}'?)` : ''}`;
      });
      return `unknown option${keys.length > 1 ? 's' : ''} ${named.join(', ')}`;
    }
    return `option '${path}': ${i.message}`;
  });
  const keys = err.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? ((i as { keys?: string[] }).keys ?? []).map((k) => formatPath([...i.path, k])) : [formatPath(i.path)]));
  return new ConfigError(`${where}: ${parts.join('; ')}`, 'CONFIG_INVALID', { details: { keys } });
}

function parseAdapterConfig(def: AnyAdapterDefinition, raw: unknown): unknown {
  const res = def.configSchema.safeParse(raw ?? {});
  if (!res.success) throw configErrorFromZod(`${def.kind} '${def.name}'`, res.error, def.configSchema);
  return res.data;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** The process-wide registry that `@tradewire/<pkg>/register` entries write to. @public */
export const defaultRegistry = new AdapterRegistry();
