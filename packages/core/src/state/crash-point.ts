/**
 * Named crash points for crash tests. When the environment variable `TRADEWIRE_CRASH_AT` equals
 * `name`, the process kills itself with SIGKILL right there (no cleanup, no flush: exactly what a
 * power cut or `kill -9` does to the process). Otherwise a no-op costing one string compare.
 * @public
 */
export const CRASH_POINTS = [
  'after-intent-before-send',
  'after-send-before-ack',
  'after-ack',
  'before-fill-record',
  'after-fill-record',
  'mid-checkpoint-write',
  // journal log (`process` durability)
  'after-log-append', // after each append of a log frame
  'after-log-buffer', // a record (ack, status, fill, note) queued for the next write, not yet written
  'mid-journal-flush',
  'before-log-truncate',
] as const;

/** @public */
export type CrashPointName = (typeof CRASH_POINTS)[number] | (string & {});

const armed: string | undefined = process.env['TRADEWIRE_CRASH_AT'] || undefined;

/** @public */
export function crashPoint(name: CrashPointName): void {
  if (armed === undefined || armed !== name) return;
  // optional: skip the first N hits (TRADEWIRE_CRASH_AFTER=N) so a crash lands mid-run
  const skip = Number(process.env['TRADEWIRE_CRASH_AFTER'] ?? '0');
  hits++;
  if (Number.isFinite(skip) && hits <= skip) return;
  process.kill(process.pid, 'SIGKILL');
}
let hits = 0;
