import { StateError, type AccountKind } from '@tradewire/core';
import type { RiskStateData } from './risk-state.js';

/** The account a stored risk state was kept for; undefined for a fresh state or one of an earlier build that had no virtual account. */
function storedAccountKind(s: RiskStateData): AccountKind | undefined {
  return s.account ?? (s.shadow !== undefined ? 'virtual' : undefined);
}

/**
 * Marks `state` with the account this SafeBroker keeps it for, after refusing (`RISK_MODE_MISMATCH`)
 * a state kept for the other kind: the high-water mark, session-start equity and daily loss of a
 * virtual account would be compared with a venue's equity (a false breaker trip, or a real loss
 * masked), and shadow mode would start from a venue's marks.
 */
export function markAccountKind(state: RiskStateData, kind: AccountKind, stateKey: string): void {
  const stored = storedAccountKind(state);
  if (stored !== undefined && stored !== kind) {
    const was = stored === 'virtual' ? 'shadow mode (a virtual account)' : "a venue's account";
    const now = kind === 'virtual' ? 'shadow mode' : 'against a venue (shadowMode off)';
    throw new StateError(
      `risk state '${stateKey}:state' was kept for ${was}; refusing to use it ${now}: its equity marks, daily loss and positions would be mixed with the other account's. Use another state dir (or another stateKey)`,
      'RISK_MODE_MISMATCH', { details: { stateKey, stored, configured: kind } });
  }
  state.account = kind;
}
