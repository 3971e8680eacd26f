import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The repo root: the directory holding lerna.json. */
function repoRoot(): string {
  let d = here;
  while (!existsSync(join(d, 'lerna.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('repo root (lerna.json) not found');
    d = up;
  }
  return d;
}

/**
 * Fixture folder: $DATABENTO_FIXTURES, else $TRADEWIRE_FIXTURES/databento, else
 * ../shared/fixtures/databento beside the repo. Fixtures are read in place, never copied.
 */
export const FIXTURES = process.env['DATABENTO_FIXTURES']
  ?? join(process.env['TRADEWIRE_FIXTURES'] ?? join(repoRoot(), '..', 'shared', 'fixtures'), 'databento');

export interface ExpectedEntry {
  file: string;
  compression: string;
  format: string;
  version?: number;
  record_count?: number;
  metadata?: Record<string, unknown>;
  records?: Record<string, unknown>[];
  record_count_by_rtype?: Record<string, number>;
  first_of_each_rtype?: Record<string, Record<string, unknown>>;
  upstream_assertions: unknown[];
}

export function loadExpected(): ExpectedEntry[] {
  return (JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as { entries: ExpectedEntry[] }).entries;
}

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}
export function fixturePath(name: string): string {
  return join(FIXTURES, name);
}
