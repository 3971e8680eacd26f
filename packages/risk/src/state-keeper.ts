import { performance } from 'node:perf_hooks';
import type { Clock, KeyValueStore, Logger, OrderIntent } from '@tradewire/core';
import { riskError } from './errors.js';
import { RiskStateStore, TRADING_STATE_RANK as RANK, type RiskAuditEntry, type RiskStateData } from './risk-state.js';

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
 * succeeds (F05). The keeper also adopts changes another process (the operator CLI) wrote: when it
 * re-reads the store (`sync`), and inside every write (`RiskStateStore.save` reads the stored
 * state in the same atomic step), so a write never replaces an operator's halt or resume it has
 * not seen. Both sides' changes are merged (`#merge`); `onAdopted` tells the owner when the
 * stored trading decision was taken.
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
  /** the trading decision (`decisionOf`) as last written or adopted: what a merge compares both sides with */
  #base: string;
  /** called after a write or a sync took another writer's trading decision */
  onAdopted: ((result: SyncResult) => void) | undefined;
  /** called before every write: puts what the owner keeps outside `state` into it (shadow mode's virtual account) */
  beforeWrite: ((state: RiskStateData) => void) | undefined;

  constructor(kv: KeyValueStore | undefined, prefix: string, clock: Clock, log: Logger, timing: KeeperTiming) {
    this.#log = log;
    this.#clock = clock;
    this.#timing = timing;
    this.store = new RiskStateStore(kv, prefix, log);
    this.state = this.store.load(clock.now()).state;
    this.#base = decisionOf(this.state);
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

  /** Writes now (merging a newer stored state first); throws a StateError when the store fails. */
  save(now: number): void {
    let took = false;
    this.beforeWrite?.(this.state);
    try {
      this.store.save(this.state, now, false, (stored) => { took = this.#merge(stored); });
      this.#written();
    } finally {
      if (took) this.onAdopted?.('reloaded'); // also when the write then failed: the merged decision is in force here
    }
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

  /** An operator command: written even over an unreadable stored state (`RiskStateStore.save` with `force`), with its audit entry. */
  saveForced(now: number, entry: RiskAuditEntry): void {
    let took = false;
    this.beforeWrite?.(this.state);
    try {
      this.store.save(this.state, now, true, (stored) => { took = this.#merge(stored); });
      this.store.audit(entry);
      this.#written();
    } finally {
      if (took) this.onAdopted?.('reloaded');
    }
  }

  /** Writes pending counters now. */
  flush(): void { if (this.#dirty) this.trySave(this.#clock.now()); }

  /** Appends an audit entry; a failure is logged by the store and otherwise ignored. */
  audit(entry: RiskAuditEntry): void {
    try { this.store.audit(entry); } catch { /* logged by the store */ }
  }

  /**
   * Adopts a state another process wrote (operator halt/resume), at most every `externalSyncMs`
   * of wall time (`force`: now); merged as in a write (`#merge`).
   */
  sync(wall: number, force = false): SyncResult {
    if (!this.store.durable) return 'unchanged';
    if (!force && wall - this.#lastSync < this.#timing.externalSyncMs) return 'unchanged';
    this.#lastSync = wall;
    const rev = this.store.peekRevision();
    if (rev === undefined || rev <= this.state.revision) return 'unchanged';
    const loaded = this.store.load(this.#clock.now());
    if (loaded.unreadable) { this.state = loaded.state; this.#base = decisionOf(this.state); return 'unreadable'; }
    this.#merge(loaded.state);
    return 'reloaded';
  }

  /**
   * Merges a stored state newer than ours into `this.state` (in place). The trading decision
   * (state, kill switch, trip) is theirs when only they changed it since `#base`, or both did and
   * theirs is at least as restrictive (a concurrent trip is never lifted by a resume that did not
   * see it; a concurrent halt always wins). Counters of the same session take the larger value;
   * everything else (marks, policy state, session) is ours: an operator command changes only the
   * decision. Returns true when their decision was taken.
   */
  #merge(stored: RiskStateData): boolean {
    const ours = this.state;
    const theirs = decisionOf(stored);
    const took = theirs !== this.#base && (decisionOf(ours) === this.#base || RANK[stored.tradingState] >= RANK[ours.tradingState]);
    if (took) {
      ours.tradingState = stored.tradingState;
      ours.killSwitch = stored.killSwitch;
      ours.trip = stored.trip;
      if (stored.highWaterMark === null) { ours.highWaterMark = null; ours.highWaterMarkAt = null; } // a resume restarts the peak
      this.#log.warn('risk: trading state changed by an operator command', { tradingState: ours.tradingState, killSwitch: ours.killSwitch });
    }
    if (stored.sessionDate === ours.sessionDate) {
      ours.ordersPlaced = Math.max(ours.ordersPlaced, stored.ordersPlaced);
      ours.dailyLoss = Math.max(ours.dailyLoss, stored.dailyLoss);
    }
    ours.revision = stored.revision;
    this.#base = decisionOf(ours);
    return took;
  }

  #written(): void {
    this.#base = decisionOf(this.state);
    this.#dirty = false;
    this.#writeFailing = false;
    this.#lastPersist = performance.now();
  }
}

/** The trading decision of a state, as one comparable string. */
function decisionOf(s: RiskStateData): string {
  const k = s.killSwitch;
  const t = s.trip;
  return `${s.tradingState}|${k.engaged}|${k.at ?? ''}|${k.by ?? ''}|${t ? `${t.code}|${t.at}|${t.by}` : ''}`;
}
