import type { EngineHandle } from '../engine/extension.js';

/**
 * The reasons the state layer's extensions halted the engine. An extension lifts a halt only
 * when no other cause it knows of remains (an approved reconciliation must not resume an engine
 * that recovery halted for an unsettled order).
 * @public
 */
export class HaltCauses {
  readonly #codes = new Set<string>();

  halt(engine: EngineHandle, reason: string, code: string): void {
    this.#codes.add(code);
    engine.halt(reason, code);
  }

  /**
   * Drops `codes`; resumes the engine when no cause is left, neither here nor in the engine (its
   * `lift`: the risk layer's halt stays). Returns whether it resumed.
   */
  clear(engine: EngineHandle, codes: readonly string[], reason: string): boolean {
    for (const c of codes) this.#codes.delete(c);
    if (this.#codes.size > 0 || engine.tradingState !== 'HALTED') return false;
    if (engine.lift) return engine.lift(codes, reason);
    engine.resume(reason);
    return true;
  }

  get codes(): string[] { return [...this.#codes]; }
}
