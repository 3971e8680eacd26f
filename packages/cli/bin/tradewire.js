#!/usr/bin/env node
// Stable entry for the `tradewire` command (exists before the TypeScript build, so npm links it).
import '../dist/bin.js';
