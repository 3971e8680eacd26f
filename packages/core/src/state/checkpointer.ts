import type { EngineExtension, EngineHandle } from '../engine/extension.js';
import type { Checkpoint, StateStore } from './store.js';

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
      engine.logger.error('checkpoint write failed; previous checkpoint kept', { error: (err as Error).message });
      return undefined;
    }
  }
}
