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
  /**
   * check every event (`FeedGuard`: data without a price, late records and repeated bars dropped,
   * counted in `dropped`, logged). Default false: events built in code are trusted as typed (a
   * check costs about a fifth of a bar's time in a backtest); turn it on for data of unknown
   * quality. Set `symbols` and the guard runs anyway, to filter.
   */
  validate?: boolean | undefined;
}

/**
 * Replays events from memory, in order. With `speed` 0 it offers a synchronous iterator so the
 * engine runs at full speed; otherwise it sleeps between events to keep the original pace / N.
 * With `validate` (or `symbols`) events pass a `FeedGuard` (symbol filter; data without a price,
 * late records and repeated bars dropped and counted in `dropped`), each as it is handed out.
 * @public
 */
export class ReplayFeed implements DataFeedProtocol {
  readonly kind = 'pull' as const;
  #stopped = false;
  readonly #speed: number;
  readonly #clock: Clock;
  /** undefined: events are handed out unchecked (`validate` off, no `symbols`) */
  readonly #guard: (() => FeedGuard) | undefined;
  /** the guard of the current (last) pass over the input */
  #pass: FeedGuard | undefined;
  /** records dropped by the guard (no price, late, repeated bar) in the current (last) pass over the input */
  get dropped(): number { return this.#pass?.dropped ?? 0; }
  constructor(private readonly events: readonly FeedEvent[] | (() => Iterable<FeedEvent>), readonly name = 'replay', options: ReplayFeedOptions = {}) {
    this.#speed = options.speed ?? 0;
    if (!(this.#speed >= 0) || !Number.isFinite(this.#speed)) throw new RangeError(`speed must be a finite number >= 0, got ${String(options.speed)}`);
    this.#clock = options.pacingClock ?? new SystemClock();
    const filtered = options.symbols !== undefined && options.symbols.length > 0;
    this.#guard = options.validate === true || filtered ? () => new FeedGuard({ symbols: options.symbols, logger: options.logger, source: `replay feed '${name}'` }) : undefined;
  }
  /** aborted by `stop()`: ends a paced wait at once */
  #stop = new AbortController();
  async start(): Promise<void> { this.#stopped = false; this.#stop = new AbortController(); }
  async stop(): Promise<void> { this.#stopped = true; this.#stop.abort(); }
  /** the array's length (an upper bound: the guard may drop some) */
  expectedCount(): number | undefined { return Array.isArray(this.events) ? this.events.length : undefined; }

  #source(): Iterable<FeedEvent> {
    const src = typeof this.events === 'function' ? this.events() : this.events;
    return this.#guard ? this.#guarded(src, this.#guard()) : src;
  }

  *#guarded(src: Iterable<FeedEvent>, g: FeedGuard): Generator<FeedEvent> {
    this.#pass = g;
    for (const ev of src) {
      const ok = g.admit(ev);
      if (ok) yield ok;
    }
  }

  syncIterator(): Iterator<FeedEvent> | undefined {
    if (this.#speed !== 0) return undefined;
    if (!Array.isArray(this.events)) {
      const it = this.#source()[Symbol.iterator]();
      return { next: () => (this.#stopped ? { done: true, value: undefined } : it.next()) };
    }
    // over an array: one result object reused for every event (the engine reads it at once); each
    // event is checked as it is handed out, while the engine is about to read it anyway (a pass of
    // its own before the first event would read every event from memory twice)
    const arr = this.events as readonly FeedEvent[];
    const r: { done: boolean; value: FeedEvent } = { done: false, value: undefined as unknown as FeedEvent };
    const end: IteratorResult<FeedEvent> = { done: true, value: undefined };
    let i = 0;
    if (!this.#guard) {
      return {
        next: (): IteratorResult<FeedEvent> => {
          if (this.#stopped || i >= arr.length) return end;
          r.value = arr[i++]!;
          return r as IteratorResult<FeedEvent>;
        },
      };
    }
    const g = this.#pass = this.#guard();
    return {
      next: (): IteratorResult<FeedEvent> => {
        while (!this.#stopped && i < arr.length) {
          const ok = g.admit(arr[i++]!);
          if (ok === undefined) continue;
          r.value = ok;
          return r as IteratorResult<FeedEvent>;
        }
        return end;
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
