import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The SQLite extension built at install (`native/tw_rows.c`, `scripts/build-native.mjs`). */
const EXTENSION = fileURLToPath(new URL('../../native/build/tw_rows.so', import.meta.url));
const ENTRY_POINT = 'sqlite3_twrows_init';

interface ExtensionLoader { loadExtension(file: string, entryPoint?: string): unknown }

/**
 * Loads `tw_rows` into `db` when it was built and is not switched off
 * (`TRADEWIRE_NATIVE_ROWS=0`); true when the connection has it. A library that is there but does
 * not load (built for another platform) is reported through `onUnavailable` and the caller binds
 * from JavaScript instead: the same rows, more CPU per row.
 */
export function loadRowsExtension(db: ExtensionLoader, onUnavailable?: (why: string) => void): boolean {
  if (process.env['TRADEWIRE_NATIVE_ROWS'] === '0') return false;
  if (!existsSync(EXTENSION)) return false;
  try {
    db.loadExtension(EXTENSION, ENTRY_POINT);
    return true;
  } catch (err) {
    onUnavailable?.(`${EXTENSION}: ${(err as Error).message}`);
    return false;
  }
}

/** Is the extension built where `loadRowsExtension` looks for it? */
export const rowsExtensionBuilt = (): boolean => existsSync(EXTENSION);
