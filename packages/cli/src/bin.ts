#!/usr/bin/env node
import 'reflect-metadata';
import { main } from './program.js';

// `tradewire … | head` closes stdout early: end quietly instead of crashing with EPIPE
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw err; });
}

await main();
