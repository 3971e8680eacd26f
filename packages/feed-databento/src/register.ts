// Side-effect entry for scripts: `import '@tradewire/feed-databento/register'` adds feed `databento`
// to core's process-wide registry (the CLI registers plugins itself).
import { defaultRegistry } from '@tradewire/core';
import { databentoFeed } from './plugin.js';

if (!defaultRegistry.list().includes('feed:databento')) defaultRegistry.register(databentoFeed);
