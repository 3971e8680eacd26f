import type { KeyValueStore, Logger } from '@tradewire/core';
import { silentLogger } from '@tradewire/core';
import { clearKillSwitch, engageKillSwitch } from './kill-switch.js';
import { RiskStateStore, type RiskAuditEntry, type RiskStateData } from './risk-state.js';

/** Options of the operator commands (CLI `tradewire risk …`, dashboard). @public */
export interface OperatorOptions {
  reason: string;
  by?: string;
  /** kv key prefix (LiveRiskConfig.stateKey); default "risk" */
  prefix?: string;
  now?: number;
  logger?: Logger;
}

/** Result of an operator command or `readRiskStatus`. @public */
export interface RiskStatus {
  state: RiskStateData;
  unreadable?: string;
  audit: RiskAuditEntry[];
}

function store(kv: KeyValueStore, o: { prefix?: string; logger?: Logger }): RiskStateStore {
  return new RiskStateStore(kv, o.prefix ?? 'risk', o.logger ?? silentLogger);
}

/** Engages the kill switch in the store and writes an audit entry (who, when, why). @public */
export function haltRisk(kv: KeyValueStore, o: OperatorOptions): RiskStatus {
  const s = store(kv, o);
  const now = o.now ?? Date.now();
  const { state, entry } = s.command(now, (st) => engageKillSwitch(st, { reason: o.reason, at: now, ...(o.by !== undefined ? { by: o.by } : {}) }));
  (o.logger ?? silentLogger).warn('risk: kill switch engaged by operator', { ...entry });
  return { state, audit: s.auditTrail() };
}

/**
 * Clears the kill switch / breaker trip and writes an audit entry. An unreadable stored state is
 * replaced by a fresh one (the bad value was copied aside); the audit entry says so.
 * @public
 */
export function resumeRisk(kv: KeyValueStore, o: OperatorOptions): RiskStatus {
  const s = store(kv, o);
  const now = o.now ?? Date.now();
  const { state, entry } = s.command(now, (st, unreadable) => {
    const e = clearKillSwitch(st, { reason: o.reason, at: now, ...(o.by !== undefined ? { by: o.by } : {}) });
    if (unreadable) e.reason = `${e.reason} (replaced unreadable state: ${unreadable})`;
    return e;
  });
  (o.logger ?? silentLogger).warn('risk: kill switch cleared by operator', { ...entry });
  return { state, audit: s.auditTrail() };
}

/** Reads the risk state and the recent audit trail without changing anything. @public */
export function readRiskStatus(kv: KeyValueStore, o: { prefix?: string; logger?: Logger; now?: number; readOnly?: boolean } = {}): RiskStatus {
  const s = store(kv, o);
  const loaded = s.load(o.now ?? Date.now(), { copyAside: !(o.readOnly ?? false) });
  let audit: RiskAuditEntry[] = [];
  try { audit = s.auditTrail(); } catch { /* unreadable audit: show the state anyway */ }
  const out: RiskStatus = { state: loaded.state, audit };
  if (loaded.unreadable !== undefined) out.unreadable = loaded.unreadable;
  return out;
}
