import type { EngineMode } from '../engine/live-engine.js';
import { StateError } from '../errors.js';
import type { StateStore } from './store.js';

/** Which account a state directory's engine trades: a venue's (replay, paper, live) or shadow mode's virtual one. @public */
export type AccountKind = 'venue' | 'virtual';

/** The kv key (raw area) holding the directory's `AccountKind`. */
export const ACCOUNT_KIND_KEY = 'state.accountKind';

/** @public */
export function accountKindOf(mode: EngineMode | undefined): AccountKind { return mode === 'shadow' ? 'virtual' : 'venue'; }

/**
 * Records at the first start which account the state directory holds, and refuses
 * (`STATE_MODE_MISMATCH`) a later start with the other kind: shadow mode's virtual positions,
 * cash and risk marks must never be read as a venue's, nor the other way round. A directory of an
 * earlier build (nothing recorded) takes the kind of this start.
 */
export function checkAccountKind(store: StateStore, mode: EngineMode | undefined): void {
  const kind = accountKindOf(mode);
  const raw = store.kvGetRaw(ACCOUNT_KIND_KEY);
  const stored = raw === undefined ? undefined : (JSON.parse(raw) as unknown);
  if (stored === undefined) { store.kvSetRaw(ACCOUNT_KIND_KEY, JSON.stringify(kind)); return; }
  if (stored === kind) return;
  const was = stored === 'virtual' ? 'shadow mode (a virtual account)' : `a venue's account (replay, paper or live)`;
  const now = kind === 'virtual' ? 'shadow mode' : `${mode ?? 'venue'} mode`;
  throw new StateError(
    `state dir ${store.stateDir} holds the state of ${was}; refusing to run it in ${now}: its positions, checkpoints and risk marks would be mixed with the other account's. Use another state dir for ${now}`,
    'STATE_MODE_MISMATCH', { details: { stateDir: store.stateDir, stored: String(stored), mode } });
}
