import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import {
  ConfigError, OrderJournal, StateStore, createLogger, createRegistry, listSegments, loadConfigFile, loadConfiguredPlugins, reconcile,
  SystemClock, type BrokerProtocol, type ReconcilePolicy, type ReconciliationReport,
} from '@tradewire/core';

function brokerRefOf(r: unknown): { use: string; config: Record<string, unknown> } | undefined {
  if (typeof r === 'string') return { use: r, config: {} };
  if (r && typeof r === 'object' && typeof (r as { use?: unknown }).use === 'string') {
    const o = r as { use: string; config?: Record<string, unknown> };
    return { use: o.use, config: o.config ?? {} };
  }
  return undefined;
}

/** Prints a reconciliation report as a table (or JSON). @public */
export function formatReport(r: ReconciliationReport): string[] {
  const lines = [`reconcile ${r.dryRun ? '(dry run: nothing changed) ' : ''}policy=${r.policy}: ${r.discrepancies.length} discrepancy(ies)`];
  for (const d of r.discrepancies) {
    lines.push(`  ${d.severity.toUpperCase().padEnd(8)} ${d.kind.padEnd(24)} ${d.message}`);
  }
  if (r.unavailable.length) lines.push(`  broker reports unavailable (not read as flat): ${r.unavailable.join(', ')}`);
  for (const a of r.actions) lines.push(`  action: ${a}`);
  const critical = r.discrepancies.some((d) => d.severity === 'critical');
  lines.push(r.mustHalt
    ? `  verdict: the engine must stay HALTED${r.needsApproval ? ' until an operator approves (tradewire state approve)' : ''}`
    : critical ? `  verdict: critical discrepancies; policy ${r.policy} does not halt` : '  verdict: in line with the broker');
  return lines;
}

/** `tradewire reconcile --config FILE [--dry-run] [--state-dir DIR] [--json]`. */
export function register(program: Command): void {
  program.command('reconcile')
    .description("compare the engine's journal (orders, fills, positions) with the broker's")
    .requiredOption('--config <file>', 'tradewire config (broker and state sections)')
    .option('--dry-run', 'print the diff without changing anything (safe while the engine runs)')
    .option('--state-dir <dir>', "state directory (default: the config's state.dir)")
    .option('--json', 'print the report as JSON')
    .action(async (opts: { config: string; dryRun?: boolean; stateDir?: string; json?: boolean }) => {
      const { config, baseDir } = await loadConfigFile(opts.config);
      const dir = opts.stateDir ?? (config.state ? resolve(baseDir, config.state.dir) : undefined);
      if (!dir) throw new ConfigError("no state dir: set 'state.dir' in the config or pass --state-dir", 'CONFIG_INVALID', { details: { keys: ['state.dir'] } });
      if (config.mode === 'shadow') {
        // no order reaches the venue in shadow mode: the journal holds none, and comparing it with
        // the broker would report the broker's whole account as discrepancies
        throw new ConfigError("shadow mode sends nothing to the broker, so there is nothing to reconcile: the virtual account is in the risk state (tradewire risk show)", 'CONFIG_INVALID', { details: { keys: ['mode'] } });
      }
      const ref = brokerRefOf(config.broker);
      if (!ref) throw new ConfigError("reconcile needs 'broker' in the config", 'CONFIG_INVALID', { details: { keys: ['broker'] } });
      const logger = createLogger({ level: config.log.level === 'debug' ? 'debug' : 'silent' });
      const registry = createRegistry();
      await loadConfiguredPlugins(registry, { baseDir, autoDiscover: config.autoDiscoverPlugins, listed: config.plugins });
      const clock = new SystemClock();
      const broker: BrokerProtocol = await registry.create('broker', ref.use, ref.config, { clock, logger });
      const policy: ReconcilePolicy = config.state?.reconcilePolicy ?? 'warn';
      // a dry run reads the state without the lock; acting needs the lock (no engine running)
      const store = opts.dryRun ? StateStore.openReadOnly(dir) : StateStore.open({ stateDir: dir, clock, logger, ...(config.state ? { durability: config.state.durability } : {}) });
      if (opts.dryRun) {
        const pending = listSegments(dir).filter((f) => { try { return statSync(f).size > 0; } catch { return false; } }); // a running engine deletes committed segments
        // a read-only open does not replay the journal log: say so rather than report a journal that may be behind
        if (pending.length > 0) process.stderr.write(`note: ${pending.length} journal log segment(s) in ${dir} hold records newer than state.db's last batch (an engine is running, or did not stop cleanly); this dry run compares state.db only. Without --dry-run (no engine running) they are replayed first.\n`);
      }
      try {
        await broker.connect();
        const report = await reconcile(new OrderJournal(store), broker, { policy, now: clock.now(), logger, dryRun: opts.dryRun === true });
        if (!opts.dryRun) store.appendEvent('reconcile.cli', { policy, discrepancies: report.discrepancies.length, actions: report.actions });
        if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else for (const l of formatReport(report)) process.stdout.write(`${l}\n`);
        // exit 2 when anything critical differs, so scripts and monitors can alert on it
        if (report.discrepancies.some((d) => d.severity === 'critical')) process.exitCode = 2;
      } finally {
        await broker.disconnect().catch(() => undefined);
        store.close();
      }
    });
}
