import { AdapterRegistry } from './registry/registry.js';
import { paperBroker } from './paper/plugin.js';
import { csvFeed, replayFeed } from './feeds/plugin.js';

/** The adapters core ships: broker `paper`, feeds `replay` and `csv`. @public */
export const builtinDefinitions = [paperBroker, replayFeed, csvFeed] as const;

/** A fresh registry holding the built-in adapters. @public */
export function createRegistry(): AdapterRegistry {
  return new AdapterRegistry().register(...builtinDefinitions);
}
