/**
 * Every timestamp and timeout in Tradewire goes through a Clock, so replay and tests run on
 * simulated time and live runs on wall time. Times are milliseconds since the Unix epoch.
 * @public
 */
export interface Clock {
  now(): number;
  /** resolves after `ms` of this clock's time */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
export interface TimerHandle { readonly id: number }

/** Wall-clock time. */
export class SystemClock implements Clock {
  #timers = new Map<number, NodeJS.Timeout>();
  #seq = 0;
  now(): number { return Date.now(); }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) { reject(signal.reason ?? new Error('aborted')); return; }
      const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, Math.max(0, ms));
      const onAbort = (): void => { clearTimeout(t); reject(signal?.reason ?? new Error('aborted')); };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#seq;
    const t = setTimeout(() => { this.#timers.delete(id); fn(); }, Math.max(0, ms));
    t.unref?.();
    this.#timers.set(id, t);
    return { id };
  }
  clearTimeout(handle: TimerHandle): void {
    const t = this.#timers.get(handle.id);
    if (t) { clearTimeout(t); this.#timers.delete(handle.id); }
  }
}

interface SimTimer { id: number; at: number; fn: () => void }

/**
 * Simulated time: advances only when told (`set`/`advance`), firing due timers in order.
 * The engine drives it from event timestamps in replay; tests drive it by hand.
 */
export class SimulatedClock implements Clock {
  // number-only fields (initialised with numbers, NaN for none): `#now` is set on every event, and
  // a field declared without an initialiser starts as `undefined`, so it would store every new
  // time as a fresh heap box (an allocation and a write-barrier call per event)
  #now = 0;
  #timers: SimTimer[] = [];
  #seq = 0;
  /** while `set` fires the timers of a jump: where the jump ends (NaN: not in a jump) */
  #target = NaN;
  constructor(start = 0) { this.#now = start; }
  now(): number { return this.#now; }
  /**
   * Where time is going: during `set(t)` (in a timer it fires) `t`, otherwise `now()`. A periodic
   * job uses it to fold the periods a jump skips over into one run instead of one run each.
   */
  settlingTo(): number { return Number.isNaN(this.#target) ? this.#now : this.#target; }
  /** Moves time forward to `t` (never backwards), firing due timers. */
  set(t: number): void {
    if (t < this.#now) return;
    if (this.#timers.length === 0) { this.#now = t; return; }
    const outer = this.#target;
    this.#target = Math.max(t, Number.isNaN(outer) ? t : outer);
    try {
      for (;;) {
        const next = this.#nextDue(t);
        if (!next) break;
        this.#now = Math.max(this.#now, next.at);
        this.#timers.splice(this.#timers.indexOf(next), 1);
        next.fn();
      }
    } finally {
      this.#target = outer;
    }
    this.#now = Math.max(this.#now, t);
  }
  advance(ms: number): void { this.set(this.#now + ms); }
  pendingTimers(): number { return this.#timers.length; }
  #nextDue(t: number): SimTimer | undefined {
    let best: SimTimer | undefined;
    for (const tm of this.#timers) if (tm.at <= t && (!best || tm.at < best.at || (tm.at === best.at && tm.id < best.id))) best = tm;
    return best;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#seq;
    this.#timers.push({ id, at: this.#now + Math.max(0, ms), fn });
    return { id };
  }
  clearTimeout(handle: TimerHandle): void {
    const i = this.#timers.findIndex((t) => t.id === handle.id);
    if (i >= 0) this.#timers.splice(i, 1);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) { reject(signal.reason ?? new Error('aborted')); return; }
      const h = this.setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
      const onAbort = (): void => { this.clearTimeout(h); reject(signal?.reason ?? new Error('aborted')); };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
