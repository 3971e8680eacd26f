// One-line global registration for scripts: `import '@tradewire/risk/register'`.
import { defaultRegistry } from '@tradewire/core';
import { definitions } from './plugin.js';

defaultRegistry.register(...definitions);
