import type { Logger, Order, RiskRejection } from '@tradewire/core';
import type { LiveRiskConfig } from './config.js';
import { CircuitBreakers, type BreakerTrip } from './circuit-breakers.js';
import { clearKillSwitch, engageKillSwitch } from './kill-switch.js';
import { TRADING_STATE_RANK as RANK, type RiskAuditEntry, type RiskStateData } from './risk-state.js';
import { SessionCalendar } from './session.js';
import type { RiskStateKeeper, SyncResult } from './state-keeper.js';

/**
 * The trading-state machine: ACTIVE → REDUCING → HALTED, moved by the circuit breakers and the
 * kill switch, back to ACTIVE only by an explicit resume (or a cool-down, when configured). It
 * also keeps what the breakers watch: equity, its rolling peak (high-water mark), drawdown and
 * the session's loss, and resets the daily counters at the session boundary.
 *
 * Per order: `gate` is two comparisons while ACTIVE. Per bar: `rollSession` is a cached range
 * check, `markEquity` a few comparisons plus the amortised O(1) rolling peak. Every decision
 * (trip, resume, session reset) is written at once; marks are written behind by the keeper.
 */
export class TradingStateMachine {
  readonly breakers: CircuitBreakers;
  readonly #cfg: LiveRiskConfig;
  readonly #keeper: RiskStateKeeper;
  readonly #calendar: SessionCalendar;
  readonly #log: Logger;
  /**
   * the last marked equity, kept unboxed: a field that may hold undefined stores every new number
   * as a fresh heap box (an allocation and a write barrier per bar); `#marked`: there is one
   */
  #equityValue = 0;
  #marked = false;
  #drawdownPct = 0;
  /** client order ids of venue rejections already counted (the last 1 024) */
  readonly #rejected = new Set<string>();

  /** `onChange`: called after every decision that may have changed the trading state (trip, resume, halt, adoption) */
  constructor(cfg: LiveRiskConfig, keeper: RiskStateKeeper, log: Logger, private readonly onChange: () => void = () => {}) {
    this.#cfg = cfg;
    this.#keeper = keeper;
    this.#log = log;
    this.#calendar = new SessionCalendar(cfg.session.timeZone, cfg.session.boundary);
    this.breakers = new CircuitBreakers(cfg);
    const s = keeper.state;
    if (s.highWaterMark !== null && s.highWaterMarkAt !== null) this.breakers.peak.push(s.highWaterMarkAt, s.highWaterMark);
  }

