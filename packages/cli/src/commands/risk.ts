import type { Command } from 'commander';
import { SqliteKeyValueStore, StateStore, type KeyValueStore } from '@tradewire/core';
import { haltRisk, readRiskStatus, resumeRisk, type RiskStatus } from '@tradewire/risk';

interface Common { stateDir: string; prefix: string }

/** Opens the state dir for an operator write (no lock: safe while an engine runs), runs `fn`, closes. */
function withOperatorKv<T>(stateDir: string, fn: (kv: KeyValueStore) => T): T {
  const store = StateStore.openOperator(stateDir);
  try { return fn(new SqliteKeyValueStore(store)); } finally { store.close(); }
}

function withReadOnlyKv<T>(stateDir: string, fn: (kv: KeyValueStore) => T): T {
  const store = StateStore.openReadOnly(stateDir);
  try { return fn(new SqliteKeyValueStore(store)); } finally { store.close(); }
}

const iso = (ms: number | undefined | null): string => (typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : '-');

function print(status: RiskStatus, w: (line: string) => void): void {
  const s = status.state;
  if (status.unreadable) w(`risk state       UNREADABLE (${status.unreadable}) → HALTED until 'tradewire risk resume'`);
  w(`trading state    ${s.tradingState}`);
  w(`kill switch      ${s.killSwitch.engaged ? 'ENGAGED' : 'clear'}${s.killSwitch.reason ? ` — ${s.killSwitch.reason}` : ''}${s.killSwitch.by ? ` (by ${s.killSwitch.by} at ${iso(s.killSwitch.at)})` : ''}`);
  if (s.trip) w(`trip             ${s.trip.breaker} ${s.trip.code}: ${s.trip.reason} (at ${iso(s.trip.at)}${s.trip.resumeAfter !== undefined ? `, resumes after ${iso(s.trip.resumeAfter)}` : ''})`);
  w(`session          ${s.sessionDate ?? '-'}  orders placed ${s.ordersPlaced}  daily loss ${s.dailyLoss.toFixed(2)}`);
  w(`high-water mark  ${s.highWaterMark === null ? '-' : s.highWaterMark.toFixed(2)}  (updated ${iso(s.updatedAt)}, revision ${s.revision})`);
  w('audit (latest last)');
  if (status.audit.length === 0) w('  (none)');
  for (const a of status.audit) w(`  ${iso(a.at)}  ${a.action.padEnd(16)} ${a.from} → ${a.to}  by ${a.by}: ${a.reason}`);
}

/**
 * `tradewire risk resume|halt|show`: the kill switch and risk state of an engine, in its durable
 * state store. Every resume/halt needs a reason and writes an audit entry (who, when, why); a
 * running engine picks the change up on its next order.
 * @public
 */
export function register(program: Command): void {
  const risk = program.command('risk').description('kill switch and risk state of an engine (safe while it runs)');
  const out = (line: string): void => { process.stdout.write(`${line}\n`); };

  risk.command('resume')
    .description('clear the kill switch / breaker trip (explicit, logged, audited)')
    .requiredOption('--state-dir <dir>', 'the engine state directory')
    .requiredOption('--reason <text>', 'why trading may resume (recorded in the audit log)')
    .option('--by <name>', 'who resumes', process.env['USER'] ?? 'operator')
    .option('--prefix <key>', 'risk stateKey of the account', 'risk')
    .action((opts: Common & { reason: string; by: string }) => {
      const st = withOperatorKv(opts.stateDir, (kv) => resumeRisk(kv, { reason: opts.reason, by: opts.by, prefix: opts.prefix }));
      out(`risk: trading resumed by ${opts.by}: ${opts.reason}`);
      print(st, out);
    });

  risk.command('halt')
    .description('engage the kill switch: only closing orders and cancels pass until resumed')
    .requiredOption('--state-dir <dir>', 'the engine state directory')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .option('--by <name>', 'who halts', process.env['USER'] ?? 'operator')
    .option('--prefix <key>', 'risk stateKey of the account', 'risk')
    .action((opts: Common & { reason: string; by: string }) => {
      const st = withOperatorKv(opts.stateDir, (kv) => haltRisk(kv, { reason: opts.reason, by: opts.by, prefix: opts.prefix }));
      out(`risk: kill switch ENGAGED by ${opts.by}: ${opts.reason}`);
      print(st, out);
    });

  risk.command('show')
    .description('trading state, kill switch, daily counters and the audit trail')
    .requiredOption('--state-dir <dir>', 'the engine state directory')
    .option('--prefix <key>', 'risk stateKey of the account', 'risk')
    .option('--json', 'one JSON object')
    .action((opts: Common & { json?: boolean }) => {
      const st = withReadOnlyKv(opts.stateDir, (kv) => readRiskStatus(kv, { prefix: opts.prefix, readOnly: true }));
      if (opts.json) out(JSON.stringify(st, null, 2));
      else print(st, out);
    });
}
