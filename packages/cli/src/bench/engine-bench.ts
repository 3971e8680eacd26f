import {
  LiveEngine, PaperBroker, ReplayFeed, SimulatedClock, silentLogger,
  type BrokerProtocol, type ClientOrderIdGenerator, type FeedEvent, type Strategy, type StrategyBroker,
} from '@tradewire/core';
import { cpuPerBar, threadCpuMs } from './thread-cpu.js';

/** One engine benchmark case's figures. */
export interface EngineCaseResult {
  barsPerSec: number; p50Us: number; p99Us: number; orders: number; fills: number; elapsedMs: number;
  /** CPU per bar (µs) during the run, where threads can be read (Linux) */
  cpuUsPerBar?: { engineThread: number; otherThreads: number };
}

/** 1,000,000 one-minute bars of one symbol (a deterministic zig-zag; values don't matter, shape does). */
export function benchBars(n: number): FeedEvent[] {
  const ctx = {};
  const out: FeedEvent[] = new Array(n);
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    const p = 100 + ((i % 200) - 100) * 0.01;
    out[i] = [t0 + i * 60_000, { BENCH: { open: p, high: p + 0.05, low: p - 0.05, close: p, volume: 1_000_000 } }, ctx];
  }
  return out;
}

/** A strategy that reads its position on every bar and orders every `every` bars (0 = never). */
export function benchStrategy(every: number): Strategy {
  let n = 0;
  let side = 1;
  let seen = 0;
  return {
    onData(_ts, _data, _ctx, broker: StrategyBroker) {
      seen += broker.getPosition('BENCH');
      if (every > 0 && ++n % every === 0) {
        side = -side;
        return broker.submitOrder({ asset: 'BENCH', quantity: side }).then(() => undefined);
      }
      return undefined;
    },
    onStop() { if (seen === Number.MIN_SAFE_INTEGER) console.log(seen); },
  };
}

/** What a bench stack puts between the engine and the paper broker, wired as `buildEngine` wires it. */
export interface BenchWrapped { broker: BrokerProtocol; idGenerator?: ClientOrderIdGenerator }

/** Runs one case; `wrap` lets callers put middleware (journal, risk) around the paper broker. */
export async function runEngineCase(events: FeedEvent[], every: number, wrap?: (b: BrokerProtocol, clock: SimulatedClock) => Promise<BenchWrapped>): Promise<EngineCaseResult> {
  const clock = new SimulatedClock(0);
  const paper = new PaperBroker({ initialCash: 1e12 }, clock, silentLogger);
  const w: BenchWrapped = wrap ? await wrap(paper, clock) : { broker: paper };
  const engine = new LiveEngine({
    strategy: benchStrategy(every), broker: w.broker, feed: new ReplayFeed(events, 'bench'), clock, handleSignals: false, latencySampleEvery: 16,
    ...(w.idGenerator ? { idGenerator: w.idGenerator } : {}),
  });
  const cpu0 = threadCpuMs(); // before the run, after the stack is built (its worker thread started)
  const t0 = performance.now();
  await engine.run();
  const ms = performance.now() - t0;
  const cpu1 = threadCpuMs();
  const s = engine.stats;
  const r: EngineCaseResult = { barsPerSec: Math.round(s.bars / (ms / 1000)), p50Us: round2(s.dispatchLatencyUs.p50), p99Us: round2(s.dispatchLatencyUs.p99), orders: s.orders, fills: s.fills, elapsedMs: Math.round(ms) };
  if (cpu0 && cpu1) r.cpuUsPerBar = cpuPerBar(cpu0, cpu1, s.bars);
  return r;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
