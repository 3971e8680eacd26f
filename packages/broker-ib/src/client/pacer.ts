import { VenueUnavailableError, type Clock, type TimerHandle } from '@tradewire/core';

/**
 * Paces outgoing messages to at most `perSecond` per second (sliding one-second window), on the
 * injected Clock. Jobs run in submission order; nothing is dropped.
 */
export class Pacer {
  readonly #sent: number[] = [];
  readonly #queue: { run: () => void; reject: (e: unknown) => void }[] = [];
  #timer: TimerHandle | undefined;

  constructor(private readonly clock: Clock, private readonly perSecond: number) {}

  /** Runs `job` as soon as the rate allows; resolves after it ran. */
  run(job: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ run: () => { try { job(); resolve(); } catch (e) { reject(e); } }, reject });
      this.#drain();
    });
  }

  get queued(): number { return this.#queue.length; }

  /** Fails queued jobs (on disconnect): they were never sent. */
  clear(): void {
    for (const q of this.#queue.splice(0)) q.reject(new VenueUnavailableError('IB: connection lost before the message was sent'));
    if (this.#timer) { this.clock.clearTimeout(this.#timer); this.#timer = undefined; }
  }

  #drain(): void {
    if (this.#timer) return;
    while (this.#queue.length > 0) {
      const now = this.clock.now();
      while (this.#sent.length > 0 && (this.#sent[0] ?? 0) <= now - 1000) this.#sent.shift();
      if (this.#sent.length >= Math.floor(this.perSecond) && this.#sent.length > 0) {
        const wait = (this.#sent[0] ?? now) + 1000 - now;
        this.#timer = this.clock.setTimeout(() => { this.#timer = undefined; this.#drain(); }, Math.max(1, wait));
        return;
      }
      this.#sent.push(now);
      this.#queue.shift()?.run();
    }
  }
}
