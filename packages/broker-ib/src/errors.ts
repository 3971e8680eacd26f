/**
 * IB error/notice codes → core typed errors (the ccxt `exceptions.exact` idea). The IB code and
 * text travel in `details.venueCode` / `details.venueMessage`; the original stoqey error is the `cause`.
 */
import {
  AuthenticationError, BrokerError, InsufficientFundsError, InvalidOrderError, OrderNotFoundError, OrderRejectedError,
  RateLimitError, TradingError, VenueUnavailableError, type TradingErrorOptions,
} from '@tradewire/core';

type Make = (message: string, options: TradingErrorOptions) => TradingError;

interface Entry { make: Make; meaning: string }

const invalid = (code: string): Make => (m, o) => new InvalidOrderError(m, code, o);
const broker = (code: string): Make => (m, o) => new BrokerError(m, code, o);

/** The table. Codes not listed become `BrokerError('IB_<code>')`. */
export const IB_ERROR_TABLE: ReadonlyMap<number, Entry> = new Map<number, Entry>([
  [100, { meaning: 'max rate of messages per second exceeded', make: (m, o) => new RateLimitError(m, 1_000, o) }],
  [103, { meaning: 'duplicate order id', make: invalid('IB_DUPLICATE_ORDER_ID') }],
  [104, { meaning: 'cannot modify a filled order', make: invalid('ORDER_NOT_MODIFIABLE') }],
  [110, { meaning: 'price does not conform to the minimum price variation', make: invalid('INVALID_PRICE') }],
  [135, { meaning: 'cannot find order with that id', make: (m, o) => new OrderNotFoundError(m, o) }],
  [161, { meaning: 'cancel attempted when the order is not cancellable', make: invalid('ORDER_NOT_CANCELLABLE') }],
  [162, { meaning: 'historical data service error', make: broker('IB_HISTORICAL_DATA') }],
  [200, { meaning: 'no security definition found', make: invalid('UNKNOWN_SYMBOL') }],
  [201, { meaning: 'order rejected', make: (m, o) => new OrderRejectedError(m, o) }],
  [203, { meaning: 'security not available or not allowed for this account', make: (m, o) => new OrderRejectedError(m, o) }],
  [321, { meaning: 'error validating request', make: invalid('INVALID_REQUEST') }],
  [326, { meaning: 'client id already in use', make: (m, o) => new AuthenticationError(m, o) }],
  [354, { meaning: 'market data not subscribed', make: broker('IB_MARKET_DATA_NOT_SUBSCRIBED') }],
  [502, { meaning: 'could not connect to TWS', make: (m, o) => new VenueUnavailableError(m, o) }],
  [504, { meaning: 'not connected', make: (m, o) => new VenueUnavailableError(m, o) }],
  [1100, { meaning: 'connectivity between TWS and IB servers lost', make: (m, o) => new VenueUnavailableError(m, o) }],
  [2110, { meaning: 'connectivity between TWS and server is broken', make: (m, o) => new VenueUnavailableError(m, o) }],
  [10147, { meaning: 'order id to cancel not found', make: (m, o) => new OrderNotFoundError(m, o) }],
  [10148, { meaning: 'order cannot be cancelled in its current state', make: invalid('ORDER_NOT_CANCELLABLE') }],
  [201_001, { meaning: 'insufficient funds (synthetic: 201 whose reason names margin/funds)', make: (m, o) => new InsufficientFundsError(m, o) }],
]);

/** Codes that are notices, never failures: 2100–2999 (farm status), 399, 10167, 10090, 492. */
export function isIBWarning(code: number): boolean {
  return (code >= 2100 && code < 3000 && code !== 2110) || code === 399 || code === 10167 || code === 10090 || code === 492;
}

/** Builds the typed error for an IB code. */
export function ibError(code: number, venueMessage: string, context: { id?: number; cause?: unknown } = {}): TradingError {
  // a 201 is a rejection; IB names the reason in the text, the code stays 201 either way
  const key = code === 201 && /insufficient|margin|buying power|equity/i.test(venueMessage) ? 201_001 : code;
  const entry = IB_ERROR_TABLE.get(key);
  const options: TradingErrorOptions = {
    details: { venue: 'ib', venueCode: code, venueMessage, ...(context.id !== undefined && context.id >= 0 ? { id: context.id } : {}) },
    ...(context.cause !== undefined ? { cause: context.cause } : {}),
  };
  const message = `IB ${code}: ${venueMessage}`;
  return entry ? entry.make(message, options) : new BrokerError(message, `IB_${code}`, options);
}
