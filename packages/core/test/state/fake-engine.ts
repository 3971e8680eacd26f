import {
  SimulatedClock, MemoryLogger, type AccountSnapshot, type BrokerProtocol, type EngineHandle, type EngineMode, type EngineTradingState, type Strategy,
} from '@tradewire/core';

/** A minimal EngineHandle for extension tests. */
export class FakeEngine implements EngineHandle {
  readonly logger = new MemoryLogger();
  tradingState: EngineTradingState = 'ACTIVE';
  mode: EngineMode = 'live';
  haltCodes: string[] = [];
  resyncs = 0;
  scheduled: { intervalMs: number; fn: () => void | Promise<void> }[] = [];
  constructor(readonly broker: BrokerProtocol, readonly strategy: Strategy = { onData() {} }, readonly clock: SimulatedClock = new SimulatedClock(10_000)) {}
  halt(_reason: string, code = 'HALTED'): void { this.tradingState = 'HALTED'; this.haltCodes.push(code); }
  resume(): void { this.tradingState = 'ACTIVE'; }
  accountSnapshot(): AccountSnapshot { return { cash: 1, accountValue: 1, positions: [], openOrders: [], lastPrices: { AAPL: 100 }, timestamp: this.clock.now() }; }
  async resyncAccount(): Promise<void> { this.resyncs++; }
  skippedUntil = Number.NEGATIVE_INFINITY;
  quietUntilTs = Number.NEGATIVE_INFINITY;
  skipUntil(timestamp: number): void { this.skippedUntil = Math.max(this.skippedUntil, timestamp); }
  quietUntil(timestamp: number): void { this.quietUntilTs = Math.max(this.quietUntilTs, timestamp); }
  schedule(intervalMs: number, fn: () => void | Promise<void>): () => void {
    const e = { intervalMs, fn };
    this.scheduled.push(e);
    return () => { this.scheduled = this.scheduled.filter((x) => x !== e); };
  }
}
