/**
 * The state-dir locks this process holds (their lock file paths). A lock file naming our own pid
 * is ours only if it is recorded here; otherwise an earlier process with the same pid left it (a
 * restarted container often gets the same pid, e.g. 1). Kept on `globalThis` so two copies of
 * this module in one process share the record.
 */
const KEY = Symbol.for('tradewire.state.heldLocks');
export const heldLocks: Set<string> = ((globalThis as Record<symbol, unknown>)[KEY] as Set<string> | undefined)
  ?? ((globalThis as Record<symbol, unknown>)[KEY] = new Set<string>()) as Set<string>;
