import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchBars, runEngineCase, type EngineCaseResult } from './engine-bench.js';

/**
 * `npm run bench`: prints progress lines, then ONE JSON object as the last line.
 * Engine cases: 1,000,000 one-minute bars of one symbol through engine → strategy that reads
 * its position on every bar: (a) no orders, (b) an order every 10th bar, (c) an order every bar
 * (paper broker; market orders alternate ±1); then (c) behind the durable journal and behind
 * journal + risk layer with every policy on. Each case runs in a fresh child process
 * (`case.js`): JIT state and heap left by one case would distort the next. Optional packages
 * add their own figures.
 */
const N = Number(process.env['TRADEWIRE_BENCH_BARS'] ?? 1_000_000);
const out: Record<string, unknown> = { node: process.version, bars: N };
const caseScript = fileURLToPath(new URL('./case.js', import.meta.url));

function runCase(every: number, stack?: string): EngineCaseResult {
  const r = spawnSync(process.execPath, [caseScript, String(every), ...(stack ? [stack] : [])], { env: process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`bench case every=${every} exited with ${r.status ?? r.signal}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as EngineCaseResult;
}

for (const [key, every] of [['a_noOrders', 0], ['b_orderEvery10', 10], ['c_orderEveryBar', 1]] as const) {
  const r = runCase(every);
  out[key] = r;
  process.stderr.write(`engine ${key}: ${r.barsPerSec.toLocaleString()} bars/s, p50 ${r.p50Us} µs, p99 ${r.p99Us} µs\n`);
}

// case (c) behind the durable journal (durability 'process'), and behind journal + every risk policy
for (const [key, stack] of [['c_orderEveryBar_journal', 'journal'], ['c_orderEveryBar_journal_risk', 'journal+risk']] as const) {
  const r = runCase(1, stack);
  out[key] = r;
  process.stderr.write(`engine ${key}: ${r.barsPerSec.toLocaleString()} bars/s, p50 ${r.p50Us} µs, p99 ${r.p99Us} µs\n`);
}

// plugin benches (in this process, after the engine cases), warmed up as before
const events = benchBars(N);
await runEngineCase(benchBars(50_000), 1);

for (const [name, spec] of [['databento', '@tradewire/feed-databento/bench'], ['risk', '@tradewire/risk/bench'], ['state', '@tradewire/core/bench-state']] as const) {
  try {
    const mod = (await import(spec)) as { runBenchmark?: (ctx: { events: typeof events; runEngineCase: typeof runEngineCase }) => Promise<Record<string, unknown>> };
    if (typeof mod.runBenchmark !== 'function') continue;
    const r = await mod.runBenchmark({ events, runEngineCase });
    out[name] = r;
    process.stderr.write(`${name}: ${JSON.stringify(r)}\n`);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') out[`${name}Error`] = e instanceof Error ? e.message : String(e);
  }
}
process.stdout.write(`${JSON.stringify(out)}\n`);
