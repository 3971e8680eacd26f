import { pino } from 'pino';

/** Structured logger. Fields are redacted for known secret keys and registered secret values. @public */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

const REDACT_KEYS = new Set(['apikey', 'api_key', 'secret', 'apisecret', 'password', 'token', 'authorization', 'key', 'privatekey', 'passphrase']);

/** Holds secret values so any string that contains one is scrubbed before it is logged. @public */
export class SecretScrubber {
  #values = new Set<string>();
  add(value: string | undefined): void {
    if (value && value.length >= 4) this.#values.add(value);
  }
  scrub(text: string): string {
    let out = text;
    for (const v of this.#values) if (out.includes(v)) out = out.split(v).join('[REDACTED]');
    return out;
  }
  /** deep copy with secret keys and values replaced */
  scrubValue(value: unknown, depth = 0): unknown {
    if (depth > 6) return '[…]';
    if (typeof value === 'string') return this.scrub(value);
    if (value instanceof Error) return { name: value.name, message: this.scrub(value.message), code: (value as { code?: unknown }).code };
    if (Array.isArray(value)) return value.map((v) => this.scrubValue(v, depth + 1));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = REDACT_KEYS.has(k.toLowerCase()) ? '[REDACTED]' : this.scrubValue(v, depth + 1);
      return out;
    }
    return value;
  }
}

/** The process-wide scrubber used by every logger created here. @public */
export const secretScrubber = new SecretScrubber();

type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** A pino-backed logger writing JSON lines to stderr (or a file descriptor). @public */
export function createLogger(options: { level?: Level; name?: string; destination?: number | string } = {}): Logger {
  const dest = pino.destination({ dest: options.destination ?? 2, sync: true });
  const p = pino({ level: options.level ?? 'info', name: options.name ?? 'tradewire', base: null }, dest);
  return wrap(p);
}

function wrap(p: pino.Logger): Logger {
  const call = (lvl: Exclude<Level, 'silent'>) => (msg: string, fields?: Record<string, unknown>): void => {
    if (!p.isLevelEnabled(lvl)) return;
    if (fields) p[lvl](secretScrubber.scrubValue(fields) as object, secretScrubber.scrub(msg));
    else p[lvl](secretScrubber.scrub(msg));
  };
  return { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error'), child: (b) => wrap(p.child(secretScrubber.scrubValue(b) as object)) };
}

/** A logger that drops everything. @public */
export const silentLogger: Logger = {
  debug() {}, info() {}, warn() {}, error() {}, child() { return silentLogger; },
};

/** A logger that keeps entries in memory (tests, and `--json` runs that print a summary). @public */
export class MemoryLogger implements Logger {
  readonly entries: { level: Exclude<Level, 'silent'>; msg: string; fields: Record<string, unknown> }[] = [];
  constructor(private readonly bindings: Record<string, unknown> = {}, private readonly sink?: MemoryLogger['entries']) {}
  #push(level: Exclude<Level, 'silent'>, msg: string, fields?: Record<string, unknown>): void {
    (this.sink ?? this.entries).push({ level, msg: secretScrubber.scrub(msg), fields: secretScrubber.scrubValue({ ...this.bindings, ...fields }) as Record<string, unknown> });
  }
  debug(msg: string, f?: Record<string, unknown>): void { this.#push('debug', msg, f); }
  info(msg: string, f?: Record<string, unknown>): void { this.#push('info', msg, f); }
  warn(msg: string, f?: Record<string, unknown>): void { this.#push('warn', msg, f); }
  error(msg: string, f?: Record<string, unknown>): void { this.#push('error', msg, f); }
  child(b: Record<string, unknown>): Logger { return new MemoryLogger({ ...this.bindings, ...b }, this.sink ?? this.entries); }
}
