/**
 * One error hierarchy for the whole framework. Callers branch on `code` (stable strings) and
 * `isTradingError(err)` (a brand check), never on `instanceof` across packages or on messages.
 * @public
 */
const BRAND = Symbol.for('tradewire:TradingError');

export interface TradingErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  /** extra structured facts (venue code, offending value, byte offset, …); never secrets */
  details?: Record<string, unknown>;
}

export class TradingError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;
  readonly [BRAND] = true;
  constructor(message: string, code = 'TRADING_ERROR', options: TradingErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

/** Brand guard that works across duplicate installs of core. @public */
export function isTradingError(err: unknown): err is TradingError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}

// ── broker side (not retryable unless stated) ───────────────────────────────
export class BrokerError extends TradingError {
  constructor(message: string, code = 'BROKER_ERROR', options: TradingErrorOptions = {}) { super(message, code, options); }
}
export class AuthenticationError extends BrokerError {
  constructor(message: string, options: TradingErrorOptions = {}) { super(message, 'AUTHENTICATION', options); }
}
export class InsufficientFundsError extends BrokerError {
  constructor(message: string, options: TradingErrorOptions = {}) { super(message, 'INSUFFICIENT_FUNDS', options); }
}
export class InvalidOrderError extends BrokerError {
  constructor(message: string, code = 'INVALID_ORDER', options: TradingErrorOptions = {}) { super(message, code, options); }
}
export class OrderNotFoundError extends InvalidOrderError {
  constructor(message: string, options: TradingErrorOptions = {}) { super(message, 'ORDER_NOT_FOUND', options); }
}
export class DuplicateClientOrderIdError extends InvalidOrderError {
  constructor(message: string, options: TradingErrorOptions = {}) { super(message, 'DUPLICATE_CLIENT_ORDER_ID', options); }
}
export class OrderRejectedError extends InvalidOrderError {
  constructor(message: string, options: TradingErrorOptions = {}) { super(message, 'ORDER_REJECTED', options); }
}
/** A call the adapter does not support (declared through its capabilities). */
export class UnsupportedError extends BrokerError {
  constructor(message: string, options: TradingErrorOptions = {}) { super(message, 'UNSUPPORTED', options); }
}
/** Alias kept for the naming used in STYLE.md. */
export { UnsupportedError as NotSupportedError };

// ── network side (retryable for reads; a submit is never retried blind) ─────
export class NetworkError extends TradingError {
  constructor(message: string, code = 'NETWORK', options: TradingErrorOptions = {}) { super(message, code, { retryable: true, ...options }); }
}
export class RateLimitError extends NetworkError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number, options: TradingErrorOptions = {}) {
    super(message, 'RATE_LIMIT', options);
    this.retryAfterMs = retryAfterMs;
  }
}
export class RequestTimeoutError extends NetworkError {
  constructor(message: string, options: TradingErrorOptions = {}) { super(message, 'REQUEST_TIMEOUT', options); }
}
export class VenueUnavailableError extends NetworkError {
  constructor(message: string, options: TradingErrorOptions = {}) { super(message, 'VENUE_UNAVAILABLE', options); }
}
/** The outcome of a submit is unknown (response lost): settle by lookup, never resend blind. */
export class UnknownOutcomeError extends NetworkError {
  constructor(message: string, options: TradingErrorOptions = {}) { super(message, 'UNKNOWN_OUTCOME', { ...options, retryable: false }); }
}

// ── framework side ───────────────────────────────────────────────────────────
export class ConfigError extends TradingError {
  constructor(message: string, code = 'CONFIG_INVALID', options: TradingErrorOptions = {}) { super(message, code, options); }
}
export class PluginError extends TradingError {
  constructor(message: string, code = 'PLUGIN_ERROR', options: TradingErrorOptions = {}) { super(message, code, options); }
}
/** Malformed input data (a feed record, a file). `details.offset` carries a byte offset where known. */
export class DataError extends TradingError {
  constructor(message: string, code = 'DATA_INVALID', options: TradingErrorOptions = {}) { super(message, code, options); }
}
/** Raised by the state layer: lock held, corrupt file, schema too new, … */
export class StateError extends TradingError {
  constructor(message: string, code = 'STATE_ERROR', options: TradingErrorOptions = {}) { super(message, code, options); }
}
/** Raised when a risk policy or the trading state refuses an order. */
export class RiskLimitError extends TradingError {
  constructor(message: string, code = 'RISK_LIMIT', options: TradingErrorOptions = {}) { super(message, code, options); }
}
/** Engine-level failures (halted, not connected, stopped). */
export class EngineError extends TradingError {
  constructor(message: string, code = 'ENGINE_ERROR', options: TradingErrorOptions = {}) { super(message, code, options); }
}
