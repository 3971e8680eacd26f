import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Fill } from '../domain/fill.js';
import type { Order } from '../domain/order.js';
import type { Position } from '../domain/position.js';
import type { BrokerProtocol } from '../protocols/broker.js';
import type { Strategy } from '../protocols/strategy.js';
import type { EngineMode } from './live-engine.js';

/** The engine's trading state. HALTED refuses new orders (cancels still pass). @public */
export type EngineTradingState = 'ACTIVE' | 'HALTED';

/** A serialisable copy of the engine's account view. @public */
export interface AccountSnapshot {
  cash: number;
  accountValue: number;
  positions: Position[];
  openOrders: Order[];
  lastPrices: Record<string, number>;
  timestamp: number;
}

/**
 * What extensions (state store, checkpoints, reconciler, dashboard) may see and do.
 * @public
 */
export interface EngineHandle {
  readonly clock: Clock;
  readonly logger: Logger;
  /** the broker as the engine uses it (after middleware: risk, journal) */
  readonly broker: BrokerProtocol;
  /**
   * `shadow`: orders never reach the venue (the broker above is the risk layer's virtual account).
   * Optional (handles written before it): an engine that does not say is taken for a venue run.
   */
  readonly mode?: EngineMode;
  readonly strategy: Strategy;
  readonly tradingState: EngineTradingState;
  /** stops new orders; `reason` is logged and reported in stats */
  halt(reason: string, code?: string): void;
  /** lifts a halt the engine itself raised (extensions decide when that is allowed) */
  resume(reason: string): void;
  /**
   * drops the halt causes `codes` and resumes only when no other cause (of any extension or the
   * risk layer) remains; returns whether it resumed. Optional: without it, callers use `resume`.
   */
  lift?(codes: readonly string[], reason: string): boolean;
  accountSnapshot(): AccountSnapshot;
  /** replaces the account view with the broker's truth (after reconciliation) */
  resyncAccount(): Promise<void>;
  /**
   * after a restart: market events at or before `timestamp` are skipped (they were processed
   * before the last checkpoint), so a replayed feed resumes where the previous run left off
   */
  skipUntil(timestamp: number): void;
  /**
   * after a restart: market events up to `timestamp` still reach the strategy (it catches up its
   * own state: indicators, counters) but orders are not sent (`ENGINE_CATCHING_UP`): those bars
   * were traded before the restart, and the venue already has what came of them
   */
  quietUntil(timestamp: number): void;
  /**
   * after a restart: last prices from before it (a checkpoint's `lastPrices`, seen at or before
   * `timestamp`) for symbols with no price yet, so restored positions are marked at them until new
   * market data arrives; returns how many were taken
   */
  seedPrices?(prices: Readonly<Record<string, unknown>>, timestamp: number): number;
  /** runs `fn` every `intervalMs` of engine time as a timer-priority event; returns a cancel fn */
  schedule(intervalMs: number, fn: () => void | Promise<void>): () => void;
}

/**
 * A lifecycle hook installed into the engine. Runs in installation order on connect and in
 * reverse order on stop. A throwing `onConnect` leaves the engine HALTED, never trading blind.
 * @public
 */
export interface EngineExtension {
  readonly name: string;
  /** after the broker connected, before the strategy starts: recovery, reconciliation */
  onConnect?(engine: EngineHandle): Promise<void>;
  /** every order update and fill the engine applied (after dedupe) */
  onOrderUpdate?(order: Order): void;
  onFill?(fill: Fill): void;
  /** before the broker disconnects: final checkpoint */
  onStop?(engine: EngineHandle): Promise<void>;
}
