import 'reflect-metadata';
import { benchBars, runEngineCase } from './engine-bench.js';
import { stackWrapper } from './stack.js';

/**
 * One engine benchmark case in a process of its own: `node case.js <every>` (0 = no orders).
 * Cases share no JIT state or heap (a case run after another measures the earlier one's
 * leftovers: deoptimised call sites, a bigger old space). Writes ONE JSON line to stdout.
 */
const every = Number(process.argv[2] ?? 0);
const stackArg = process.argv[3];
if (stackArg !== undefined && stackArg !== 'journal' && stackArg !== 'journal+risk') throw new RangeError(`stack must be journal or journal+risk, got ${stackArg}`);
if (!Number.isInteger(every) || every < 0) throw new RangeError(`every must be an integer >= 0, got ${process.argv[2]}`);
const N = Number(process.env['TRADEWIRE_BENCH_BARS'] ?? 1_000_000);
const events = benchBars(N);
// warm-up on the same path, so the JIT has settled before the measured run
const warm = stackArg ? stackWrapper(stackArg) : undefined;
await runEngineCase(benchBars(50_000), every, warm?.wrap);
warm?.cleanup();
const stack = stackArg ? stackWrapper(stackArg) : undefined;
const r = await runEngineCase(events, every, stack?.wrap);
stack?.cleanup();
process.stdout.write(`${JSON.stringify(r)}\n`);
