import type { Logger } from '../logger.js';
import { isTerminal, type Order } from '../domain/order.js';
import type { Fill } from '../domain/fill.js';
import type { Position } from '../domain/position.js';
import type { BrokerProtocol } from '../protocols/broker.js';
import { isTradingError } from '../errors.js';
import type { OrderJournal } from './journal.js';

/** @public */
export type ReconcilePolicy = 'warn' | 'adopt-broker' | 'halt' | 'approve';
/** @public */
export const RECONCILE_POLICIES: readonly ReconcilePolicy[] = ['warn', 'adopt-broker', 'halt', 'approve'];

/** @public */
export type DiscrepancyKind =
  | 'REPORT_UNAVAILABLE'
  | 'ORDER_EXTERNAL'
  | 'ORDER_STATUS_MISMATCH'
  | 'ORDER_SETTLED'
  | 'ORDER_LOST'
  | 'ORDER_MISSING_AT_BROKER'
  | 'FILL_MISSING_LOCALLY'
  | 'OVERFILL'
  | 'POSITION_MISMATCH'
  | 'POSITION_BASELINE';

/** @public */
export type Severity = 'info' | 'warning' | 'critical';

/** One difference between local state and the broker. @public */
export interface Discrepancy {
  kind: DiscrepancyKind;
  severity: Severity;
  message: string;
  asset?: string;
  clientOrderId?: string;
  executionId?: string;
  local?: number | string;
  broker?: number | string;
}

/** @public */
export interface ReconciliationReport {
  timestamp: number;
  policy: ReconcilePolicy;
  dryRun: boolean;
  discrepancies: Discrepancy[];
  /** what was changed locally (nothing in a dry run) */
  actions: string[];
  /** the broker calls that failed: their data was NOT read as empty/flat */
  unavailable: string[];
  /** true when a critical discrepancy remains under this policy: the engine must be HALTED */
  mustHalt: boolean;
  /** critical discrepancies await an operator (policy `approve`) */
  needsApproval: boolean;
}

/** @public */
export interface ReconcileOptions {
  policy: ReconcilePolicy;
  now: number;
  logger: Logger;
  dryRun?: boolean;
  /** an unknown-outcome submit older than this that the broker does not know is resolved locally as lost (default 60 s) */
  inflightTimeoutMs?: number;
  /** orders touched more recently than this are not called missing (default 5 s) */
  recentMs?: number;
  /** treat an empty journal as a baseline: adopt broker positions without a critical diff */
  baseline?: boolean;
  /** how far back to ask the broker for orders and fills (default 24 h; older open orders widen it) */
  lookbackMs?: number;
  /** overfills already reported (not reported again) */
  reportedOverfills?: Set<string>;
}

const EPS = 1e-9;
const errText = (err: unknown): string => (isTradingError(err) ? `${err.code}: ${err.message}` : (err as Error)?.message ?? String(err));

async function tryCall<T>(what: string, fn: () => Promise<T>, unavailable: string[], out: Discrepancy[]): Promise<T | undefined> {
  try { return await fn(); } catch (err) {
    unavailable.push(what);
    out.push({ kind: 'REPORT_UNAVAILABLE', severity: 'critical', message: `${what} failed (${errText(err)}); not read as empty or flat` });
    return undefined;
  }
}

/**
 * Compares the journal (orders, fills, positions) with the broker's and, unless `dryRun`, brings
 * local state into line. Venue facts are always applied: orders the broker has and we don't are
 * adopted as external (tagged), missing fills are applied once, venue statuses win. Position
 * differences follow the policy: `adopt-broker` overwrites local positions (journaled), `warn`
 * logs, `halt` and `approve` ask the caller to stay HALTED. A broker call that throws is reported
 * as REPORT_UNAVAILABLE and its data is never read as flat.
 * @public
 */
