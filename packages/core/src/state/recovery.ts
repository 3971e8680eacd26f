import type { Logger } from '../logger.js';
import type { Order } from '../domain/order.js';
import type { BrokerProtocol } from '../protocols/broker.js';
import type { EngineExtension, EngineHandle } from '../engine/extension.js';
import { isTradingError } from '../errors.js';
import type { OrderJournal } from './journal.js';
import type { JournalBroker } from './journal-broker.js';
import type { Checkpoint, StateStore } from './store.js';
import { HaltCauses } from './halt-causes.js';
import { checkAccountKind } from './account-kind.js';

/** How one unsettled intent was settled. @public */
export interface SettledIntent {
  clientOrderId: string;
  /** `adopted`: the broker has it; `lost`: the broker does not (marked REJECTED, not resent); `unresolved`: the lookup failed */
  outcome: 'adopted' | 'lost' | 'unresolved';
  status: string;
  reason?: string;
}

/** @public */
export interface RecoveryReport {
  checkpoint: Checkpoint | undefined;
  /** journal entries written after the checkpoint */
  journalTail: number;
  settled: SettledIntent[];
  /** open orders refreshed from the broker */
  refreshed: number;
  /** fills found at the broker that the journal did not have (applied once) */
  fillsApplied: number;
  errors: string[];
}

/** The reason recorded on an intent the broker never saw. @public */
export const LOST_BEFORE_SEND = 'LOST_BEFORE_SEND';

const errText = (err: unknown): string => (isTradingError(err) ? `${err.code}: ${err.message}` : (err as Error)?.message ?? String(err));

/**
 * Crash recovery: loads the last checkpoint and the journal after it; settles every intent with
 * an unknown outcome (PENDING_SUBMIT / UNKNOWN) by looking it up at the broker by clientOrderId —
 * found → adopted with the venue's status; not found → REJECTED (`LOST_BEFORE_SEND`), never
 * resent; lookup failed → left unresolved (the caller must stay HALTED). Then refreshes open
 * orders and applies, once, the fills the broker has that the journal does not. Without a broker
 * (shadow mode: no order reaches the venue, the journal holds none) only the checkpoint is read.
 * Throws `StateError` (STATE_CORRUPT) when stored state is unreadable.
 * @public
 */
export async function recover(store: StateStore, journal: OrderJournal, broker: BrokerProtocol | undefined, logger: Logger): Promise<RecoveryReport> {
  store.verify();
  const checkpoint = store.lastCheckpoint();
  const journalTail = journal.entriesAfter(checkpoint?.journalSeq ?? 0).length;
  const report: RecoveryReport = { checkpoint, journalTail, settled: [], refreshed: 0, fillsApplied: 0, errors: [] };
  if (broker === undefined) {
    store.appendEvent('recovery', { checkpointId: checkpoint?.id ?? null, journalTail, venue: false });
    logger.info('recovery done (no venue to ask: shadow mode)', { checkpointId: checkpoint?.id, journalTail });
    return report;
  }
  const open = journal.openOrders();
  // fills window: from the oldest unsettled order, the last journaled fill or the checkpoint (minus a margin)
  let earliest = Math.min(journal.lastFillTimestamp() ?? Infinity, checkpoint?.timestamp ?? Infinity);
  for (const o of open) if (o.createdAt < earliest) earliest = o.createdAt;
  const since = Number.isFinite(earliest) ? earliest - 60_000 : undefined;

  // 1. fills first: they prove existence and carry quantities; statuses follow
  try {
    const fills = await broker.getFills(since);
    for (const f of fills) if (journal.applyFill(f, 'recovery').kind === 'new') report.fillsApplied++;
  } catch (err) {
    report.errors.push(`getFills failed: ${errText(err)}`);
  }

  // 2. settle unknown outcomes and refresh open orders, one targeted lookup each
  for (const o of open) {
    const inFlight = o.status === 'PENDING_SUBMIT' || o.status === 'UNKNOWN';
    let venue: Order | undefined;
    try {
      venue = await broker.getOrder(o.clientOrderId);
    } catch (err) {
      report.errors.push(`getOrder(${o.clientOrderId}) failed: ${errText(err)}`);
      if (inFlight) report.settled.push({ clientOrderId: o.clientOrderId, outcome: 'unresolved', status: o.status, reason: errText(err) });
      continue;
    }
    if (venue) {
      journal.applyOrderReport(venue, { authoritative: true, kind: inFlight ? 'RECOVERY_ADOPT' : 'RECOVERY_REFRESH' });
      if (inFlight) report.settled.push({ clientOrderId: o.clientOrderId, outcome: 'adopted', status: venue.status });
      else report.refreshed++;
    } else if (inFlight && (journal.getOrder(o.clientOrderId)?.filledQuantity ?? 0) > 0) {
      // fills prove the order reached the venue even if its order lookup came back empty
      report.settled.push({ clientOrderId: o.clientOrderId, outcome: 'adopted', status: journal.getOrder(o.clientOrderId)?.status ?? o.status, reason: 'settled by fills' });
    } else if (inFlight) {
      const reason = `${LOST_BEFORE_SEND}: intent ${o.status} at restart and the broker has no order with this clientOrderId; not resent`;
      journal.recordStatus(o.clientOrderId, 'REJECTED', { authoritative: true, reason, kind: 'RECOVERY_LOST' });
      logger.warn('intent lost before send; marked REJECTED, not resent', { clientOrderId: o.clientOrderId, asset: o.asset, previousStatus: o.status });
      report.settled.push({ clientOrderId: o.clientOrderId, outcome: 'lost', status: 'REJECTED', reason });
    }
    // an open order the broker does not know is left to the reconciler (ORDER_MISSING_AT_BROKER)
  }
  store.appendEvent('recovery', {
    checkpointId: checkpoint?.id ?? null, journalTail, fillsApplied: report.fillsApplied, refreshed: report.refreshed,
    settled: report.settled.map((s) => ({ clientOrderId: s.clientOrderId, outcome: s.outcome, status: s.status })), errors: report.errors,
  });
  logger.info('recovery done', { checkpointId: checkpoint?.id, journalTail, settled: report.settled.length, fillsApplied: report.fillsApplied, errors: report.errors.length });
  return report;
}

