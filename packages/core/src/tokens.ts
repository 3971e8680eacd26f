import { createToken } from './di.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/** Typed DI tokens for the core services every adapter may inject. @public */
export const TOKENS = {
  Clock: createToken<Clock>('core:clock'),
  Logger: createToken<Logger>('core:logger'),
  /** the parsed, frozen options of the adapter being created */
  AdapterConfig: createToken<unknown>('core:adapter-config'),
  /** the engine's state directory, when one is configured */
  StateDir: createToken<string | undefined>('core:state-dir'),
} as const;
