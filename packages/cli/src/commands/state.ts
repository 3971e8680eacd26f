import { resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  OrderJournal, SqliteKeyValueStore, StateStore, StateError, createStateLayer, isTradingError,
  type Clock, type Logger, type StateLayer, type TradewireConfig,
} from '@tradewire/core';

type StateSection = NonNullable<TradewireConfig['state']>;

/**
 * The `openState` hook for `buildEngine`: opens the durable state layer from a config's `state`
 * section (the CLI's composition root passes this to `buildEngine`).
 * @public
 */
export async function openStateFromConfig(s: StateSection, ctx: { baseDir: string; clock: Clock; logger: Logger }): Promise<StateLayer> {
  return createStateLayer({
    stateDir: resolve(ctx.baseDir, s.dir), durability: s.durability, breakStaleLock: s.breakStaleLock,
    reconcile: { policy: s.reconcilePolicy, intervalSeconds: s.reconciliationIntervalSeconds },
    checkpointIntervalSeconds: s.checkpointIntervalSeconds, clock: ctx.clock, logger: ctx.logger,
  });
}

/** What `tradewire state show` reports. @public */
export interface StateSummary {
  stateDir: string;
  namespace: string;
  halted: { reason: string; code: string; at: string } | null;
  positions: { asset: string; quantity: number; avgEntryPrice: number; realizedPnl: number }[];
  openOrders: { clientOrderId: string; orderId: string; asset: string; side: string; quantity: number; filledQuantity: number; status: string; external: boolean }[];
  lastCheckpoint: { id: number; at: string } | null;
  risk: Record<string, unknown>;
  pendingApprovals: { id: number; at: string; kind: string; summary: string }[];
  counts: { orders: number; fills: number };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Reads a state dir (read-only, works while an engine runs). @public */
export function readStateSummary(stateDir: string): StateSummary {
  const store = StateStore.openReadOnly(stateDir);
  try {
    const j = new OrderJournal(store);
    const kv = new SqliteKeyValueStore(store);
    const risk: Record<string, unknown> = {};
    for (const k of kv.keys()) {
      if (k === 'state.halt' || k.startsWith('reconcile.')) continue;
      try { risk[k] = kv.get(k); } catch (err) { risk[k] = { unreadable: isTradingError(err) ? err.code : 'ERROR' }; }
    }
    const halt = store.halt();
    const cp = store.lastCheckpoint();
    return {
      stateDir: store.stateDir,
      namespace: store.namespace,
      halted: halt ? { reason: halt.reason, code: halt.code, at: iso(halt.at) } : null,
      positions: j.positions().filter((p) => p.quantity !== 0).map((p) => ({ asset: p.asset, quantity: p.quantity, avgEntryPrice: p.avgEntryPrice, realizedPnl: p.realizedPnl })),
      openOrders: j.openOrders().map((o) => ({ clientOrderId: o.clientOrderId, orderId: o.orderId, asset: o.asset, side: o.side, quantity: o.quantity, filledQuantity: o.filledQuantity, status: o.status, external: o.external === true })),
      lastCheckpoint: cp ? { id: cp.id, at: iso(cp.timestamp) } : null,
      risk,
      pendingApprovals: store.approvals('PENDING').map((a) => ({ id: a.id, at: iso(a.timestamp), kind: a.kind, summary: a.summary })),
      counts: { orders: j.orders().length, fills: j.fillCount() },
    };
  } finally {
    store.close();
  }
}

function printSummary(s: StateSummary, w: (line: string) => void): void {
  w(`state dir        ${s.stateDir}`);
  w(`trading          ${s.halted ? `HALTED (${s.halted.code}: ${s.halted.reason}) since ${s.halted.at}` : 'not halted by state'}`);
  for (const line of riskTrading(s.risk)) w(`risk layer       ${line}`);
  w(`last checkpoint  ${s.lastCheckpoint ? `${s.lastCheckpoint.at} (#${s.lastCheckpoint.id})` : 'none'}`);
  w(`journal          ${s.counts.orders} orders, ${s.counts.fills} fills`);
  w('positions');
  if (s.positions.length === 0) w('  (flat)');
  for (const p of s.positions) w(positionLine(p.asset, p.quantity, p.avgEntryPrice, p.realizedPnl));
  for (const line of virtualAccount(s.risk)) w(line);
  w('open orders');
  if (s.openOrders.length === 0) w('  (none)');
  for (const o of s.openOrders) w(`  ${o.clientOrderId.padEnd(24)} ${o.side.padEnd(4)} ${String(o.quantity).padStart(10)} ${o.asset.padEnd(10)} ${o.status}${o.filledQuantity ? ` filled ${o.filledQuantity}` : ''}${o.external ? ' [external]' : ''}`);
  w('risk state');
  const keys = Object.keys(s.risk);
  if (keys.length === 0) w('  (empty)');
  for (const k of keys) w(`  ${k.padEnd(28)} ${JSON.stringify(s.risk[k])}`);
  if (s.pendingApprovals.length > 0) {
    w('pending approvals');
    for (const a of s.pendingApprovals) w(`  #${a.id} ${a.at} ${a.kind}: ${a.summary}`);
  }
}

/** One position row (the journal's and the shadow virtual account's). */
function positionLine(asset: string, quantity: number, avgEntryPrice: number, realizedPnl: number): string {
  return `  ${asset.padEnd(12)} ${String(quantity).padStart(12)} @ ${avgEntryPrice.toFixed(4)}  realized ${realizedPnl.toFixed(2)}`;
}

/**
 * The risk layer's trading state, from its `<prefix>:state` value(s) (read as plain JSON: the CLI
 * shows it without loading the risk package): "HALTED — kill switch: reason (by, at)", "ACTIVE".
 */
function riskTrading(risk: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(risk)) {
    if (!k.endsWith(':state') || typeof v !== 'object' || v === null) continue;
    const st = v as { tradingState?: unknown; unreadable?: unknown; killSwitch?: { engaged?: unknown; reason?: unknown; by?: unknown }; trip?: { reason?: unknown } | null };
    if (st.unreadable !== undefined) { out.push(`UNREADABLE (${String(st.unreadable)}): the risk layer starts HALTED`); continue; }
    if (typeof st.tradingState !== 'string') continue;
    const ks = st.killSwitch?.engaged === true ? ` — kill switch: ${String(st.killSwitch.reason ?? '')}${st.killSwitch.by ? ` (by ${String(st.killSwitch.by)})` : ''}` : '';
    const trip = !ks && st.trip?.reason ? ` — ${String(st.trip.reason)}` : '';
    out.push(`${st.tradingState}${ks}${trip}${st.tradingState !== 'ACTIVE' ? ' (tradewire risk resume lifts it)' : ''}`);
  }
  return out;
}

/**
 * Shadow mode's virtual account, stored with the risk state (`shadow` of `<prefix>:state`; the
 * journal holds no order in shadow mode, so its positions above are flat): cash and positions.
 */
function virtualAccount(risk: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(risk)) {
    if (!k.endsWith(':state') || typeof v !== 'object' || v === null) continue;
    const sh = (v as { shadow?: { cash?: unknown; positions?: unknown; pending?: unknown } }).shadow;
    if (typeof sh !== 'object' || sh === null || typeof sh.cash !== 'number') continue;
    const pending = Array.isArray(sh.pending) ? sh.pending.length : 0;
    out.push(`virtual account (shadow mode, ${k}): cash ${sh.cash.toFixed(2)}, ${pending} resting order(s)`);
    const positions = Array.isArray(sh.positions) ? sh.positions as { asset?: unknown; quantity?: unknown; avgEntryPrice?: unknown; realizedPnl?: unknown }[] : [];
    const open = positions.filter((p) => typeof p.quantity === 'number' && p.quantity !== 0);
    if (open.length === 0) out.push('  (flat)');
    for (const p of open) out.push(positionLine(String(p.asset), p.quantity as number, Number(p.avgEntryPrice), Number(p.realizedPnl)));
  }
  return out;
}

/** CSV cell: quoted when needed; cells that a spreadsheet would run as a formula are defused. */
export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  let s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(rows: readonly object[], columns: readonly string[]): string {
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell((r as Record<string, unknown>)[c])).join(','));
  return `${lines.join('\n')}\n`;
}

