import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeedEvent } from '@tradewire/core';

/** The repo root (the directory holding lerna.json). */
export function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'lerna.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('repo root not found');
    d = up;
  }
  return d;
}

/** ../shared/fixtures next to the repo, or TRADEWIRE_FIXTURES. */
export function fixtures(...parts: string[]): string {
  return join(process.env['TRADEWIRE_FIXTURES'] ?? resolve(repoRoot(), '../shared/fixtures'), ...parts);
}

export const T0 = Date.UTC(2024, 0, 2, 14, 30);
export function bar(i: number, o: number, h: number, l: number, c: number, v = 1000, sym = 'AAA'): FeedEvent {
  return [T0 + i * 60_000, { [sym]: { open: o, high: h, low: l, close: c, volume: v } }, {}];
}
export const flat = (i: number, p: number, v = 1000, sym = 'AAA'): FeedEvent => bar(i, p, p, p, p, v, sym);
