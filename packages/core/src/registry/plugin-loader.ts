import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PluginError } from '../errors.js';
import type { AdapterRegistry } from './registry.js';

interface PackageJson { name?: string; main?: string; exports?: unknown; tradewire?: { plugin?: boolean } }

function readPkg(dir: string): PackageJson | undefined {
  try { return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson; } catch { return undefined; }
}

/** Finds `node_modules/<name>` walking up from `fromDir`. */
function findPackageDir(name: string, fromDir: string): string | undefined {
  let dir = resolve(fromDir);
  for (;;) {
    const cand = join(dir, 'node_modules', name);
    if (existsSync(join(cand, 'package.json'))) return cand;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function entryOf(pkgDir: string, pkg: PackageJson): string {
  const ex = pkg.exports;
  let rel: string | undefined;
  if (typeof ex === 'string') rel = ex;
  else if (ex && typeof ex === 'object') {
    const dot = (ex as Record<string, unknown>)['.'] ?? ex;
    if (typeof dot === 'string') rel = dot;
    else if (dot && typeof dot === 'object') {
      const d = dot as Record<string, unknown>;
      const pick = d['import'] ?? d['default'] ?? d['node'];
      if (typeof pick === 'string') rel = pick;
    }
  }
  return join(pkgDir, rel ?? pkg.main ?? 'index.js');
}

/** A plugin specifier that is a path (relative or absolute), not a package name. */
function isPathSpec(spec: string): boolean { return spec.startsWith('.') || isAbsolute(spec); }

/** Resolves a plugin specifier (package name, or a relative/absolute path to a module file or a package directory) to a file URL. */
export function resolvePlugin(spec: string, fromDir: string): string {
  if (isPathSpec(spec)) {
    const p = resolve(fromDir, spec);
    if (!existsSync(p)) throw new PluginError(`plugin module not found: ${p}`, 'PLUGIN_NOT_FOUND');
    if (statSync(p).isDirectory()) { // a package directory (a plugin not installed, e.g. next to the config): its entry
      const pkg = readPkg(p);
      if (!pkg) throw new PluginError(`plugin directory ${p} has no readable package.json`, 'PLUGIN_NOT_FOUND');
      return pathToFileURL(entryOf(p, pkg)).href;
    }
    return pathToFileURL(p).href;
  }
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const dir = findPackageDir(name, fromDir);
  if (!dir) throw new PluginError(`plugin package '${name}' is not installed (looked in node_modules above ${fromDir}); run: npm install ${name}`, 'PLUGIN_NOT_FOUND', { details: { package: name } });
  const pkg = readPkg(dir) ?? {};
  return pathToFileURL(entryOf(dir, pkg)).href;
}

/** Everything a plugin module exports that the registry can take. */
function definitionsOf(mod: Record<string, unknown>): unknown[] {
  const d = mod['default'];
  if (Array.isArray(d)) return d;
  if (d && typeof d === 'object' && Array.isArray((d as { definitions?: unknown }).definitions)) return (d as { definitions: unknown[] }).definitions;
  if (d !== undefined) return [d];
  if (Array.isArray(mod['definitions'])) return mod['definitions'] as unknown[];
  return [];
}

/**
 * Imports a plugin by package name or path and registers its definitions. Returns the names
 * registered as `kind:name`.
 * @public
 */
export async function loadPlugin(registry: AdapterRegistry, spec: string, fromDir = process.cwd()): Promise<string[]> {
  const url = resolvePlugin(spec, fromDir);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new PluginError(`plugin '${spec}' failed to load: ${e instanceof Error ? e.message : String(e)}`, 'PLUGIN_LOAD_FAILED', { cause: e });
  }
  const defs = definitionsOf(mod);
  if (defs.length === 0) throw new PluginError(`plugin '${spec}' exports no adapter definitions (expected a default export listing them)`, 'PLUGIN_INVALID');
  const before = new Set(registry.list());
  // a plugin loaded twice (auto-discovered and also listed) registers the same values again, which
  // the registry accepts; another package's adapter under a taken name is PLUGIN_DUPLICATE
  for (const def of defs) registry.register(def);
  return registry.list().filter((n) => !before.has(n));
}

/** Names of installed packages marked `"tradewire": { "plugin": true }`, nearest node_modules first. @public */
export function discoverPlugins(fromDir = process.cwd()): string[] {
  const found = new Set<string>();
  let dir = resolve(fromDir);
  for (;;) {
    const nm = join(dir, 'node_modules');
    if (existsSync(nm)) {
      for (const entry of safeReaddir(nm)) {
        if (entry.startsWith('.')) continue;
        const names = entry.startsWith('@') ? safeReaddir(join(nm, entry)).map((s) => `${entry}/${s}`) : [entry];
        for (const name of names) if (readPkg(join(nm, name))?.tradewire?.plugin === true) found.add(name);
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return [...found].sort();
}

function safeReaddir(d: string): string[] {
  try { return readdirSync(d); } catch { return []; }
}

/**
 * Where plugins are looked for, in order: the config file's directory, the working directory, and
 * the installation this copy of core belongs to (plugins installed next to `@tradewire/cli`, also
 * globally), each walking up through its `node_modules`. Duplicates removed.
 * @public
 */
export function pluginRoots(baseDir: string): string[] {
  return [...new Set([resolve(baseDir), resolve(process.cwd()), dirname(fileURLToPath(import.meta.url))])];
}

/**
 * A config's plugins: with `autoDiscover`, every installed package marked as a plugin under any of
 * `pluginRoots(baseDir)` (one that fails to load is reported through `onSkip`, not fatal); then
 * each of `listed` by name or path, resolved from the first root that has it (a listed plugin that
 * cannot be found or loaded is an error naming it).
 * @public
 */
export async function loadConfiguredPlugins(registry: AdapterRegistry, opts: { baseDir: string; autoDiscover: boolean; listed: readonly string[]; onSkip?: (name: string, error: unknown) => void }): Promise<void> {
  const roots = pluginRoots(opts.baseDir);
  if (opts.autoDiscover) {
    const seen = new Set<string>();
    for (const root of roots) {
      for (const name of discoverPlugins(root)) {
        if (seen.has(name)) continue;
        seen.add(name);
        await loadPlugin(registry, name, root).catch((e: unknown) => opts.onSkip?.(name, e));
      }
    }
  }
  for (const spec of opts.listed) {
    // a path is relative to the config; a package name is looked up from each root in turn
    const from = isPathSpec(spec) ? opts.baseDir : roots.find((r) => { try { resolvePlugin(spec, r); return true; } catch { return false; } }) ?? opts.baseDir;
    await loadPlugin(registry, spec, from);
  }
}
