/**
 * SIGINT/SIGTERM before the engine runs. Until `LiveEngine.run()` installs its own handlers (it
 * then stops cleanly and reports), a signal would kill the process with the state dir still
 * locked: the next start would refuse it as a stale lock. While a guard is up, a signal runs the
 * registered cleanups (closing the state layer releases the lock) and exits with 128 + signal.
 * A long synchronous step (generating demo data) defers the signal until it ends; nothing is lost.
 */
export class StartupSignalGuard {
  readonly #cleanups: (() => void)[] = [];
  readonly #handler = (signal: NodeJS.Signals): void => {
    process.stderr.write(`tradewire: ${signal} before the engine started: closing\n`);
    for (const c of this.#cleanups.splice(0).reverse()) {
      try { c(); } catch (e) { process.stderr.write(`tradewire: cleanup failed: ${e instanceof Error ? e.message : String(e)}\n`); }
    }
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  };

  constructor() {
    process.on('SIGINT', this.#handler);
    process.on('SIGTERM', this.#handler);
  }

  /** Runs on a signal before `release` (last added first). */
  onSignal(cleanup: () => void): void { this.#cleanups.push(cleanup); }

  /**
   * The engine takes over: call right AFTER `engine.run()` was called (it installs its handlers
   * synchronously). Removing the last listener first would close Node's signal watcher and drop a
   * signal that arrived during a synchronous step but was not dispatched yet.
   */
  release(): void {
    process.removeListener('SIGINT', this.#handler);
    process.removeListener('SIGTERM', this.#handler);
    this.#cleanups.length = 0;
  }
}
