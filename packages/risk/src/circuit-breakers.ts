import type { LiveRiskConfig } from './config.js';
import { SlidingWindowCounter } from './sliding-window.js';
import { fmt } from './format.js';
import { reachesLimit } from './limit-compare.js';

/** A breaker that fired: SafeBroker moves the trading state to `action`. @public */
export interface BreakerTrip {
  breaker: 'drawdown' | 'daily_loss' | 'order_rate' | 'error_rate' | 'manual';
  code: string;
  reason: string;
  action: 'REDUCING' | 'HALTED';
}

/** Stable codes of the breakers. @public */
export const BREAKER_CODES = {
  drawdown: 'RISK_BREAKER_DRAWDOWN',
  daily_loss: 'RISK_BREAKER_DAILY_LOSS',
  order_rate: 'RISK_BREAKER_ORDER_RATE',
  error_rate: 'RISK_BREAKER_ERROR_RATE',
  manual: 'RISK_KILL_SWITCH',
} as const;

/**
 * Rolling maximum of equity over a lookback (monotonic deque on two number arrays: amortised
 * O(1) per mark, no allocation per mark).
 * @public
 */
export class RollingPeak {
  #t: number[] = [];
  #v: number[] = [];
  #head = 0;
  constructor(readonly lookbackMs: number) {}
  push(ts: number, value: number): number {
    const t = this.#t, v = this.#v;
    while (v.length > this.#head && (v[v.length - 1] as number) <= value) { v.pop(); t.pop(); }
    t.push(ts); v.push(value);
    const cut = ts - this.lookbackMs;
    let h = this.#head;
    while (h < t.length - 1 && (t[h] as number) < cut) h++;
    if (h > 1024 && h * 2 > t.length) { this.#t = t.slice(h); this.#v = v.slice(h); h = 0; }
    this.#head = h;
    return this.#v[this.#head] as number;
  }
  peak(): number | undefined { return this.#v.length > this.#head ? this.#v[this.#head] : undefined; }
  peakAt(): number | undefined { return this.#t.length > this.#head ? this.#t[this.#head] : undefined; }
  reset(): void { this.#t = []; this.#v = []; this.#head = 0; }
}

/**
 * The circuit breakers: drawdown from the peak over a lookback, daily loss, order-attempt rate,
 * error rate (manual trips go through the kill switch). Each method is O(1) and returns a trip
 * or undefined; SafeBroker applies trips to the persisted trading state.
 * @public
 */
export class CircuitBreakers {
  readonly peak: RollingPeak;
  readonly #attempts = new SlidingWindowCounter(60_000);
  readonly #errors: SlidingWindowCounter;
  readonly #ddPct: number;
  /**
   * the settings read on every bar or order, read once like `#ddPct` (the config is not changed
   * after it is parsed): each read through `config.circuitBreakers.…` is a chain of dependent loads
   */
  readonly #drawdownOn: boolean;
  readonly #dailyLossOn: boolean;
  readonly #maxDailyLoss: number;
  readonly #maxAttempts: number;
  /** last marked equity: the scale of the daily loss's rounding */
  #equity = 0;
  constructor(private readonly config: LiveRiskConfig) {
    const cb = config.circuitBreakers;
    this.peak = new RollingPeak(cb.drawdown.lookbackMinutes * 60_000);
    this.#errors = new SlidingWindowCounter(cb.errorRate.windowSeconds * 1000);
    this.#ddPct = cb.drawdown.pct !== Infinity ? cb.drawdown.pct : config.maxDrawdownPct;
    this.#drawdownOn = cb.drawdown.enabled;
    this.#dailyLossOn = cb.dailyLoss.enabled;
    this.#maxDailyLoss = config.maxDailyLoss;
    this.#maxAttempts = cb.orderRate.maxAttemptsPerMinute;
  }

  /** drawdown threshold in % (circuitBreakers.drawdown.pct, else maxDrawdownPct) */
  get drawdownLimitPct(): number { return this.#ddPct; }

  /** Marks equity; returns the current drawdown % from the rolling peak. */
  markEquity(ts: number, equity: number): number {
    this.#equity = equity;
    const p = this.peak.push(ts, equity);
    return p > 0 && equity < p ? ((p - equity) / p) * 100 : 0;
  }

  /** Trips when the drawdown reaches the threshold (up to rounding: limit-compare.ts; a % of the peak, scale 100). */
  checkDrawdown(drawdownPct: number): BreakerTrip | undefined {
    if (!this.#drawdownOn || !(drawdownPct > 0) || !this.#drawdownReached(drawdownPct)) return undefined;
    return { breaker: 'drawdown', code: BREAKER_CODES.drawdown, action: this.config.circuitBreakers.drawdown.action, reason: `drawdown ${drawdownPct.toFixed(4)}% reached ${this.#ddPct}%` };
  }

  /** Trips when the day's loss reaches maxDailyLoss (up to the rounding of the equities it is the difference of). */
  checkDailyLoss(dailyLoss: number): BreakerTrip | undefined {
    const limit = this.#maxDailyLoss;
    if (!this.#dailyLossOn || !(dailyLoss > 0) || !this.#dailyLossReached(dailyLoss)) return undefined;
    return { breaker: 'daily_loss', code: BREAKER_CODES.daily_loss, action: this.config.circuitBreakers.dailyLoss.action, reason: `daily loss ${fmt(dailyLoss, limit)} reached maxDailyLoss ${limit}` };
  }

  /** Counts one order attempt (accepted or refused). */
  recordAttempt(now: number): BreakerTrip | undefined {
    const max = this.#maxAttempts;
    if (max === Infinity) return undefined;
    this.#attempts.add(now);
    const n = this.#attempts.count(now);
    if (n <= max) return undefined;
    return { breaker: 'order_rate', code: BREAKER_CODES.order_rate, action: this.config.circuitBreakers.orderRate.action, reason: `${n} order attempts in 60s (max ${max}): runaway order loop` };
  }

  /** Counts one error (venue rejection, broker error, reported strategy error); trips above maxErrors in the window (like orderRate). */
  recordError(now: number): BreakerTrip | undefined {
    const er = this.config.circuitBreakers.errorRate;
    if (er.maxErrors === Infinity) return undefined;
    this.#errors.add(now);
    const n = this.#errors.count(now);
    if (n <= er.maxErrors) return undefined;
    return { breaker: 'error_rate', code: BREAKER_CODES.error_rate, action: er.action, reason: `${n} errors in ${er.windowSeconds}s (max ${er.maxErrors})` };
  }

  /** drawdown ≥ maxDrawdownPct up to rounding (a % of the peak: scale 100) */
  #drawdownReached(drawdownPct: number): boolean { return reachesLimit(drawdownPct, this.#ddPct, 100); }

  /** daily loss ≥ maxDailyLoss up to the rounding of the equities it is the difference of (scale: session-start equity) */
  #dailyLossReached(dailyLoss: number): boolean { return reachesLimit(dailyLoss, this.#maxDailyLoss, this.#equity + dailyLoss); }

  /** Is the cause of a trip gone (for cool-down resume)? */
  cleared(breaker: string, now: number, drawdownPct: number, dailyLoss: number): boolean {
    switch (breaker) {
      case 'drawdown': return !this.#drawdownReached(drawdownPct);
      case 'daily_loss': return !this.#dailyLossReached(dailyLoss);
      case 'order_rate': return this.#attempts.count(now) <= this.#maxAttempts;
      case 'error_rate': return this.#errors.count(now) <= this.config.circuitBreakers.errorRate.maxErrors;
      default: return false; // manual, state: never by themselves
    }
  }
}