export async function reconcile(journal: OrderJournal, broker: BrokerProtocol, options: ReconcileOptions): Promise<ReconciliationReport> {
  const dry = options.dryRun ?? false;
  const d: Discrepancy[] = [];
  const actions: string[] = [];
  const unavailable: string[] = [];
  const inflightTimeout = options.inflightTimeoutMs ?? 60_000;
  const recent = options.recentMs ?? 5_000;
  // report window: the oldest open local order, and at least `lookbackMs`
  let since = options.now - (options.lookbackMs ?? 86_400_000);
  for (const o of journal.openOrders()) if (o.createdAt - 60_000 < since) since = o.createdAt - 60_000;

  const brokerOrders = await tryCall('getOrders', () => broker.getOrders(since), unavailable, d);
  const brokerPending = await tryCall('getPendingOrders', () => broker.getPendingOrders(), unavailable, d);
  const brokerFills = await tryCall<Fill[]>('getFills', () => broker.getFills(since), unavailable, d);

  // fills first: a fill is a venue fact, applied exactly once
  if (brokerFills) {
    for (const f of brokerFills) {
      if (journal.knowsFill(f)) continue;
      d.push({ kind: 'FILL_MISSING_LOCALLY', severity: 'warning', message: `fill ${f.executionId} (${f.side} ${f.quantity} ${f.asset}) missing locally`, asset: f.asset, clientOrderId: f.clientOrderId, executionId: f.executionId });
      if (!dry) { journal.applyFill(f, 'reconcile'); actions.push(`applied fill ${f.executionId}`); }
    }
  }

  // orders: adopt externals, let venue statuses win
  const venue = new Map<string, Order>();
  for (const o of [...(brokerOrders ?? []), ...(brokerPending ?? [])]) venue.set(o.clientOrderId, o);
  for (const o of venue.values()) {
    const local = journal.getOrder(o.clientOrderId);
    if (!local) {
      d.push({ kind: 'ORDER_EXTERNAL', severity: isTerminal(o.status) ? 'info' : 'warning', message: `order ${o.clientOrderId} (${o.side} ${o.quantity} ${o.asset}, ${o.status}) exists at the broker only; adopted as external`, asset: o.asset, clientOrderId: o.clientOrderId, broker: o.status });
      if (!dry) { journal.adoptExternal({ ...o, external: true }); actions.push(`adopted external order ${o.clientOrderId}`); }
      continue;
    }
    if (local.status === o.status) continue;
    const inFlight = local.status === 'PENDING_SUBMIT' || local.status === 'UNKNOWN';
    d.push({ kind: inFlight ? 'ORDER_SETTLED' : 'ORDER_STATUS_MISMATCH', severity: inFlight ? 'info' : 'warning', message: `order ${o.clientOrderId}: local ${local.status}, broker ${o.status}`, asset: o.asset, clientOrderId: o.clientOrderId, local: local.status, broker: o.status });
    if (!dry) { journal.applyOrderReport(o, { authoritative: true, kind: 'RECONCILE' }); actions.push(`order ${o.clientOrderId} → ${o.status}`); }
  }

  // local open orders the broker did not list: one targeted lookup before any verdict
  if (brokerOrders && brokerPending) {
    for (const l of journal.openOrders()) {
      if (venue.has(l.clientOrderId) || options.now - l.updatedAt < recent) continue;
      let found: Order | undefined;
      try { found = await broker.getOrder(l.clientOrderId); } catch (err) {
        unavailable.push(`getOrder(${l.clientOrderId})`);
        d.push({ kind: 'REPORT_UNAVAILABLE', severity: 'critical', message: `getOrder(${l.clientOrderId}) failed (${errText(err)})`, clientOrderId: l.clientOrderId });
        continue;
      }
      if (found) {
        if (found.status !== l.status) {
          d.push({ kind: 'ORDER_STATUS_MISMATCH', severity: 'warning', message: `order ${l.clientOrderId}: local ${l.status}, broker ${found.status}`, asset: l.asset, clientOrderId: l.clientOrderId, local: l.status, broker: found.status });
          if (!dry) { journal.applyOrderReport(found, { authoritative: true, kind: 'RECONCILE' }); actions.push(`order ${l.clientOrderId} → ${found.status}`); }
        }
        continue;
      }
      const inFlight = l.status === 'PENDING_SUBMIT' || l.status === 'UNKNOWN';
      if (inFlight && options.now - l.createdAt >= inflightTimeout) {
        d.push({ kind: 'ORDER_LOST', severity: 'warning', message: `order ${l.clientOrderId} (${l.status}) not at the broker after ${inflightTimeout} ms; resolved locally as REJECTED (not venue-confirmed), not resent`, asset: l.asset, clientOrderId: l.clientOrderId, local: l.status });
        if (!dry) { journal.recordStatus(l.clientOrderId, 'REJECTED', { authoritative: true, reason: 'INFLIGHT_TIMEOUT: not found at broker; locally resolved', kind: 'RECONCILE_LOST' }); actions.push(`order ${l.clientOrderId} → REJECTED (lost)`); }
      } else if (!inFlight) {
        d.push({ kind: 'ORDER_MISSING_AT_BROKER', severity: 'critical', message: `order ${l.clientOrderId} is ${l.status} locally but unknown to the broker`, asset: l.asset, clientOrderId: l.clientOrderId, local: l.status });
      }
    }
  }

  for (const o of journal.orders(['FILLED', 'PARTIALLY_FILLED', 'CANCELLED', 'SUBMITTED', 'EXPIRED'])) {
    if (!o.overfilled || options.reportedOverfills?.has(o.clientOrderId)) continue;
    options.reportedOverfills?.add(o.clientOrderId);
    d.push({ kind: 'OVERFILL', severity: 'critical', message: `order ${o.clientOrderId} filled ${o.filledQuantity} > ${o.quantity}`, asset: o.asset, clientOrderId: o.clientOrderId, local: o.filledQuantity, broker: o.quantity });
  }

  // positions last, after fills were applied
  const brokerPositions = await tryCall<Position[]>('getPositions', () => broker.getPositions(), unavailable, d);
  const positionDiffs: { asset: string; local: number; broker: number; avg: number }[] = [];
  if (brokerPositions) {
    const local = new Map(journal.positions().map((p) => [p.asset, p]));
    const remote = new Map(brokerPositions.map((p) => [p.asset, p]));
    for (const asset of new Set([...local.keys(), ...remote.keys()])) {
      const lq = local.get(asset)?.quantity ?? 0;
      const bq = remote.get(asset)?.quantity ?? 0;
      if (Math.abs(lq - bq) <= EPS * Math.max(1, Math.abs(bq))) continue;
      positionDiffs.push({ asset, local: lq, broker: bq, avg: remote.get(asset)?.avgEntryPrice ?? 0 });
    }
  }
  const baseline = options.baseline === true;
  for (const p of positionDiffs) {
    d.push({ kind: baseline ? 'POSITION_BASELINE' : 'POSITION_MISMATCH', severity: baseline ? 'info' : 'critical', message: `${p.asset}: local ${p.local}, broker ${p.broker}`, asset: p.asset, local: p.local, broker: p.broker });
  }
  const adopt = !dry && (baseline || options.policy === 'adopt-broker');
  if (adopt) {
    for (const p of positionDiffs) {
      journal.setPosition(p.asset, p.broker, p.avg, baseline ? 'baseline from broker (fresh state)' : 'reconcile adopt-broker');
      actions.push(`position ${p.asset}: ${p.local} → ${p.broker}`);
    }
  }

  const critical = d.filter((x) => x.severity === 'critical' && !(adopt && x.kind === 'POSITION_MISMATCH'));
  const mustHalt = critical.length > 0 && options.policy !== 'warn';
  const report: ReconciliationReport = {
    timestamp: options.now, policy: options.policy, dryRun: dry, discrepancies: d, actions, unavailable,
    mustHalt, needsApproval: mustHalt && options.policy === 'approve',
  };
  const log = options.logger;
  for (const x of d) (x.severity === 'critical' ? log.error : x.severity === 'warning' ? log.warn : log.info).call(log, `reconcile: ${x.message}`, { kind: x.kind, severity: x.severity });
  return report;
}
