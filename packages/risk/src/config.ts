import { z } from 'zod';

/**
 * A limit: a non-negative finite number, or disabled. `Infinity`, the string "Infinity" and
 * `null` all mean "disabled" (YAML/JSON cannot spell Infinity). NaN, negatives, other strings
 * are rejected; `-0` is read as 0.
 * @public
 */
export function limitSchema(defaultValue = Infinity) {
  return disableable(z.number().min(0), 'must be a number >= 0, or "Infinity"/null to disable', defaultValue);
}

/**
 * A count limit (positions, orders, attempts, errors): like `limitSchema`, but a finite value
 * must be a whole number (`1.5` is refused).
 * @public
 */
export function countSchema(defaultValue = Infinity) {
  return disableable(z.number().int().min(0), 'must be a whole number >= 0, or "Infinity"/null to disable', defaultValue);
}

function disableable(finite: z.ZodNumber, error: string, defaultValue: number) {
  return z
    .union([finite, z.literal(Infinity), z.literal('Infinity'), z.null()], { error })
    .optional()
    .transform((v): number => (v === undefined ? defaultValue : v === null || v === 'Infinity' ? Infinity : v === 0 ? 0 : v));
}

const positive = (def: number) => z.number().positive().finite().default(def);
const nonNeg = (def: number) => z.number().nonnegative().finite().default(def);
const breakerAction = z.enum(['REDUCING', 'HALTED']);

/** The built-in policies, in their default order. @public */
export const DEFAULT_POLICY_ORDER = [
  'allowed_assets',
  'blocked_assets',
  'price_band',
  'max_data_staleness',
  'max_price_deviation',
  'max_order_shares',
  'max_order_value',
  'max_position_shares',
  'max_position_value',
  'max_positions',
  'max_total_exposure',
  'max_daily_loss',
  'max_drawdown',
  'dedup',
  'max_orders_per_minute',
] as const;

const BreakersSchema = z
  .object({
    /** drawdown from the equity peak seen over the lookback; `pct` defaults to maxDrawdownPct */
    drawdown: z
      .object({ enabled: z.boolean().default(true), pct: limitSchema(), lookbackMinutes: positive(24 * 60), action: breakerAction.default('HALTED') })
      .strict()
      .default({ enabled: true, pct: Infinity, lookbackMinutes: 24 * 60, action: 'HALTED' }),
    /** trips when the day's loss reaches maxDailyLoss */
    dailyLoss: z.object({ enabled: z.boolean().default(true), action: breakerAction.default('HALTED') }).strict().default({ enabled: true, action: 'HALTED' }),
    /** order attempts (accepted or not) per minute: the runaway-loop breaker */
    orderRate: z
      .object({ maxAttemptsPerMinute: countSchema(), action: breakerAction.default('HALTED') })
      .strict()
      .default({ maxAttemptsPerMinute: Infinity, action: 'HALTED' }),
    /** venue rejections, broker errors and reported errors within a window: maxErrors pass, one more trips */
    errorRate: z
      .object({ maxErrors: countSchema(), windowSeconds: positive(60), action: breakerAction.default('HALTED') })
      .strict()
      .default({ maxErrors: Infinity, windowSeconds: 60, action: 'HALTED' }),
    /** 'manual': only an explicit command resumes; 'cooldown': resumes after cooldownSeconds when the cause cleared */
    resume: z
      .object({ mode: z.enum(['manual', 'cooldown']).default('manual'), cooldownSeconds: nonNeg(0) })
      .strict()
      .default({ mode: 'manual', cooldownSeconds: 0 }),
  })
  .strict();

const SessionSchema = z
  .object({
    /** IANA time zone of the session boundary */
    timeZone: z
      .string()
      .default('UTC')
      .refine((tz) => { try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); return true; } catch { return false; } }, { message: 'unknown time zone' }),
    /** local time (HH:MM) at which the trading day starts and daily counters reset */
    boundary: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM').default('00:00'),
  })
  .strict();

const PriceBandSchema = z
  .object({
    /** a price further than this % from the last good price is quarantined */
    pct: limitSchema(),
    /** after this many consecutive quarantined prices that agree with each other, the new level is accepted */
    acceptAfter: z.number().int().min(1).default(3),
  })
  .strict();

const ShadowSchema = z
  .object({
    initialCash: z.number().finite().nonnegative().default(100_000),
    slippageBps: nonNeg(0),
    commissionPerShare: nonNeg(0),
    commissionPct: nonNeg(0),
    minCommission: nonNeg(0),
  })
  .strict();

const PolicyRefSchema = z.union([
  z.string().min(1),
  z.object({ use: z.string().min(1), config: z.record(z.string(), z.unknown()).optional() }).strict(),
]);

/**
 * Every limit of the risk layer. Each limit is disabled with Infinity (or "Infinity"/null); the
 * counts (maxPositions, maxOrdersPerMinute, the breakers' maxAttemptsPerMinute and maxErrors) must
 * be whole numbers. Unknown keys are an error naming the key.
 * @public
 */
export const LiveRiskConfig = z
  .object({
    maxPositionValue: limitSchema(),
    maxPositionShares: limitSchema(),
    maxTotalExposure: limitSchema(),
    maxPositions: countSchema(),
    maxOrderValue: limitSchema(),
    maxOrderShares: limitSchema(),
    maxOrdersPerMinute: countSchema(),
    maxDailyLoss: limitSchema(),
    maxDrawdownPct: limitSchema(),
    maxPriceDeviationPct: limitSchema(),
    maxDataStalenessSeconds: limitSchema(),
    dedupWindowSeconds: limitSchema(0),
    /** when set, only these assets may be traded */
    allowedAssets: z.array(z.string().min(1)).optional(),
    blockedAssets: z.array(z.string().min(1)).default([]),
    shadowMode: z.boolean().default(false),
    killSwitchEnabled: z.boolean().default(true),
    /** policies in the order they run: built-in names, or registered `risk` plugins (`{ use, config }`) */
    policies: z.array(PolicyRefSchema).default([...DEFAULT_POLICY_ORDER]),
    circuitBreakers: BreakersSchema.default(BreakersSchema.parse({})),
    session: SessionSchema.default({ timeZone: 'UTC', boundary: '00:00' }),
    priceBand: PriceBandSchema.default({ pct: Infinity, acceptAfter: 3 }),
    shadow: ShadowSchema.default({ initialCash: 100_000, slippageBps: 0, commissionPerShare: 0, commissionPct: 0, minCommission: 0 }),
    /** kv key prefix of this risk layer's state (one per account) */
    stateKey: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).default('risk'),
  })
  .strict();

/** Parsed risk configuration. @public */
export type LiveRiskConfig = z.output<typeof LiveRiskConfig>;
/** Risk configuration as written in a config file. @public */
export type LiveRiskConfigInput = z.input<typeof LiveRiskConfig>;
/** A policy reference in `policies`. @public */
export type PolicyRef = z.output<typeof PolicyRefSchema>;

/** Parses risk options; throws a ZodError (the registry turns it into a ConfigError naming the key). @public */
export function parseRiskConfig(raw: unknown = {}): LiveRiskConfig {
  return LiveRiskConfig.parse(raw ?? {});
}
