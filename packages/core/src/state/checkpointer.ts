import type { EngineExtension, EngineHandle } from '../engine/extension.js';
import type { Checkpoint, StateStore } from './store.js';
import { LogThrottle } from '../util/log-throttle.js';

/**
 * Writes a checkpoint (account view + the strategy's `snapshot()`) every `intervalSeconds` of
 * engine time and on stop. A failed write is logged as an error and never reported as saved.
 * @public
 */
export class CheckpointExtension implements EngineExtension {
  readonly name = 'state.checkpointer';
  #cancel: (() => void) | undefined;
  last: Checkpoint | undefined;
  failures = 0;
  /** the same failure every interval (a replay crosses thousands) is logged at its 1st–5th, 10th, 100th … time */
  readonly #failureLog = new LogThrottle();

  constructor(private readonly store: StateStore, private readonly intervalSeconds: number) {}

  async onConnect(engine: EngineHandle): Promise<void> {
    if (this.intervalSeconds > 0) this.#cancel = engine.schedule(this.intervalSeconds * 1000, () => { this.write(engine); });
  }

  async onStop(engine: EngineHandle): Promise<void> {
    this.#cancel?.();
    this.#cancel = undefined;
    this.write(engine);
  }

  write(engine: EngineHandle): Checkpoint | undefined {
    try {
      const strategy = engine.strategy.snapshot?.();
      this.last = this.store.writeCheckpoint({ account: engine.accountSnapshot(), strategy });
      return this.last;
    } catch (err) {
      this.failures++;
      const message = (err as Error).message;
      const n = this.#failureLog.note(message);
      if (n > 0) engine.logger.error('checkpoint write failed; previous checkpoint kept', { error: message, ...(n > 1 ? { occurrences: n } : {}) });
      return undefined;
    }
  }
}