const ORDER_COLUMNS = ['clientOrderId', 'orderId', 'asset', 'side', 'quantity', 'orderType', 'limitPrice', 'stopPrice', 'timeInForce', 'status', 'filledQuantity', 'avgFillPrice', 'createdAt', 'updatedAt', 'submittedAt', 'filledAt', 'rejectionReason', 'tag', 'reduceOnly', 'external', 'overfilled'];
const FILL_COLUMNS = ['executionId', 'clientOrderId', 'orderId', 'asset', 'side', 'quantity', 'price', 'commission', 'timestamp', 'cumulativeQuantity', 'source'];

/** Orders and fills of a state dir as JSON or CSV text. @public */
export function exportState(stateDir: string, format: 'csv' | 'json', table: 'orders' | 'fills' | 'all' = 'all'): string {
  const store = StateStore.openReadOnly(stateDir);
  try {
    const j = new OrderJournal(store);
    const orders = table === 'fills' ? [] : j.orders();
    const fills = table === 'orders' ? [] : j.fills();
    if (format === 'json') return `${JSON.stringify(table === 'all' ? { orders, fills } : table === 'orders' ? { orders } : { fills }, null, 2)}\n`;
    if (table === 'orders') return toCsv(orders, ORDER_COLUMNS);
    if (table === 'fills') return toCsv(fills, FILL_COLUMNS);
    return `# orders\n${toCsv(orders, ORDER_COLUMNS)}\n# fills\n${toCsv(fills, FILL_COLUMNS)}`;
  } finally {
    store.close();
  }
}

