import type { FeedEvent } from '../domain/market-data.js';
import type { DataFeedProtocol } from '../protocols/feed.js';
import { SystemClock, type Clock } from '../clock.js';
import { BarAggregator, type BarAggregatorOptions } from './bar-aggregator.js';

/**
 * Wraps a feed with a `BarAggregator`: downstream sees only closed N-ms bars. For push feeds a
 * timer flushes a bar whose period ended `flushAfterMs` ago without newer data; at the end of
 * the input every bar still open is emitted.
 * @public
 */
export class AggregatedFeed implements DataFeedProtocol {
  readonly name: string;
  readonly kind: 'pull' | 'push';
  readonly aggregator: BarAggregator;
  #stopped = false;
  constructor(private readonly inner: DataFeedProtocol, options: BarAggregatorOptions, private readonly clock: Clock = new SystemClock()) {
    this.name = `${inner.name}+bars(${options.periodMs}ms)`;
    this.kind = inner.kind;
    this.aggregator = new BarAggregator(options);
  }
  async start(): Promise<void> { this.#stopped = false; await this.inner.start(); }
  async stop(): Promise<void> { this.#stopped = true; await this.inner.stop(); }

  async *[Symbol.asyncIterator](): AsyncIterator<FeedEvent> {
    const agg = this.aggregator;
    const ready: FeedEvent[] = [];
    let wake: (() => void) | undefined;
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const arm = (): void => {
      if (this.kind !== 'push' || this.#stopped) return;
      timer = this.clock.setTimeout(() => {
        const out = agg.flush(this.clock.now());
        if (out.length) { ready.push(...out); wake?.(); }
        arm();
      }, Math.max(50, Math.min(agg.flushAfterMs, agg.periodMs)));
    };
    arm();
    const it = this.inner[Symbol.asyncIterator]();
    let pendingNext: Promise<IteratorResult<FeedEvent>> | undefined;
    try {
      for (;;) {
        while (ready.length) yield ready.shift()!;
        if (this.#stopped) return;
        pendingNext ??= it.next();
        const r = await (this.kind === 'push'
          ? Promise.race([pendingNext, new Promise<'tick'>((res) => { wake = () => res('tick'); })])
          : pendingNext);
        wake = undefined;
        if (r === 'tick') continue;
        pendingNext = undefined;
        if (r.done) break;
        ready.push(...agg.push(r.value[0], r.value[1], r.value[2]));
      }
      ready.push(...agg.flushAll());
      while (ready.length) yield ready.shift()!;
    } finally {
      if (timer) this.clock.clearTimeout(timer);
      await it.return?.();
    }
  }
}
