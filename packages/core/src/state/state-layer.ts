import { z } from 'zod';
import { SystemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../logger.js';
import type { BrokerProtocol } from '../protocols/broker.js';
import type { KeyValueStore } from '../protocols/kv.js';
import type { EngineExtension } from '../engine/extension.js';
import type { ClientOrderIdGenerator } from '../engine/client-order-id.js';
import { StateError, isTradingError } from '../errors.js';
import { configErrorFromZod } from '../registry/registry.js';
import { CheckpointExtension } from './checkpointer.js';
import { HaltCauses } from './halt-causes.js';
import { PersistentClientOrderIdGenerator } from './id-generator.js';
import { OrderJournal } from './journal.js';
import { moveLogAside } from './journal-log.js';
import { JournalBroker } from './journal-broker.js';
import { SqliteKeyValueStore } from './kv-store.js';
import { RECONCILE_POLICIES, type ReconcilePolicy } from './reconciler.js';
import { ReconcilerExtension } from './reconciler-extension.js';
import { RecoveryExtension } from './recovery.js';
import { StateStore } from './store.js';

/** Options of the state layer (validated with zod). @public */
export const StateLayerOptionsSchema = z.strictObject({
  stateDir: z.string().min(1),
  durability: z.enum(['process', 'power', 'batch']).default('process'),
  breakStaleLock: z.boolean().default(false),
  reconcile: z.strictObject({
    policy: z.enum(RECONCILE_POLICIES as unknown as [ReconcilePolicy, ...ReconcilePolicy[]]).default('halt'),
    intervalSeconds: z.number().nonnegative().default(60),
    inflightTimeoutMs: z.number().int().positive().optional(),
  }).default({ policy: 'halt', intervalSeconds: 60 }),
  checkpointIntervalSeconds: z.number().nonnegative().default(60),
});

/** @public */
export interface StateLayerOptions {
  stateDir: string;
  durability?: 'process' | 'power' | 'batch';
  breakStaleLock?: boolean;
  reconcile?: { policy?: ReconcilePolicy; intervalSeconds?: number; inflightTimeoutMs?: number };
  checkpointIntervalSeconds?: number;
  clock?: Clock;
  logger?: Logger;
}

/** @public */
export interface StateLayer {
  store: StateStore;
  journal: OrderJournal;
  /** wraps an adapter with the write-ahead journal */
  wrapBroker(broker: BrokerProtocol): JournalBroker;
  /** install in this order: recovery, reconciler, checkpointer */
  extensions: EngineExtension[];
  recovery: RecoveryExtension;
  reconciler: ReconcilerExtension;
  checkpointer: CheckpointExtension;
  idGenerator: ClientOrderIdGenerator;
  kv: KeyValueStore;
  /** set when the state file was corrupt at open: it was moved aside and the engine will start HALTED */
  startupError: StateError | undefined;
  close(): void;
}

/**
 * Opens the state directory and builds the whole layer. The composition root wires it as:
 * `layer = createStateLayer(…)` → `broker = layer.wrapBroker(adapter)` → engine with
 * `layer.extensions` and `layer.idGenerator` → `layer.close()` after the engine stopped.
 * A corrupt state file is moved aside, a fresh one is opened with a persisted HALT marker
 * (`STATE_CORRUPT`), so the engine starts HALTED, never fresh. A missing one in a directory that
 * held one (`STATE_MISSING`), lock and schema errors throw.
 * @public
 */
export function createStateLayer(options: StateLayerOptions): StateLayer {
  const parsed = StateLayerOptionsSchema.safeParse({
    stateDir: options.stateDir, durability: options.durability, breakStaleLock: options.breakStaleLock,
    reconcile: options.reconcile, checkpointIntervalSeconds: options.checkpointIntervalSeconds,
  });
  if (!parsed.success) throw configErrorFromZod('state', parsed.error, StateLayerOptionsSchema);
  const o = parsed.data;
  const clock = options.clock ?? new SystemClock();
  const logger = options.logger ?? silentLogger;
  const storeOpts = { stateDir: o.stateDir, durability: o.durability, breakStaleLock: o.breakStaleLock, clock, logger };
  let store: StateStore;
  let startupError: StateError | undefined;
  try {
    store = StateStore.open(storeOpts); // on failure it has released the lock itself
  } catch (err) {
    if (!isTradingError(err) || err.code !== 'STATE_CORRUPT') throw typedStateError(err, o.stateDir);
    startupError = err as StateError;
    logger.error('state file corrupt: moved aside; starting HALTED on a fresh file', { ...err.details });
    store = StateStore.open({ ...storeOpts, replacingCorrupt: true });
  }
  // from here on the store holds the lock: any failure closes it (releasing the lock) before it throws
  try {
    if (startupError) store.setHalt({ reason: startupError.message, code: 'STATE_CORRUPT', details: startupError.details });
    return buildLayer(store, o, clock, logger, startupError);
  } catch (err) {
    try { store.close(); } catch (closeErr) { logger.error('state store close after a failed open failed', { error: (closeErr as Error).message }); }
    throw typedStateError(err, store.file);
  }
}

/**
 * An error of opening the state as a `StateError`: typed ones as they are, any other (a file
 * system error such as EISDIR) as `STATE_UNREADABLE` naming the file it is about (its `path` if it
 * has one, else `file`).
 */
function typedStateError(err: unknown, file: string): unknown {
  if (isTradingError(err)) return err;
  const path = (err as NodeJS.ErrnoException | null)?.path ?? file;
  const message = err instanceof Error ? err.message : String(err);
  return new StateError(`cannot open the state in ${path}: ${message}`, 'STATE_UNREADABLE', { cause: err, details: { file: path } });
}

type ParsedOptions = z.output<typeof StateLayerOptionsSchema>;

function buildLayer(store: StateStore, o: ParsedOptions, clock: Clock, logger: Logger, corrupt: StateError | undefined): StateLayer {
  let startupError = corrupt;
  if (o.durability === 'batch') logger.warn("state durability 'batch': journal writes are asynchronous; for replay/backtests only, never with a real venue");
  const journal = openJournal(store, logger, (err) => { startupError ??= err; });
  const idGenerator = new PersistentClientOrderIdGenerator(store);
  const kv = new SqliteKeyValueStore(store);
  const wrapped: JournalBroker[] = [];
  const causes = new HaltCauses();
  const recovery = new RecoveryExtension(store, journal, () => wrapped, causes);
  const reconciler = new ReconcilerExtension(store, journal, {
    policy: o.reconcile.policy, intervalSeconds: o.reconcile.intervalSeconds,
    ...(o.reconcile.inflightTimeoutMs !== undefined ? { inflightTimeoutMs: o.reconcile.inflightTimeoutMs } : {}),
  }, causes);
  const checkpointer = new CheckpointExtension(store, o.checkpointIntervalSeconds);
  return {
    store, journal, idGenerator, kv, startupError, recovery, reconciler, checkpointer,
    extensions: [recovery, reconciler, checkpointer],
    wrapBroker(broker: BrokerProtocol): JournalBroker {
      const jb = new JournalBroker(broker, { journal, clock, logger, idGenerator });
      wrapped.push(jb);
      return jb;
    },
    close(): void {
      for (const jb of wrapped) jb.detach();
      store.close();
    },
  };
}

/**
 * Builds the journal (replaying its log in `process` durability). A corrupt log is handled like a
 * corrupt database: its segments are moved aside (never deleted), a HALT marker is persisted and
 * the engine starts HALTED on the state SQLite had, until an operator reconciles and clears it.
 */
function openJournal(store: StateStore, logger: Logger, onCorrupt: (err: StateError) => void): OrderJournal {
  try {
    return new OrderJournal(store);
  } catch (err) {
    if (!isTradingError(err) || err.code !== 'STATE_CORRUPT') throw err;
    const movedTo = moveLogAside(store.stateDir, Date.now()); // wall time for file names, like the db
    logger.error('journal log corrupt: moved aside; starting HALTED', { ...err.details, movedTo });
    store.setHalt({ reason: err.message, code: 'STATE_CORRUPT', details: { ...err.details, movedTo } });
    onCorrupt(err as StateError);
    return new OrderJournal(store);
  }
}