const out = (line: string): void => { process.stdout.write(`${line}\n`); };

/** `tradewire state show|export|clear-halt|approve`. */
export function register(program: Command): void {
  const state = program.command('state').description('inspect and export the durable state of an engine (safe while it runs)');

  state.command('show')
    .description('positions, open orders, last checkpoint, risk state and pending approvals')
    .requiredOption('--state-dir <dir>', 'the engine state directory')
    .option('--json', 'one JSON object')
    .action((opts: { stateDir: string; json?: boolean }) => {
      const s = readStateSummary(opts.stateDir);
      if (opts.json) out(JSON.stringify(s));
      else printSummary(s, out);
    });

  state.command('export')
    .description('orders and fills of the journal')
    .requiredOption('--state-dir <dir>', 'the engine state directory')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).makeOptionMandatory())
    .addOption(new Option('--table <table>', 'what to export').choices(['orders', 'fills', 'all']).default('all'))
    .option('--out <file>', 'write to a file instead of stdout')
    .action((opts: { stateDir: string; format: 'csv' | 'json'; table: 'orders' | 'fills' | 'all'; out?: string }) => {
      const text = exportState(opts.stateDir, opts.format, opts.table);
      if (opts.out) writeFileSync(opts.out, text, { mode: 0o600 });
      else process.stdout.write(text);
    });

  state.command('clear-halt')
    .description('operator: lift a persisted HALT (corrupt state rebuilt, overfill investigated); audited in the event log')
    .requiredOption('--state-dir <dir>', 'the engine state directory')
    .requiredOption('--reason <text>', 'why it is safe to trade again')
    .option('--by <name>', 'who', process.env['USER'] ?? 'operator')
    .action((opts: { stateDir: string; reason: string; by: string }) => {
      const store = StateStore.openOperator(opts.stateDir);
      try {
        const h = store.halt();
        if (!h) { out('not halted'); return; }
        store.clearHalt(opts.by, opts.reason);
        out(`cleared halt ${h.code}: ${h.reason}`);
      } finally { store.close(); }
    });

  state.command('approve')
    .description('operator: approve (adopt the broker view) or reject a pending reconciliation')
    .requiredOption('--state-dir <dir>', 'the engine state directory')
    .requiredOption('--id <n>', 'approval id (see state show)', (v) => Number(v))
    .option('--reject', 'reject instead of approve')
    .option('--note <text>', 'note for the audit log', '')
    .option('--by <name>', 'who', process.env['USER'] ?? 'operator')
    .action((opts: { stateDir: string; id: number; reject?: boolean; note: string; by: string }) => {
      const store = StateStore.openOperator(opts.stateDir);
      try {
        if (!store.resolveApproval(opts.id, opts.reject ? 'REJECTED' : 'APPROVED', opts.by, opts.note)) {
          throw new StateError(`no pending approval #${opts.id} in ${store.file}`, 'STATE_APPROVAL_NOT_FOUND');
        }
        out(`approval #${opts.id} ${opts.reject ? 'rejected' : 'approved'}`);
      } finally { store.close(); }
    });
}
