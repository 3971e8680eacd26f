import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EngineCaseResult } from './engine-bench.js';

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
/**
 * V8 flags for the engine-case processes. A 64 MiB young generation (Node's default is 16 MiB)
 * is V8's documented throughput setting for allocation-heavy runs: an order-every-bar backtest
 * allocates ~1.5 KB per order that dies young, and fewer, larger scavenges cost less in total.
 * Users get the same with `NODE_OPTIONS=--max-semi-space-size=64`. Override (or set to '') with
 * TRADEWIRE_BENCH_NODE_FLAGS; the flags used are printed in the result.
 */
const NODE_FLAGS = (process.env['TRADEWIRE_BENCH_NODE_FLAGS'] ?? '--max-semi-space-size=64').split(' ').filter((f) => f !== '');
const out: Record<string, unknown> = { node: process.version, nodeFlags: NODE_FLAGS.join(' '), bars: N };
const caseScript = fileURLToPath(new URL('./case.js', import.meta.url));

function runCase(every: number, stack?: string): EngineCaseResult {
  const r = spawnSync(process.execPath, [...NODE_FLAGS, caseScript, String(every), ...(stack ? [stack] : [])], { env: process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`bench case every=${every} exited with ${r.status ?? r.signal}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as EngineCaseResult;
}

// engine cases, three fresh processes each, the median reported (single runs vary ±25 % on a
// shared 2-core machine): (a), (b), (c); then (c) behind the durable journal (durability 'process'),
// and behind journal + every risk policy
const cases: [string, number, string | undefined][] = [
  ['a_noOrders', 0, undefined], ['b_orderEvery10', 10, undefined], ['c_orderEveryBar', 1, undefined],
  ['c_orderEveryBar_journal', 1, 'journal'], ['c_orderEveryBar_journal_risk', 1, 'journal+risk'],
];
for (const [key, every, stack] of cases) {
  const runs = [runCase(every, stack), runCase(every, stack), runCase(every, stack)].sort((x, y) => x.barsPerSec - y.barsPerSec);
  const r = { ...runs[1]!, runsBarsPerSec: runs.map((x) => x.barsPerSec) };
  out[key] = r;
  const cpu = r.cpuUsPerBar ? `, CPU per bar ${r.cpuUsPerBar.engineThread} µs engine thread + ${r.cpuUsPerBar.otherThreads} µs other threads` : '';
  process.stderr.write(`engine ${key}: ${r.barsPerSec.toLocaleString()} bars/s (median of ${runs.map((x) => x.barsPerSec.toLocaleString()).join(', ')}), p50 ${r.p50Us} µs, p99 ${r.p99Us} µs${cpu}\n`);
}

// plugin benches, each in its own process too
const pluginScript = fileURLToPath(new URL('./plugin-case.js', import.meta.url));
// each DBN schema decoded in a process of its own (sharing one process makes the decoder's hot loop polymorphic)
const plugins: [string, string, Record<string, unknown> | undefined][] = [
  ['databento', '@tradewire/feed-databento/bench', { only: 'ohlcv' }],
  ['databento', '@tradewire/feed-databento/bench', { only: 'mbo' }],
];
for (const [name, spec, options] of plugins) {
  const r = spawnSync(process.execPath, [pluginScript, spec, ...(options ? [JSON.stringify(options)] : [])], { env: process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0) out[`${name}Error`] = `exited with ${r.status ?? r.signal}`;
  else if (line) {
    out[name] = { ...(out[name] as Record<string, unknown> | undefined), ...(JSON.parse(line) as Record<string, unknown>) };
    process.stderr.write(`${name}: ${line}\n`);
  }
}
process.stdout.write(`${JSON.stringify(out)}\n`);
