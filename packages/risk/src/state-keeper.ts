import type { Clock, KeyValueStore, Logger, OrderIntent } from '@tradewire/core';
import { riskError } from './errors.js';
import { RiskStateStore, type RiskAuditEntry, type RiskStateData } from './risk-state.js';

/** What `RiskStateKeeper.sync` found in the store. */
export type SyncResult = 'unchanged' | 'reloaded' | 'unreadable';

/** Write-behind and external-sync timing (wall ms). */
export interface KeeperTiming {
  /** the order counter and equity marks are written at most this often; 0: on every change */
  persistIntervalMs: number;
  /** the store is re-read for operator commands from another process at most this often */
  externalSyncMs: number;
}

/**
 * Owns the durable risk state and decides when it is written. Two kinds of change:
 *
 * - **decisions** (trading state, kill switch, trip, session reset, operator commands) are
 *   written at once (`save` / `trySave` / `saveForced`): a trip or a halt is never lost;
 * - **counters and marks** (orders placed, daily loss, high-water mark, policy state) only
 *   `markDirty()` and are written behind, at most every `persistIntervalMs` of wall time, and on
 *   `flush()` (engine stop, disconnect). A restart loses at most that window of counters; the
 *   daily loss and the peak are re-derived from the account on the next mark.
 *
 * After a failed write every order retries it, and risk-increasing orders are refused until it
 * succeeds (F05). The keeper also adopts changes another process (the operator CLI) wrote.
 */
export class RiskStateKeeper {
  readonly store: RiskStateStore;
  /** the current state; replaced (not mutated) when another writer's state is adopted */
  state: RiskStateData;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #timing: KeeperTiming;
  #dirty = false;
  #writeFailing = false;
  #lastPersist = -Infinity;
  #lastSync = 0;
  #marks = 0;

  constructor(kv: KeyValueStore | undefined, prefix: string, clock: Clock, log: Logger, timing: KeeperTiming) {
    this.#log = log;
    this.#clock = clock;
    this.#timing = timing;
    this.store = new RiskStateStore(kv, prefix, log);
    this.state = this.store.load(clock.now()).state;
  }

  get durable(): boolean { return this.store.durable; }

  /** A counter, mark or policy state changed: written behind. */
  markDirty(): void { this.#dirty = true; }

  /**
   * Counts an accepted order. Written behind, unless a previous write failed: then it is written
   * now, and when that fails too a risk-increasing order is refused (the count is taken back).
   */
  countOrder(now: number, wall: number, reduces: boolean, intent: OrderIntent): void {
    this.state.ordersPlaced++;
    if (!this.#writeFailing && (wall - this.#lastPersist < this.#timing.persistIntervalMs || this.#shouldWait(wall))) { this.#dirty = true; return; }
    try {
      this.save(now);
    } catch (err) {
      this.#writeFailing = true;
      if (!reduces) {
        this.state.ordersPlaced--;
        this.#log.error('risk: ALERT risk state not writable; refusing risk-increasing order', { error: err, clientOrderId: intent.clientOrderId });
        throw riskError({ policy: 'risk_state', code: 'RISK_STATE_UNWRITABLE', message: 'risk state could not be persisted; only reducing orders and cancels are allowed' }, intent);
      }
      this.#log.error('risk: ALERT risk state not writable; reducing order allowed through', { error: err, clientOrderId: intent.clientOrderId });
    }
  }

  /** Per bar: writes pending counters when the write-behind interval has passed (the wall clock is read every 64th dirty bar). */
  writeBehind(now: number): void {
    if (!this.#dirty) return;
    const every = this.#timing.persistIntervalMs;
    if (every === 0) { this.trySave(now); return; }
    if ((++this.#marks & 63) !== 0) return;
    const wall = performance.now();
    if (wall - this.#lastPersist >= every && !this.#shouldWait(wall)) this.trySave(now);
  }

  /**
   * Counters may wait while the store's other writer (the journal's SQLite writer) is committing:
   * a write now would stall the order path on its lock (tens of ms). They wait at most 4× the
   * interval, then are written anyway. Decisions never wait.
   */
  #shouldWait(wall: number): boolean {
    return this.#timing.persistIntervalMs > 0 && this.store.busy && wall - this.#lastPersist < 4 * this.#timing.persistIntervalMs;
  }

  /** Writes now; throws a StateError when the store fails. */
  save(now: number): void {
    this.store.save(this.state, now);
    this.#written();
  }

  /**
   * Writes now; a failure is logged (ALERT) and retried: by the next order, and (the state is
   * left dirty) by the write-behind on the next bars and by `flush`, so a trip written while
   * the store fails is not lost when no order follows (a HALTED state refuses them).
   */
  trySave(now: number): void {
    try { this.save(now); } catch (err) {
      this.#writeFailing = true;
      if (this.store.writeBlocked) return; // unreadable stored state: stays HALTED in memory until an operator command
      this.#dirty = true;
      this.#log.error('risk: ALERT risk state could not be persisted', { error: err });
    }
  }

  /** An operator command: written even over an unreadable stored state, with its audit entry. */
  saveForced(now: number, entry: RiskAuditEntry): void {
    this.store.save(this.state, now, true);
    this.store.audit(entry);
    this.#written();
  }

  /** Writes pending counters now. */
  flush(): void { if (this.#dirty) this.trySave(this.#clock.now()); }

  /** Appends an audit entry; a failure is logged by the store and otherwise ignored. */
  audit(entry: RiskAuditEntry): void {
    try { this.store.audit(entry); } catch { /* logged by the store */ }
  }

  /**
   * Adopts a state another process wrote (operator halt/resume), at most every `externalSyncMs`
   * of wall time (`force`: now). Counters only move up; the operator's trading-state decision wins.
   */
  sync(wall: number, force = false): SyncResult {
    if (!this.store.durable) return 'unchanged';
    if (!force && wall - this.#lastSync < this.#timing.externalSyncMs) return 'unchanged';
    this.#lastSync = wall;
    const rev = this.store.peekRevision();
    const cur = this.state;
    if (rev === undefined || rev <= cur.revision) return 'unchanged';
    const loaded = this.store.load(this.#clock.now());
    if (loaded.unreadable) { this.state = loaded.state; return 'unreadable'; }
    const s = loaded.state;
    const changed = s.tradingState !== cur.tradingState || s.killSwitch.engaged !== cur.killSwitch.engaged;
    s.ordersPlaced = Math.max(s.ordersPlaced, cur.ordersPlaced);
    if (s.sessionDate === cur.sessionDate) s.dailyLoss = Math.max(s.dailyLoss, cur.dailyLoss);
    this.state = s;
    if (changed) this.#log.warn('risk: trading state changed by an operator command', { tradingState: s.tradingState, killSwitch: s.killSwitch });
    return 'reloaded';
  }

  #written(): void {
    this.#dirty = false;
    this.#writeFailing = false;
    this.#lastPersist = performance.now();
  }
}