/**
 * Runs on connect, before the strategy starts: honours a persisted halt (corrupt state, pending
 * approval), refuses a state dir of the other account kind (`STATE_MODE_MISMATCH`: shadow vs
 * venue), runs `recover`, restores the strategy from the last checkpoint, and halts on journal
 * anomalies (overfill, failed journal write) for the rest of the run.
 * @public
 */
export class RecoveryExtension implements EngineExtension {
  readonly name = 'state.recovery';
  lastReport: RecoveryReport | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly journal: OrderJournal,
    private readonly journalBrokers: () => readonly JournalBroker[],
    private readonly causes: HaltCauses = new HaltCauses(),
  ) {}

  async onConnect(engine: EngineHandle): Promise<void> {
    const log = engine.logger.child({ component: 'recovery' });
    for (const jb of this.journalBrokers()) {
      jb.onAnomaly((a) => {
        if (a.code === 'CUMULATIVE_MISMATCH') return;
        try { this.store.setHalt({ reason: a.message, code: a.code, details: { ...(a.clientOrderId ? { clientOrderId: a.clientOrderId } : {}) } }); } catch { /* store may be the failing part */ }
        this.causes.halt(engine, a.message, a.code);
      });
    }
    let marker;
    try {
      marker = this.store.halt();
    } catch (err) {
      this.causes.halt(engine, errText(err), 'STATE_CORRUPT');
      throw err;
    }
    if (marker) {
      log.error('state says HALTED; an operator must clear it (tradewire state clear-halt)', { reason: marker.reason, code: marker.code });
      this.causes.halt(engine, marker.reason, marker.code);
    }
    const pending = this.store.approvals('PENDING');
    if (pending.length > 0) this.causes.halt(engine, `${pending.length} reconciliation approval(s) pending`, 'RECONCILE_APPROVAL_PENDING');

    try {
      checkAccountKind(this.store, engine.mode);
    } catch (err) {
      this.causes.halt(engine, errText(err), isTradingError(err) ? err.code : 'STATE_CORRUPT');
      throw err;
    }
    let report: RecoveryReport;
    try {
      // shadow mode: the broker is the virtual account; its orders and fills are not the venue's and stay out of the journal
      report = await recover(this.store, this.journal, engine.mode === 'shadow' ? undefined : engine.broker, log);
    } catch (err) {
      const code = isTradingError(err) ? err.code : 'STATE_CORRUPT';
      this.causes.halt(engine, `recovery failed: ${errText(err)}`, code);
      try { this.store.setHalt({ reason: `recovery failed: ${errText(err)}`, code }); } catch { /* unwritable */ }
      throw err;
    }
    this.lastReport = report;
    const strategy = engine.strategy;
    if (report.checkpoint && report.checkpoint.strategy !== undefined && strategy.restore) {
      strategy.restore(report.checkpoint.strategy);
      log.info('strategy restored from checkpoint', { checkpointId: report.checkpoint.id });
    }
    // a replayed feed resumes after the checkpoint instead of trading the same bars again; the
    // bars from there to the last order sent before the restart reach the strategy (restored as of
    // the checkpoint, it catches up) without sending orders: the venue already has what came of them
    if (report.checkpoint) {
      engine.skipUntil(report.checkpoint.timestamp);
      // positions are marked at the last prices before the restart until a bar brings new ones
      // (a run that ends before its first bar would otherwise value them at cost)
      const prices = checkpointPrices(report.checkpoint.account);
      if (prices) engine.seedPrices?.(prices, report.checkpoint.timestamp);
    }
    // shadow mode journals nothing: the virtual account (the broker here) knows its last order
    const lastIntent = engine.mode === 'shadow' ? engine.broker.lastOrderCreatedAt?.() : this.journal.lastIntentAt();
    if (lastIntent !== undefined && (report.checkpoint === undefined || lastIntent > report.checkpoint.timestamp)) engine.quietUntil(lastIntent);
    const unresolved = report.settled.filter((s) => s.outcome === 'unresolved');
    if (unresolved.length > 0) {
      this.causes.halt(engine, `${unresolved.length} order(s) with unknown outcome could not be settled: ${unresolved.map((u) => u.clientOrderId).join(', ')}`, 'RECOVERY_UNRESOLVED');
    }
    try { await engine.resyncAccount(); } catch (err) {
      this.causes.halt(engine, `account resync failed after recovery: ${errText(err)}`, 'RECOVERY_RESYNC_FAILED');
    }
  }
}

/** A checkpoint's `account.lastPrices` (an object), or undefined when absent or malformed. */
function checkpointPrices(account: unknown): Readonly<Record<string, unknown>> | undefined {
  if (typeof account !== 'object' || account === null) return undefined;
  const p = (account as { lastPrices?: unknown }).lastPrices;
  return typeof p === 'object' && p !== null && !Array.isArray(p) ? p as Record<string, unknown> : undefined;
}
