import type { EngineExtension, EngineHandle } from '../engine/extension.js';
import type { OrderJournal } from './journal.js';
import { HaltCauses } from './halt-causes.js';
import { reconcile, type ReconcilePolicy, type ReconciliationReport } from './reconciler.js';
import type { StateStore } from './store.js';

/** @public */
export interface ReconcilerExtensionOptions {
  policy: ReconcilePolicy;
  /** 0 or undefined: only on start */
  intervalSeconds?: number;
  inflightTimeoutMs?: number;
}

const APPLIED_KEY = 'reconcile.appliedApproval';

/**
 * Reconciles on connect (after recovery) and every `intervalSeconds`. Critical differences halt
 * the engine under `halt`; under `approve` a pending approval is recorded in the store and the
 * engine stays HALTED until an operator approves (then the broker's view is adopted and trading
 * resumes) or rejects it. Reports are appended to the event log. Not in shadow mode: there the
 * broker is the virtual account and the journal holds no orders.
 * @public
 */
export class ReconcilerExtension implements EngineExtension {
  readonly name = 'state.reconciler';
  readonly reports: ReconciliationReport[] = [];
  #cancel: (() => void) | undefined;
  #running = false;
  readonly #overfills = new Set<string>();

  constructor(
    private readonly store: StateStore,
    private readonly journal: OrderJournal,
    private readonly options: ReconcilerExtensionOptions,
    private readonly causes: HaltCauses = new HaltCauses(),
  ) {}

  async onConnect(engine: EngineHandle): Promise<void> {
    if (engine.mode === 'shadow') {
      // the broker is the risk layer's virtual account: its orders and fills are no venue facts to adopt into the journal
      engine.logger.child({ component: 'reconciler' }).info('shadow mode: no order reaches the venue; nothing to reconcile');
      return;
    }
    await this.run(engine);
    const every = (this.options.intervalSeconds ?? 0) * 1000;
    if (every > 0) this.#cancel = engine.schedule(every, () => this.run(engine).then(() => undefined));
  }

  async onStop(): Promise<void> {
    this.#cancel?.();
    this.#cancel = undefined;
  }

  /** One reconciliation pass; returns undefined when a pass is already running. */
  async run(engine: EngineHandle): Promise<ReconciliationReport | undefined> {
    if (this.#running) return undefined;
    this.#running = true;
    try {
      const log = engine.logger.child({ component: 'reconciler' });
      let policy = this.options.policy;
      const approved = policy === 'approve' ? this.#takeApproved() : undefined;
      if (approved !== undefined) policy = 'adopt-broker';
      const fresh = this.journal.isEmpty() && this.store.lastCheckpoint() === undefined;
      const report = await reconcile(this.journal, engine.broker, {
        policy, now: engine.clock.now(), logger: log, baseline: fresh, reportedOverfills: this.#overfills,
        ...(this.options.inflightTimeoutMs !== undefined ? { inflightTimeoutMs: this.options.inflightTimeoutMs } : {}),
      });
      this.reports.push(report);
      if (this.reports.length > 20) this.reports.shift();
      this.store.appendEvent('reconcile', {
        policy: report.policy, discrepancies: report.discrepancies.map((x) => ({ kind: x.kind, severity: x.severity, asset: x.asset, clientOrderId: x.clientOrderId, local: x.local, broker: x.broker })),
        actions: report.actions, unavailable: report.unavailable, mustHalt: report.mustHalt,
      });
      if (report.actions.length > 0) {
        try { await engine.resyncAccount(); } catch (err) { this.causes.halt(engine, `account resync failed after reconciliation: ${(err as Error).message}`, 'RECONCILE_RESYNC_FAILED'); }
      }
      if (report.needsApproval) {
        if (this.store.approvals('PENDING').length === 0) {
          const id = this.store.addApproval('reconcile', report.discrepancies.filter((x) => x.severity === 'critical').map((x) => x.message).join('; '), report);
          log.error('reconciliation needs operator approval; engine stays HALTED', { approvalId: id });
        }
        this.causes.halt(engine, 'reconciliation awaiting operator approval', 'RECONCILE_APPROVAL_PENDING');
      } else if (report.mustHalt) {
        this.causes.halt(engine, `reconciliation found ${report.discrepancies.filter((x) => x.severity === 'critical').length} critical discrepancy(ies)`, 'RECONCILE_MISMATCH');
      } else if (approved !== undefined && this.store.halt() === undefined) {
        this.causes.clear(engine, ['RECONCILE_APPROVAL_PENDING', 'RECONCILE_MISMATCH'], `reconciliation approval ${approved} applied`);
      }
      return report;
    } finally {
      this.#running = false;
    }
  }

  /** The newest APPROVED reconcile approval not yet applied (marks it applied). */
  #takeApproved(): number | undefined {
    const applied = Number(this.store.kvGetRaw(APPLIED_KEY) ?? '0');
    const next = this.store.approvals('APPROVED').filter((a) => a.kind === 'reconcile' && a.id > applied).at(-1);
    if (!next) return undefined;
    this.store.kvSetRaw(APPLIED_KEY, String(next.id));
    return next.id;
  }
}
