import { z } from 'zod';

const AdapterRef = z.union([
  z.string().min(1),
  z.object({ use: z.string().min(1), config: z.record(z.string(), z.unknown()).optional() }).strict(),
]);

/**
 * `tradewire.config.{yaml,json}`. Every key is optional; the strategy's `@uses` fills what the
 * file leaves out, and the file wins where both speak.
 * @public
 */
export const TradewireConfigSchema = z.object({
  mode: z.enum(['replay', 'paper', 'shadow', 'live']).default('replay'),
  /** plugin packages (or relative module paths) to load and register */
  plugins: z.array(z.string().min(1)).default([]),
  /** also load every installed package whose package.json has "tradewire": { "plugin": true } */
  autoDiscoverPlugins: z.boolean().default(true),
  strategy: z.object({
    /** module path relative to the config file */
    module: z.string().min(1).optional(),
    /** export name in that module (default: default) */
    export: z.string().min(1).optional(),
    /** or a strategy registered by name */
    use: z.string().min(1).optional(),
    /** passed to the strategy's constructor (or its definition's schema) */
    params: z.record(z.string(), z.unknown()).default({}),
  }).strict().refine((s) => s.module !== undefined || s.use !== undefined, { message: 'strategy needs module or use' }),
  broker: AdapterRef.optional(),
  feed: AdapterRef.optional(),
  /** aggregate the feed's ticks/bars into N-ms bars before the strategy */
  bars: z.object({ periodMs: z.number().int().positive(), flushAfterMs: z.number().nonnegative().optional() }).strict().optional(),
  /** the risk layer's options (needs @tradewire/risk), or 'none' to run without one */
  risk: z.union([z.literal('none'), z.record(z.string(), z.unknown())]).optional(),
  engine: z.object({
    haltOnError: z.boolean().default(false),
    queueCapacity: z.number().int().positive().default(10_000),
    conflate: z.boolean().default(true),
    handleSignals: z.boolean().default(true),
  }).strict().default({ haltOnError: false, queueCapacity: 10_000, conflate: true, handleSignals: true }),
  /** durable state (journal, checkpoints, risk state) */
  state: z.object({
    dir: z.string().min(1),
    /** process: survives a process crash (default); power: also power loss (fsync); batch: async, replay/backtests only */
    durability: z.enum(['process', 'power', 'batch']).default('process'),
    checkpointIntervalSeconds: z.number().positive().default(60),
    reconciliationIntervalSeconds: z.number().positive().default(300),
    reconcilePolicy: z.enum(['warn', 'adopt-broker', 'halt', 'approve']).default('warn'),
    breakStaleLock: z.boolean().default(false),
  }).strict().optional(),
  log: z.object({ level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info') }).strict().default({ level: 'info' }),
}).strict();

/** @public */
export type TradewireConfig = z.output<typeof TradewireConfigSchema>;
/** @public */
export type TradewireConfigInput = z.input<typeof TradewireConfigSchema>;
