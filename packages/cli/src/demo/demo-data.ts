import { seededRandom, type FeedEvent } from '@tradewire/core';

/**
 * How the demo data is made (the README repeats this): a seeded geometric Brownian motion,
 * no download and no real market. mulberry32 PRNG (seed 20240101), Box–Muller normals;
 * start price 100, drift 0 %, volatility 25 % a year; one-minute bars around the clock
 * from 2024-01-01T00:00Z; each bar is four 15-second steps (open = first, close = last,
 * high/low = extremes); volume = round(50000 · e^(0.5·z)). Same seed → same bars, every run.
 * @public
 */
export interface DemoDataOptions { bars?: number; seed?: number; symbol?: string; start?: number; startPrice?: number; annualVol?: number }

/** Generates the demo's one-minute bars. @public */
export function generateDemoBars(options: DemoDataOptions = {}): FeedEvent[] {
  const n = options.bars ?? 30 * 1440;
  const rand = seededRandom(options.seed ?? 20240101);
  const normal = (): number => {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const symbol = options.symbol ?? 'DEMO';
  const start = options.start ?? Date.UTC(2024, 0, 1);
  const stepsPerYear = 365 * 1440 * 4;
  const sigma = (options.annualVol ?? 0.25) / Math.sqrt(stepsPerYear);
  let price = options.startPrice ?? 100;
  const ctx = { source: 'demo', periodMs: 60_000 };
  const out: FeedEvent[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const open = price;
    let high = open;
    let low = open;
    for (let s = 0; s < 4; s++) {
      price *= Math.exp(-0.5 * sigma * sigma + sigma * normal());
      if (price > high) high = price;
      if (price < low) low = price;
    }
    const r = (x: number): number => Math.round(x * 10_000) / 10_000;
    out[i] = [start + i * 60_000, { [symbol]: { open: r(open), high: r(high), low: r(low), close: r(price), volume: Math.round(50_000 * Math.exp(0.5 * normal())) } }, ctx];
  }
  return out;
}
