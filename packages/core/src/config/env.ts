import { ConfigError } from '../errors.js';
import { secretScrubber } from '../logger.js';

const VAR_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
/** A value that is one reference and nothing else. */
const WHOLE_RE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;
const NUMBER_RE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * An unquoted YAML scalar that is exactly one `${NAME}` reference (`port: ${IB_PORT}`): after
 * substitution it takes the type YAML would give the text written there (a number, true/false),
 * like `port: 7497` would; quoted (`"${NAME}"`) or with other text around it, it stays a string.
 * @public
 */
export class TypedEnvRef {
  constructor(readonly text: string) {}
  /** Is this plain YAML scalar text one whole reference? */
  static matches(text: string): boolean { return WHOLE_RE.test(text); }
}

/** The substituted text of an unquoted whole reference, typed as YAML would type it there. */
function typed(text: string): string | number | boolean {
  const t = text.trim();
  if (NUMBER_RE.test(t)) { const n = Number(t); if (Number.isFinite(n)) return n; }
  if (t === 'true' || t === 'false') return t === 'true';
  return text;
}

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed config (and types the
 * `TypedEnvRef`s the YAML loader marks: unquoted whole references). A missing
 * variable without a default is a `ConfigError` naming the variable and the key, never a value.
 * Substituted values are registered with the secret scrubber so they never reach a log.
 * @public
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv = process.env, path = ''): unknown {
  if (value instanceof TypedEnvRef) return typed(substituteEnv(value.text, env, path) as string);
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
