import { z } from 'zod';

/** Per-symbol contract overrides (defaults: STK on SMART in the configured currency). */
export const IBContractOverride = z.object({
  secType: z.enum(['STK', 'FUT', 'CASH', 'CFD', 'IND', 'CRYPTO']).default('STK'),
  exchange: z.string().min(1).optional(),
  primaryExch: z.string().min(1).optional(),
  currency: z.string().min(1).optional(),
  conId: z.number().int().positive().optional(),
  lastTradeDateOrContractMonth: z.string().optional(),
  multiplier: z.number().positive().optional(),
  localSymbol: z.string().optional(),
  /** the symbol IB knows, when the strategy uses another name */
  symbol: z.string().optional(),
}).strict();
export type IBContractOverride = z.output<typeof IBContractOverride>;

/** Connection options shared by the broker and the feed. */
export const IBConnectionConfig = z.object({
  /** TWS / IB Gateway host */
  host: z.string().min(1).default('127.0.0.1'),
  /** 7497 TWS paper, 7496 TWS live, 4002 Gateway paper, 4001 Gateway live */
  port: z.number().int().min(1).max(65535).default(7497),
  /** API client id; must be unique among the clients connected to one TWS */
  clientId: z.number().int().min(0).default(0),
  /** outgoing messages per second (IB allows 50) */
  maxMessagesPerSecond: z.number().positive().max(50).default(40),
  connectTimeoutMs: z.number().int().positive().default(10_000),
  requestTimeoutMs: z.number().int().positive().default(10_000),
  reconnect: z.object({
    enabled: z.boolean().default(true),
    initialDelayMs: z.number().int().positive().default(1_000),
    maxDelayMs: z.number().int().positive().default(30_000),
  }).strict().prefault({}),
  exchange: z.string().min(1).default('SMART'),
  currency: z.string().min(1).default('USD'),
  contracts: z.record(z.string(), IBContractOverride).default({}),
}).strict();
export type IBConnectionConfig = z.output<typeof IBConnectionConfig>;

/** Options of broker `ib`. */
export const IBConfig = IBConnectionConfig.extend({
  /** account to trade; default: the first managed account */
  account: z.string().min(1).optional(),
  /** how long to wait for the venue to acknowledge a submit before the outcome is UNKNOWN */
  submitTimeoutMs: z.number().int().positive().default(5_000),
  /** how long a fill waits for its commissionReport before it is emitted with commission 0 */
  commissionWaitMs: z.number().int().nonnegative().default(3_000),
}).strict();
export type IBConfig = z.output<typeof IBConfig>;

/** Options of feed `ib`. */
export const IBFeedConfig = IBConnectionConfig.extend({
  clientId: z.number().int().min(0).default(1),
  symbols: z.array(z.string().min(1)).min(1),
  /** 'bars' = reqRealTimeBars (5-second bars); 'ticks' = reqMktData ticks; 'both' */
  data: z.enum(['bars', 'ticks', 'both']).default('bars'),
  whatToShow: z.enum(['TRADES', 'MIDPOINT', 'BID', 'ASK']).default('TRADES'),
  useRTH: z.boolean().default(false),
  /** at most one tick event per symbol per this many ms (the latest value wins) */
  tickThrottleMs: z.number().int().nonnegative().default(250),
  /** 1 live, 2 frozen, 3 delayed, 4 delayed-frozen */
  marketDataType: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).default(1),
  /** reuse the connection of a broker `ib` with the same host/port/clientId in this process */
  shareConnection: z.boolean().default(true),
  /**
   * liveness probe (reqCurrentTime) every this many ms; no answer by the next probe → the socket is
   * taken as half-open and reconnected (0 = off). The TWS API has no heartbeat of its own.
   */
  heartbeatMs: z.number().int().nonnegative().default(30_000),
}).strict();
export type IBFeedConfig = z.output<typeof IBFeedConfig>;
