import 'reflect-metadata';
import { benchBars, runEngineCase } from './engine-bench.js';

/**
 * One engine benchmark case in a process of its own: `node case.js <every>` (0 = no orders).
 * Cases share no JIT state or heap (a case run after another measures the earlier one's
 * leftovers: deoptimised call sites, a bigger old space). Writes ONE JSON line to stdout.
 */
const every = Number(process.argv[2] ?? 0);
if (!Number.isInteger(every) || every < 0) throw new RangeError(`every must be an integer >= 0, got ${process.argv[2]}`);
const N = Number(process.env['TRADEWIRE_BENCH_BARS'] ?? 1_000_000);
const events = benchBars(N);
// warm-up on the same path, so the JIT has settled before the measured run
await runEngineCase(benchBars(50_000), every);
const r = await runEngineCase(events, every);
process.stdout.write(`${JSON.stringify(r)}\n`);
