import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { summarize, type EquityPoint, type LiveEngine } from '@tradewire/core';
import { equityHtml } from '../demo/equity-html.js';
import { ProgressBar, table } from '../demo/report.js';

/** The figures `demo --json` and `run --json` print. @public */
export interface RunFigures {
  bars: number;
  orders: number;
  fills: number;
  finalEquity: number;
  returnPct: number;
  maxDrawdownPct: number;
  sharpe: number;
  elapsedMs: number;
  cash: number;
  positionValue: number;
  errors: number;
  tradingState: string;
}

export interface RunReportOptions { json: boolean; title: string; outDir?: string; expectedBars?: number; progress?: boolean }

/** Runs the engine with a progress bar, then prints the summary table (and JSON) and writes the chart. Calls `engine.run()` before its first await (callers hand signal handling over to the engine right after calling this). */
export async function runWithReport(engine: LiveEngine, curve: EquityPoint[], opts: RunReportOptions): Promise<RunFigures> {
  const human = opts.json ? process.stderr : process.stdout;
  const bar = new ProgressBar(opts.expectedBars ?? 0, process.stderr, opts.progress !== false && (opts.expectedBars ?? 0) > 0);
  const t0 = performance.now();
  const timer = setInterval(() => bar.update(engine.stats.bars), 100);
  try {
    await engine.run();
  } finally {
    clearInterval(timer);
  }
  bar.finish();
  const elapsedMs = Math.round(performance.now() - t0);
  const s = engine.stats;
  const perf = summarize(curve);
  const cash = engine.account.cash;
  const finalEquity = engine.account.accountValue();
  const figures: RunFigures = {
    bars: s.bars, orders: s.orders, fills: s.fills,
    finalEquity: round(finalEquity, 2), returnPct: round(perf.initialEquity > 0 ? (finalEquity / perf.initialEquity - 1) * 100 : 0, 4),
    maxDrawdownPct: round(perf.maxDrawdownPct, 4), sharpe: round(perf.sharpe, 4), elapsedMs,
    cash: round(cash, 2), positionValue: round(finalEquity - cash, 2), errors: s.errors, tradingState: s.tradingState,
  };
  const rows: [string, string][] = [
    ['bars', String(figures.bars)], ['orders', String(figures.orders)], ['fills', String(figures.fills)],
    ['final equity', figures.finalEquity.toFixed(2)], ['return', `${figures.returnPct.toFixed(2)} %`],
    ['max drawdown', `${figures.maxDrawdownPct.toFixed(2)} %`], ['Sharpe (daily, annualised)', figures.sharpe.toFixed(2)],
    ['elapsed', `${elapsedMs} ms`], ['errors', String(figures.errors)], ['trading state', figures.tradingState],
  ];
  human.write(`${opts.title}\n${table(rows)}\n`);
  if (opts.outDir) {
    const dir = resolve(opts.outDir);
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'equity.html');
    await writeFile(file, equityHtml(opts.title, curve, figures as unknown as Record<string, number | string>, perf));
    human.write(`equity curve: ${file} (open it in a browser)\n`);
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
  return figures;
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
