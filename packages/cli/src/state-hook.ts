import type { BuildOptions } from '@tradewire/core';
import { openStateFromConfig } from './commands/state.js';

/** Opens the durable state layer for configs with a `state` section. */
export const openStateHook: BuildOptions['openState'] = openStateFromConfig;
