import type { BuildOptions } from '@tradewire/core';

/** Opens the durable state layer for configs with a `state` section (wired when available). */
export const openStateHook: BuildOptions['openState'] | undefined = undefined;
