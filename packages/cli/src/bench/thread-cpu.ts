import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU time (user + system, ms) of each thread of this process by thread id, read from
 * `/proc/self/task` (Linux); undefined elsewhere. CPU per thread is steadier than wall time on a
 * shared machine: a thread that loses its core loses wall time, not CPU time.
 */
export function threadCpuMs(): Map<string, number> | undefined {
  let tasks: string[];
  try { tasks = readdirSync('/proc/self/task'); } catch { return undefined; }
  const out = new Map<string, number>();
  const tick = 10; // ms per clock tick (USER_HZ = 100 on Linux)
  for (const tid of tasks) {
    let stat: string;
    try { stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'); } catch { continue; } // the thread ended
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) ": state is field 0
    out.set(tid, (Number(fields[11]) + Number(fields[12])) * tick); // utime, stime
  }
  return out;
}

/** CPU per bar (µs) between two readings: the engine's thread (the main one) and every other thread (journal writer, GC helpers). */
export function cpuPerBar(before: Map<string, number>, after: Map<string, number>, bars: number): { engineThread: number; otherThreads: number } {
  let engine = 0;
  let others = 0;
  for (const [tid, ms] of after) {
    const d = ms - (before.get(tid) ?? 0);
    if (tid === String(process.pid)) engine += d;
    else others += d;
  }
  const us = (ms: number): number => Math.round((ms * 1000 / bars) * 100) / 100;
  return { engineThread: us(engine), otherThreads: us(others) };
}
