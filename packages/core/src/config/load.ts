import { readFile } from 'node:fs/promises';
import { extname, resolve, dirname } from 'node:path';
import { parseDocument, visit } from 'yaml';
import { ConfigError } from '../errors.js';
import { configErrorFromZod } from '../registry/registry.js';
import { substituteEnv, TypedEnvRef } from './env.js';
import { TradewireConfigSchema, type TradewireConfig } from './schema.js';

/** A validated config and the directory its relative paths are resolved from. @public */
export interface LoadedConfig { config: TradewireConfig; baseDir: string; path: string }

/** Reads, env-substitutes and validates a YAML or JSON config file. Errors name the key. @public */
export async function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const abs = resolve(path);
  let text: string;
  try { text = await readFile(abs, 'utf8'); } catch (e) { throw new ConfigError(`cannot read config file ${abs}`, 'CONFIG_NOT_FOUND', { cause: e }); }
  let raw: unknown;
  try {
    raw = extname(abs) === '.json' ? JSON.parse(text) : readYaml(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // `${VAR}` inside { } or [ ]: the braces are YAML syntax there
    const hint = /\$\{/.test(msg) ? ' (inside { } or [ ], write an environment reference quoted, "${NAME}", or use block style)' : '';
    throw new ConfigError(`config file ${abs} is not valid ${extname(abs) === '.json' ? 'JSON' : 'YAML'}: ${msg}${hint}`, 'CONFIG_PARSE', { cause: e });
  }
  return { config: parseConfig(raw, abs, env), baseDir: dirname(abs), path: abs };
}

/** YAML to plain values; an unquoted scalar that is one `${NAME}` becomes a `TypedEnvRef` (typed after substitution). */
function readYaml(text: string): unknown {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw doc.errors[0]!;
  visit(doc, {
    Scalar(_key, node) {
      if (node.type === 'PLAIN' && typeof node.value === 'string' && TypedEnvRef.matches(node.value)) node.value = new TypedEnvRef(node.value);
    },
  });
  return doc.toJS();
}

/** Validates an already parsed config object (after `${ENV}` substitution). @public */
export function parseConfig(raw: unknown, where = 'config', env: NodeJS.ProcessEnv = process.env): TradewireConfig {
  const substituted = substituteEnv(raw ?? {}, env);
  const res = TradewireConfigSchema.safeParse(substituted);
  if (!res.success) throw configErrorFromZod(where, res.error, TradewireConfigSchema);
  return res.data;
}
