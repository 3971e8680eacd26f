import { defaultRegistry } from '@tradewire/core';
import { definitions } from './plugin.js';

defaultRegistry.register(...definitions);
