import type { FeedEvent } from '../domain/market-data.js';
import type { DataFeedProtocol } from '../protocols/feed.js';
import type { Clock } from '../clock.js';
import { SystemClock } from '../clock.js';
import type { Logger } from '../logger.js';
import { FeedGuard } from './feed-guard.js';

/** Options shared by historical feeds. @public */
export interface PacingOptions {
  /** 1 = real time, N = N× faster, 0 = as fast as possible (default 0) */
  speed?: number;
  /** wall clock used for pacing (default: system clock) */
  pacingClock?: Clock;
}

/** Options of `ReplayFeed`. @public */
export interface ReplayFeedOptions extends PacingOptions {
  /** only these symbols are emitted (default all) */
  symbols?: readonly string[] | undefined;
  /** where dropped records are reported (sampled) */
  logger?: Logger | undefined;
}

/**
 * Replays events from memory, in order. With `speed` 0 it offers a synchronous iterator so the
 * engine runs at full speed; otherwise it sleeps between events to keep the original pace / N.
 * Events pass a `FeedGuard` (symbol filter; data without a price, late records and repeated bars
 * dropped and counted in `dropped`); over an array this is done once, before the first event.
 * @public
 */
export class ReplayFeed implements DataFeedProtocol {
  readonly kind = 'pull' as const;
  #stopped = false;
  readonly #speed: number;
  readonly #clock: Clock;
  readonly #guard: () => FeedGuard;
  /** the array input after the guard (computed once) */
  #checked: readonly FeedEvent[] | undefined;
  /** records dropped by the guard (no price, late, repeated bar) in the last pass over the input */
  dropped = 0;
  constructor(private readonly events: readonly FeedEvent[] | (() => Iterable<FeedEvent>), readonly name = 'replay', options: ReplayFeedOptions = {}) {
    this.#speed = options.speed ?? 0;
    if (!(this.#speed >= 0) || !Number.isFinite(this.#speed)) throw new RangeError(`speed must be a finite number >= 0, got ${String(options.speed)}`);
    this.#clock = options.pacingClock ?? new SystemClock();
    this.#guard = () => new FeedGuard({ symbols: options.symbols, logger: options.logger, source: `replay feed '${name}'` });
  }
  /** aborted by `stop()`: ends a paced wait at once */
  #stop = new AbortController();
  async start(): Promise<void> { this.#stopped = false; this.#stop = new AbortController(); }
  async stop(): Promise<void> { this.#stopped = true; this.#stop.abort(); }
  expectedCount(): number | undefined { return Array.isArray(this.events) ? this.#array().length : undefined; }

  #source(): Iterable<FeedEvent> { return typeof this.events === 'function' ? this.#guarded(this.events()) : this.#array(); }

  /** The array input after the guard: the same array when every event passes (no copy). */
  #array(): readonly FeedEvent[] {
    if (this.#checked) return this.#checked;
    const arr = this.events as readonly FeedEvent[];
    const g = this.#guard();
    let out: FeedEvent[] | undefined;
    for (let i = 0; i < arr.length; i++) {
      const ev = arr[i]!;
      const ok = g.admit(ev);
      if (ok !== ev && !out) out = arr.slice(0, i);
      if (out && ok) out.push(ok);
    }
    this.dropped = g.dropped;
    this.#checked = out ?? arr;
    return this.#checked;
  }

  *#guarded(src: Iterable<FeedEvent>): Generator<FeedEvent> {
    const g = this.#guard();
    this.dropped = 0;
    for (const ev of src) {
      const ok = g.admit(ev);
      this.dropped = g.dropped;
      if (ok) yield ok;
    }
  }

  syncIterator(): Iterator<FeedEvent> | undefined {
    if (this.#speed !== 0) return undefined;
    if (!Array.isArray(this.events)) {
      const it = this.#source()[Symbol.iterator]();
      return { next: () => (this.#stopped ? { done: true, value: undefined } : it.next()) };
    }
    // over an array: one result object reused for every event (the engine reads it at once)
    const arr = this.#array();
    const r: { done: boolean; value: FeedEvent } = { done: false, value: undefined as unknown as FeedEvent };
    const end: IteratorResult<FeedEvent> = { done: true, value: undefined };
    let i = 0;
    return {
      next: (): IteratorResult<FeedEvent> => {
        if (this.#stopped || i >= arr.length) return end;
        r.value = arr[i++]!;
        return r as IteratorResult<FeedEvent>;
      },
    };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FeedEvent> {
    yield* paced(this.#source(), this.#speed, this.#clock, this.#stop.signal);
  }
}

/** Yields events, sleeping (timestamp gap / speed) between them; speed 0 never sleeps. Ends as soon as `stop` is aborted, also in the middle of a wait. */
export async function* paced(source: Iterable<FeedEvent> | AsyncIterable<FeedEvent>, speed: number, clock: Clock, stop: AbortSignal): AsyncGenerator<FeedEvent> {
  let prevTs: number | undefined;
  let started = 0;
  let firstTs = 0;
  for await (const ev of source as AsyncIterable<FeedEvent>) {
    if (stop.aborted) return;
    if (speed > 0) {
      if (prevTs === undefined) { started = clock.now(); firstTs = ev[0]; }
      else {
        const due = started + (ev[0] - firstTs) / speed;
        const wait = due - clock.now();
        // a gap in the data (a weekend at speed 1: two days) must not hold up a stop
        if (wait > 0) await clock.sleep(wait, stop).catch(() => undefined);
        if (stop.aborted) return;
      }
      prevTs = ev[0];
    }
    yield ev;
  }
}
