import { ConfigError } from '../errors.js';
import { secretScrubber } from '../logger.js';

const VAR_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed config. A missing
 * variable without a default is a `ConfigError` naming the variable and the key, never a value.
 * Substituted values are registered with the secret scrubber so they never reach a log.
 * @public
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv = process.env, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(VAR_RE, (_m, name: string, def: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') { secretScrubber.add(v); return v; }
      if (def !== undefined) return def;
      throw new ConfigError(`config key '${path || '(root)'}' refers to environment variable ${name}, which is not set`, 'CONFIG_ENV_MISSING', { details: { keys: [path], variable: name } });
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, path ? `${path}.${k}` : k);
    return out;
  }
  return value;
}
