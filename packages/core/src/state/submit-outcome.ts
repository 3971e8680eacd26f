import { isTradingError } from '../errors.js';

/** Error codes that mean "the request may or may not have reached the venue". */
const UNKNOWN_OUTCOME_CODES = new Set(['NETWORK', 'REQUEST_TIMEOUT', 'VENUE_UNAVAILABLE', 'UNKNOWN_OUTCOME', 'DUPLICATE_CLIENT_ORDER_ID']);

/**
 * Classifies a submit error. `definite`: the venue (or a layer below) stated the order was not
 * accepted. `unknown`: transport error, timeout, parse error, anything untyped — or a duplicate
 * id, which proves the order exists. Unknown outcomes are settled by lookup, never by resending.
 * A rate limit (429) is a definite refusal for the venues Tradewire supports.
 * @public
 */
export function submitErrorOutcome(err: unknown): 'definite' | 'unknown' {
  if (!isTradingError(err)) return 'unknown';
  if (UNKNOWN_OUTCOME_CODES.has(err.code)) return 'unknown';
  if (err.code === 'RATE_LIMIT') return 'definite';
  if (err.name === 'NetworkError' || (err.retryable && err.code !== 'RATE_LIMIT')) return 'unknown';
  return 'definite';
}
