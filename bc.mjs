import { benchBars, runEngineCase } from './packages/cli/dist/bench/engine-bench.js';
const ev = benchBars(300000);
await runEngineCase(benchBars(50000), 1);
const t0 = process.cpuUsage();
const r = await runEngineCase(ev, 1);
const u = process.cpuUsage(t0);
console.log('c cpu-us/bar', ((u.user + u.system) / 300000).toFixed(2), 'wall bars/s', r.barsPerSec);
