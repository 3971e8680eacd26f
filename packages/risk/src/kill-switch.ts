import { ConfigError } from '@tradewire/core';
import type { RiskAuditEntry, RiskStateData, TradingState } from './risk-state.js';

/** An explicit operator command. `reason` is required; `by` defaults to "operator". @public */
export interface OperatorCommand {
  reason: string;
  by?: string;
  at: number;
}

function checkReason(cmd: OperatorCommand): { reason: string; by: string } {
  const reason = typeof cmd.reason === 'string' ? cmd.reason.trim() : '';
  if (!reason) throw new ConfigError('a reason is required to change the kill switch', 'RISK_REASON_REQUIRED');
  if (reason.length > 500) throw new ConfigError('reason is longer than 500 characters', 'RISK_REASON_TOO_LONG');
  const by = (cmd.by ?? 'operator').trim() || 'operator';
  return { reason, by };
}

/**
 * Engages the kill switch: HALTED (only closing orders and cancels pass) until an explicit
 * resume. Mutates `state`; returns the audit entry to persist.
 * @public
 */
export function engageKillSwitch(state: RiskStateData, cmd: OperatorCommand): RiskAuditEntry {
  const { reason, by } = checkReason(cmd);
  const from: TradingState = state.tradingState;
  state.tradingState = 'HALTED';
  state.killSwitch = { engaged: true, reason, by, at: cmd.at };
  state.trip = { breaker: 'manual', code: 'RISK_KILL_SWITCH', reason, at: cmd.at, by };
  return { action: 'halt', by, at: cmd.at, reason, from, to: 'HALTED' };
}

/**
 * Clears the kill switch and any breaker trip: back to ACTIVE. The equity peak restarts from the
 * next mark so the drawdown breaker does not re-trip on the loss it already reported.
 * @public
 */
export function clearKillSwitch(state: RiskStateData, cmd: OperatorCommand): RiskAuditEntry {
  const { reason, by } = checkReason(cmd);
  const from: TradingState = state.tradingState;
  state.tradingState = 'ACTIVE';
  state.killSwitch = { engaged: false, reason, by, at: cmd.at };
  state.trip = null;
  state.highWaterMark = null;
  state.highWaterMarkAt = null;
  return { action: 'resume', by, at: cmd.at, reason, from, to: 'ACTIVE' };
}
