import type { Strategy } from '../protocols/strategy.js';

/** One point of an equity curve. @public */
export interface EquityPoint { timestamp: number; equity: number }

/** Summary figures of a run. @public */
export interface PerformanceSummary {
  initialEquity: number;
  finalEquity: number;
  returnPct: number;
  maxDrawdownPct: number;
  /** annualised (√252) Sharpe of daily returns, risk-free 0; 0 when fewer than 2 days */
  sharpe: number;
  days: number;
}

const DAY = 86_400_000;

/** Computes return, max drawdown and daily Sharpe from an equity curve. @public */
export function summarize(curve: readonly EquityPoint[]): PerformanceSummary {
  if (curve.length === 0) return { initialEquity: 0, finalEquity: 0, returnPct: 0, maxDrawdownPct: 0, sharpe: 0, days: 0 };
  const first = curve[0]!;
  const last = curve[curve.length - 1]!;
  let peak = first.equity;
  let maxDd = 0;
  for (const p of curve) {
    if (p.equity > peak) peak = p.equity;
    if (peak > 0) maxDd = Math.max(maxDd, (peak - p.equity) / peak);
  }
  // daily closes (UTC days)
  const closes: number[] = [];
  let day = Math.floor(first.timestamp / DAY);
  let close = first.equity;
  closes.push(first.equity);
  for (const p of curve) {
    const d = Math.floor(p.timestamp / DAY);
    if (d !== day) { closes.push(close); day = d; }
    close = p.equity;
  }
  closes.push(close);
  const rets: number[] = [];
  for (let i = 1; i < closes.length; i++) if (closes[i - 1]! > 0) rets.push(closes[i]! / closes[i - 1]! - 1);
  let sharpe = 0;
  if (rets.length >= 2) {
    const mean = rets.reduce((a, b) => a + b, 0) / rets.length;
    const sd = Math.sqrt(rets.reduce((a, b) => a + (b - mean) ** 2, 0) / (rets.length - 1));
    sharpe = sd > 0 ? (mean / sd) * Math.sqrt(252) : 0;
  }
  return {
    initialEquity: first.equity,
    finalEquity: last.equity,
    returnPct: first.equity > 0 ? (last.equity / first.equity - 1) * 100 : 0,
    maxDrawdownPct: maxDd * 100,
    sharpe,
    days: Math.max(0, closes.length - 2),
  };
}

/**
 * Wraps a strategy so the account value is sampled after every `everyN` market events (and at
 * the end). The wrapped strategy behaves exactly as the original.
 * @public
 */
export function recordEquity(strategy: Strategy, everyN = 1): { strategy: Strategy; curve: EquityPoint[] } {
  const curve: EquityPoint[] = [];
  let n = 0;
  let lastTs = 0;
  // delegate every callback with the original `this`, so the strategy's own state stays in one place
  const wrapped: Strategy = {
    onData: () => undefined,
    ...(strategy.onStart ? { onStart: (b) => strategy.onStart!.call(strategy, b) } : {}),
    ...(strategy.onOrderUpdate ? { onOrderUpdate: (o, b) => strategy.onOrderUpdate!.call(strategy, o, b) } : {}),
    ...(strategy.onFill ? { onFill: (f, b) => strategy.onFill!.call(strategy, f, b) } : {}),
    ...(strategy.snapshot ? { snapshot: () => strategy.snapshot!.call(strategy) } : {}),
    ...(strategy.restore ? { restore: (st: unknown) => strategy.restore!.call(strategy, st) } : {}),
  };
  wrapped.onData = (ts, data, ctx, broker) => {
    const r = strategy.onData.call(strategy, ts, data, ctx, broker);
    lastTs = ts;
    if (++n % everyN === 0) {
      if (r && typeof (r as Promise<void>).then === 'function') return (r as Promise<void>).then(() => { curve.push({ timestamp: ts, equity: broker.getAccountValue() }); });
      curve.push({ timestamp: ts, equity: broker.getAccountValue() });
    }
    return r;
  };
  wrapped.onStop = (broker) => {
    curve.push({ timestamp: Math.max(lastTs, curve[curve.length - 1]?.timestamp ?? 0), equity: broker.getAccountValue() });
    return strategy.onStop?.call(strategy, broker);
  };
  return { strategy: wrapped, curve };
}
