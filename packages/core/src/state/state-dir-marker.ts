import { existsSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { StateError } from '../errors.js';
import { listSegments } from './journal-log.js';

/**
 * A small file a state directory gets when its database is first opened (or, for a directory of
 * an earlier build, at its next open): it records that this directory holds a `state.db`, so that
 * a missing database is refused (`STATE_MISSING`) instead of silently replaced by a fresh one
 * (RELIABILITY.md §0.5: a missing state file means "halted", never "fresh start").
 * @public
 */
export const STATE_DIR_MARKER = 'state-dir.json';

/** What the marker holds (informational: only its presence is checked). */
interface StateDirMarker { format: 1; namespace: string; database: string; createdAt: string; note: string }

/** The files in `stateDir` that show it held `dbFile` (the marker, journal log segments, a WAL). */
function evidence(stateDir: string, dbFile: string): string[] {
  const found = [join(stateDir, STATE_DIR_MARKER), `${dbFile}-wal`].filter((f) => existsSync(f));
  try { found.push(...listSegments(stateDir)); } catch { /* unreadable dir: opening the database reports it */ }
  return found;
}

/**
 * Throws `STATE_MISSING` when `dbFile` does not exist although the directory shows it held one.
 * Never creates anything.
 */
export function assertDatabaseNotMissing(stateDir: string, dbFile: string): void {
  if (existsSync(dbFile)) return;
  const found = evidence(stateDir, dbFile);
  if (found.length === 0) return; // a new state directory
  let asideNote = '';
  try {
    const aside = readdirSync(stateDir).filter((f) => f.startsWith(`${basename(dbFile)}.corrupt-`));
    if (aside.length > 0) asideNote = `; ${aside.join(', ')} ${aside.length === 1 ? 'is' : 'are'} a corrupt copy moved aside earlier`;
  } catch { /* listed above already */ }
  throw new StateError(
    `state file ${dbFile} is missing, but ${stateDir} held one (${found.map((f) => basename(f)).join(', ')})${asideNote}; refusing to start fresh, which would take the broker's positions as the baseline and adopt every venue order. Restore ${basename(dbFile)} from a backup; to start fresh deliberately, move ${found.map((f) => basename(f)).join(', ')} out of the directory and start again`,
    'STATE_MISSING', { details: { file: dbFile, stateDir, found } });
}

/** Writes the marker if absent (atomically: a temporary file renamed into place). */
export function ensureMarker(stateDir: string, dbFile: string, namespace: string): void {
  const file = join(stateDir, STATE_DIR_MARKER);
  if (existsSync(file)) return;
  const marker: StateDirMarker = {
    format: 1, namespace, database: basename(dbFile), createdAt: new Date().toISOString(),
    note: `${basename(dbFile)} in this directory holds the engine's state; while this file exists, a missing ${basename(dbFile)} is refused (STATE_MISSING) instead of replaced by a fresh one`,
  };
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, `${JSON.stringify(marker, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (err) {
    throw new StateError(`cannot write ${file}: ${(err as Error).message}`, 'STATE_UNWRITABLE', { cause: err, details: { file } });
  }
}