  get equity(): number | undefined { return this.#marked ? this.#equityValue : undefined; }
  get drawdownPct(): number { return this.#drawdownPct; }

  /** The refusal the trading state gives an order (undefined: it passes). */
  gate(reduces: boolean, closes: boolean): RiskRejection | undefined {
    const s = this.#keeper.state;
    if (s.tradingState === 'ACTIVE' && !s.killSwitch.engaged) return undefined;
    const trip = s.trip;
    if (s.killSwitch.engaged || s.tradingState === 'HALTED') {
      if (closes) return undefined;
      const code = s.killSwitch.engaged && this.#cfg.killSwitchEnabled ? 'RISK_KILL_SWITCH' : 'RISK_HALTED';
      return { policy: 'trading_state', code, message: `trading is HALTED${trip ? ` (${trip.breaker}: ${trip.reason})` : ''}; only closing orders and cancels are allowed`, limit: 'HALTED', value: trip?.code ?? 'HALTED' };
    }
    if (reduces) return undefined;
    return { policy: 'trading_state', code: 'RISK_REDUCING_ONLY', message: `trading is REDUCING${trip ? ` (${trip.breaker}: ${trip.reason})` : ''}; only risk-reducing orders are allowed`, limit: 'REDUCING', value: trip?.code ?? 'REDUCING' };
  }

  /** Counts an order attempt (the runaway-loop breaker). */
  recordAttempt(now: number): void {
    const t = this.breakers.recordAttempt(now);
    if (t) this.trip(t, now);
  }

  /** Counts an error (venue rejection, broker error, reported error). */
  recordError(now: number, source: string, error: unknown): void {
    this.#log.warn('risk: error counted', { source, error: error instanceof Error ? error.message : error === undefined ? null : String(error) });
    const t = this.breakers.recordError(now);
    if (t) this.trip(t, now);
  }

  /** Counts a venue rejection once per order, whether it arrives as the submit result, an update, or both. */
  recordRejection(o: Order, now: number): void {
    const seen = this.#rejected;
    if (seen.has(o.clientOrderId)) return;
    seen.add(o.clientOrderId);
    if (seen.size > 1024) seen.delete(seen.values().next().value as string);
    this.recordError(now, 'venue-rejection', o.rejectionReason);
  }

  /** Applies a breaker trip: never relaxes the state, never re-trips; persisted and audited at once. */
  trip(t: BreakerTrip, now: number): void {
    const s = this.#keeper.state;
    const from = s.tradingState;
    if (RANK[t.action] < RANK[from] || (RANK[t.action] === RANK[from] && s.trip)) return;
    s.tradingState = t.action;
    const trip: RiskStateData['trip'] = { breaker: t.breaker, code: t.code, reason: t.reason, at: now, by: `breaker:${t.breaker}` };
    const cb = this.#cfg.circuitBreakers.resume;
    if (cb.mode === 'cooldown') trip.resumeAfter = now + cb.cooldownSeconds * 1000;
    s.trip = trip;
    // with manual resume a HALTED trip engages the kill switch; a cool-down trip only halts (the
    // kill switch itself is never cleared by anything but an explicit command)
    if (t.action === 'HALTED' && this.#cfg.killSwitchEnabled && cb.mode === 'manual') s.killSwitch = { engaged: true, reason: t.reason, by: `breaker:${t.breaker}`, at: now };
    const entry: RiskAuditEntry = { action: 'trip', by: `breaker:${t.breaker}`, at: now, reason: t.reason, from, to: t.action };
    this.#log.error('risk: circuit breaker tripped', { breaker: t.breaker, code: t.code, reason: t.reason, state: t.action });
    this.#keeper.trySave(now);
    this.#keeper.audit(entry);
    this.onChange();
  }

  /** Resets the daily counters when the session label changes (never backwards). */
  rollSession(ts: number): void {
    const label = this.#calendar.label(ts);
    const s = this.#keeper.state;
    if (s.sessionDate === label) return;
    if (s.sessionDate !== null && label < s.sessionDate) return; // clock stepped back: never un-reset
    const first = s.sessionDate === null;
    s.sessionDate = label;
    if (!first) {
      this.#log.info('risk: new trading session; daily counters reset', { session: label, ordersPlaced: s.ordersPlaced, dailyLoss: s.dailyLoss });
      s.ordersPlaced = 0;
      s.dailyLoss = 0;
      s.sessionStartEquity = this.equity ?? null;
    }
    // written behind like the counters it resets: if a crash loses it, the restarted engine sees
    // the same session change on its first bar and resets again (a replay crosses a day every
    // 1440 one-minute bars; writing each roll at once stalled on the journal writer's lock)
    this.#keeper.markDirty();
  }

  /** Marks account equity: high-water mark, drawdown and daily loss, their breakers, a due cool-down resume. */
  markEquity(ts: number, equity: number): void {
    this.#equityValue = equity;
    this.#marked = true;
    const s = this.#keeper.state;
    const peak = this.breakers.peak;
    const dd = this.breakers.markEquity(ts, equity);
    this.#drawdownPct = dd;
    const hwm = peak.peak() ?? equity;
    let dirty = false;
    if (s.highWaterMark !== hwm) { s.highWaterMark = hwm; s.highWaterMarkAt = peak.peakAt() ?? ts; dirty = true; }
    if (s.sessionStartEquity === null) { s.sessionStartEquity = equity; dirty = true; }
    const loss = Math.max(0, s.sessionStartEquity - equity);
    if (loss !== s.dailyLoss) { s.dailyLoss = loss; dirty = true; }
    if (dirty) this.#keeper.markDirty();
    const ddTrip = this.breakers.checkDrawdown(dd);
    if (ddTrip) this.trip(ddTrip, ts);
    if (s.dailyLossTrippedSession !== s.sessionDate) {
      const dl = this.breakers.checkDailyLoss(loss);
      if (dl) { s.dailyLossTrippedSession = s.sessionDate; this.trip(dl, ts); }
    }
    if (s.trip !== null) this.#maybeCooldownResume(ts);
    this.#keeper.writeBehind(ts);
  }

  /** Engages the kill switch (persisted, audited). */
  halt(reason: string, by: string, now: number): RiskAuditEntry {
    const entry = engageKillSwitch(this.#keeper.state, { reason, by, at: now });
    this.#keeper.saveForced(now, entry);
    this.onChange();
    return entry;
  }

  /** Clears the kill switch or a breaker trip and restarts the drawdown peak (persisted, audited). */
  resume(reason: string, by: string, now: number): RiskAuditEntry {
    const entry = clearKillSwitch(this.#keeper.state, { reason, by, at: now });
    this.breakers.peak.reset();
    this.#keeper.saveForced(now, entry);
    this.onChange();
    return entry;
  }

  /** After the keeper adopted another writer's state: a cleared high-water mark restarts the peak. */
  adopted(result: SyncResult): void {
    if (result === 'reloaded' && this.#keeper.state.highWaterMark === null) this.breakers.peak.reset();
    this.onChange();
  }

  #maybeCooldownResume(now: number): void {
    const s = this.#keeper.state;
    const trip = s.trip;
    if (!trip || trip.resumeAfter === undefined || now < trip.resumeAfter) return;
    if (trip.breaker === 'manual' || trip.breaker === 'state' || s.killSwitch.engaged) return;
    if (!this.breakers.cleared(trip.breaker, now, this.#drawdownPct, s.dailyLoss)) return;
    const from = s.tradingState;
    s.tradingState = 'ACTIVE';
    s.trip = null;
    if (trip.breaker === 'drawdown') { this.breakers.peak.reset(); s.highWaterMark = null; s.highWaterMarkAt = null; }
    this.#log.warn('risk: trading resumed after cool-down', { breaker: trip.breaker });
    this.#keeper.trySave(now);
    this.#keeper.audit({ action: 'auto-resume', by: 'cooldown', at: now, reason: `cool-down after ${trip.breaker}: ${trip.reason}`, from, to: 'ACTIVE' });
    this.onChange();
  }
}
