import { z } from 'zod';

/** Options of the `paper` broker. @public */
export const PaperBrokerConfig = z.object({
  /** starting cash */
  initialCash: z.number().finite().nonnegative().default(100_000),
  /** an order becomes fillable this many ms (engine time) after it is submitted */
  latencyMs: z.number().finite().nonnegative().default(0),
  /** adverse price move applied to every fill, in basis points */
  slippageBps: z.number().finite().nonnegative().default(0),
  commission: z.object({
    /** per unit traded */
    perShare: z.number().finite().nonnegative().default(0),
    /** fraction of notional (0.001 = 10 bps) */
    rate: z.number().finite().nonnegative().default(0),
    /** floor per fill (applied when perShare or rate is set) */
    minimum: z.number().finite().nonnegative().default(0),
  }).strict().default({ perShare: 0, rate: 0, minimum: 0 }),
  /** a fill may take at most this fraction of the bar's volume; the rest fills on later bars (1 = the whole bar) */
  maxVolumeFraction: z.number().gt(0).lte(1).default(1),
  /** equity needed per unit of gross exposure (1 = cash account, 0.5 = 2x, 0.25 = 4x) */
  marginRequirement: z.number().gt(0).lte(1).default(1),
  allowShort: z.boolean().default(true),
  /**
   * finished orders and fills kept for getOrder/getOrders/getFills (oldest dropped first; working
   * orders are always kept). Recovery looks up the orders since the last checkpoint, so this only
   * needs to cover a checkpoint interval's worth of orders; a bigger history costs memory and cache.
   */
  historyLimit: z.number().int().positive().default(10_000),
  /** persist the venue's books to this JSON-lines file and rebuild them from it at start (a paper venue that survives restarts) */
  ledgerFile: z.string().min(1).optional(),
  /** fractional quantities allowed */
  fractional: z.boolean().default(true),
}).strict();
/** @public */
export type PaperBrokerConfig = z.output<typeof PaperBrokerConfig>;
