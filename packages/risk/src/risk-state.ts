import { z } from 'zod';
import { StateError, type KeyValueStore, type Logger } from '@tradewire/core';
import { ShadowAccountSchema } from './shadow-state.js';

/**
 * In-memory fallback when no store is given: keeps values by reference (nothing to survive a
 * restart anyway). No `update`: no other writer can come between, so a write needs no merge (nor
 * a schema check of the state it just holds).
 */
class ReferenceStore implements KeyValueStore {
  readonly #m = new Map<string, unknown>();
  get<T = unknown>(key: string): T | undefined { return this.#m.get(key) as T | undefined; }
  set(key: string, value: unknown): void { this.#m.set(key, value); }
  delete(key: string): void { this.#m.delete(key); }
  keys(prefix = ''): string[] { return [...this.#m.keys()].filter((k) => k.startsWith(prefix)).sort(); }
}

/** ACTIVE: all orders; REDUCING: only orders that reduce a position; HALTED: only closing orders and cancels. @public */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';
/** How restrictive each trading state is (higher: fewer orders pass). */
export const TRADING_STATE_RANK: Readonly<Record<TradingState, number>> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

const TripSchema = z.object({
  breaker: z.string(),
  code: z.string(),
  reason: z.string(),
  at: z.number(),
  by: z.string(),
  /** cool-down resume: earliest time the state may lift by itself */
  resumeAfter: z.number().optional(),
});

/** The durable risk state (one kv key). @public */
export const RiskStateSchema = z.object({
  version: z.literal(1),
  revision: z.number().int().nonnegative(),
  tradingState: z.enum(['ACTIVE', 'REDUCING', 'HALTED']),
  killSwitch: z.object({ engaged: z.boolean(), reason: z.string().optional(), by: z.string().optional(), at: z.number().optional() }),
  trip: TripSchema.nullable(),
  /** session label (YYYY-MM-DD, local date the session started) */
  sessionDate: z.string().nullable(),
  sessionStartEquity: z.number().nullable(),
  dailyLoss: z.number().nonnegative(),
  ordersPlaced: z.number().int().nonnegative(),
  highWaterMark: z.number().nullable(),
  highWaterMarkAt: z.number().nullable(),
  /** session in which the daily-loss breaker already tripped (it trips once per session) */
  dailyLossTrippedSession: z.string().nullable(),
  updatedAt: z.number(),
  policyState: z.record(z.string(), z.record(z.string(), z.unknown())),
  /** the account this state is kept for (`account-mark.ts`): a venue's, or shadow mode's virtual one */
  account: z.enum(['venue', 'virtual']).optional(),
  /** shadow mode's virtual account (written with every write of this state, and at once after each virtual order event) */
  shadow: ShadowAccountSchema.optional(),
});
/** @public */
export type RiskStateData = z.infer<typeof RiskStateSchema>;
/** @public */
export type RiskTrip = z.infer<typeof TripSchema>;

/** One operator or breaker action, kept under `<prefix>:audit:*`. @public */
export interface RiskAuditEntry {
  action: 'halt' | 'resume' | 'trip' | 'auto-resume' | 'state-unreadable' | 'session-reset';
  by: string;
  at: number;
  reason: string;
  from: TradingState;
  to: TradingState;
}

/** A fresh ACTIVE state. @public */
export function freshRiskState(now: number): RiskStateData {
  return {
    version: 1, revision: 0, tradingState: 'ACTIVE', killSwitch: { engaged: false }, trip: null,
    sessionDate: null, sessionStartEquity: null, dailyLoss: 0, ordersPlaced: 0,
    highWaterMark: null, highWaterMarkAt: null, dailyLossTrippedSession: null, updatedAt: now, policyState: {},
  };
}

/** What loading found. @public */
export interface LoadedRiskState {
  state: RiskStateData;
  /** set when the stored state could not be read: the state is then HALTED */
  unreadable?: string;
  fresh: boolean;
}

/**
 * Reads and writes the risk state in a `KeyValueStore`. Without a store it keeps the state in
 * memory and logs a warning (nothing survives a restart then). A stored value that cannot be
 * read (the store throws, or the value fails the schema) loads as HALTED with the kill switch
 * engaged; the bad value is copied aside (`<prefix>:state:corrupt:<ts>`) when it can be read,
 * and is never overwritten until an operator resumes or halts explicitly.
 * @public
 */
export class RiskStateStore {
  readonly kv: KeyValueStore;
  readonly durable: boolean;
  readonly key: string;
  #auditSeq = 0;
  #blocked = false;
  constructor(kv: KeyValueStore | undefined, readonly prefix: string, private readonly logger: Logger) {
    this.durable = kv !== undefined;
    if (!kv) logger.warn('risk: no durable key/value store; the kill switch and risk counters live in memory and will not survive a restart');
    this.kv = kv ?? new ReferenceStore();
    this.key = `${prefix}:state`;
  }

  /** True while a write now would wait for another writer of the store (see `KeyValueStore.busy`). */
  get busy(): boolean { return this.kv.busy?.() ?? false; }

  /** True while an unreadable stored state must not be overwritten. */
  get writeBlocked(): boolean { return this.#blocked; }

  load(now: number, opts: { copyAside?: boolean } = {}): LoadedRiskState {
    const copyAside = opts.copyAside ?? true;
    let raw: unknown;
    try {
      raw = this.kv.get(this.key);
    } catch (err) {
      return this.#unreadable(now, `risk state unreadable: ${err instanceof Error ? err.message : String(err)}`, undefined, false);
    }
    if (raw === undefined) return { state: freshRiskState(now), fresh: true };
    const parsed = RiskStateSchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return this.#unreadable(now, `risk state invalid at '${first?.path.join('.') ?? ''}': ${first?.message ?? 'schema mismatch'}`, raw, copyAside);
    }
    return { state: parsed.data, fresh: false };
  }

  /** Is there a stored value that cannot be read (store error, checksum, JSON, schema)? */
  #storedUnreadable(): boolean {
    let raw: unknown;
    try { raw = this.kv.get(this.key); } catch { return true; }
    return raw !== undefined && !RiskStateSchema.safeParse(raw).success;
  }

  /** Reads the stored revision without failing (undefined when unreadable or absent). */
  peekRevision(): number | undefined {
    try {
      const raw = this.kv.get<{ revision?: unknown }>(this.key);
      return raw && typeof raw.revision === 'number' ? raw.revision : undefined;
    } catch { return undefined; }
  }

  /**
   * Persists the state (bumps revision). Throws StateError when the store fails.
   *
   * With a store that updates atomically (`KeyValueStore.update`: core's SQLite store), the stored
   * state is read in the same step: one newer than `state` (another writer since `state` was read
   * or written: an operator command from the CLI) is handed to `onNewer`, which merges it into
   * `state`, and the write takes the revision after it. So a running engine never writes over an
   * operator's halt or resume it has not seen. A stored value that fails the schema is not
   * overwritten unless `force` (an operator command).
   */
  save(state: RiskStateData, now: number, force = false, onNewer?: (stored: RiskStateData) => void): void {
    if (this.#blocked && !force) throw new StateError('risk state is unreadable in the store; only an explicit resume/halt may overwrite it', 'RISK_STATE_BLOCKED');
    const before = state.revision;
    try {
      if (this.kv.update && onNewer && !(force && this.#storedUnreadable())) {
        this.kv.update<unknown>(this.key, (cur) => {
          const stored = cur === undefined ? undefined : RiskStateSchema.safeParse(cur);
          if (stored !== undefined && !stored.success && !force) throw new StateError('stored risk state no longer matches its schema; not overwritten', 'RISK_STATE_BLOCKED');
          const storedRevision = stored?.success ? stored.data.revision : 0;
          if (stored?.success && storedRevision > state.revision) onNewer(stored.data);
          state.revision = Math.max(state.revision, storedRevision) + 1;
          state.updatedAt = now;
          return state;
        });
      } else {
        // a forced write over an unreadable stored value cannot read its revision: it jumps to the
        // wall clock, above any revision a running engine holds, so the engine adopts it (in
        // memory, without a store, there is no other writer to outrank)
        state.revision = force && this.durable ? Math.max(state.revision, Date.now()) + 1 : state.revision + 1;
        state.updatedAt = now;
        this.kv.set(this.key, state);
      }
    } catch (err) {
      state.revision = before;
      if (err instanceof StateError && err.code === 'RISK_STATE_BLOCKED') throw err;
      throw new StateError(`risk state could not be written: ${err instanceof Error ? err.message : String(err)}`, 'RISK_STATE_UNWRITABLE', { cause: err });
    }
    this.#blocked = false;
  }

  /**
   * An operator command (halt, resume): reads the stored state, lets `change` modify it and
   * return the audit entry, writes it and the entry. With a store that updates atomically, the
   * read and the write are one step, so a running engine's write cannot fall between them. An
   * unreadable stored state is loaded as HALTED (copied aside) and overwritten (`change` is told
   * why it was unreadable).
   */
  command(now: number, change: (state: RiskStateData, unreadable: string | undefined) => RiskAuditEntry): { state: RiskStateData; entry: RiskAuditEntry } {
    if (this.kv.update) {
      try {
        let entry: RiskAuditEntry | undefined;
        const state = this.kv.update<unknown>(this.key, (cur) => {
          const st = cur === undefined ? freshRiskState(now) : RiskStateSchema.parse(cur);
          entry = change(st, undefined);
          st.revision++;
          st.updatedAt = now;
          return st;
        }) as RiskStateData;
        this.#blocked = false;
        this.audit(entry!);
        return { state, entry: entry! };
      } catch (err) {
        // an unreadable stored state (checksum, JSON, schema) is handled below: copied aside and replaced
        if (!(err instanceof z.ZodError) && !(err instanceof StateError && err.code === 'STATE_CORRUPT')) throw err;
      }
    }
    const loaded = this.load(now);
    const entry = change(loaded.state, loaded.unreadable);
    this.save(loaded.state, now, true);
    this.audit(entry);
    return { state: loaded.state, entry };
  }

  audit(entry: RiskAuditEntry): void {
    const k = `${this.prefix}:audit:${String(entry.at).padStart(15, '0')}:${String(this.#auditSeq++).padStart(6, '0')}:${process.pid}`;
    try { this.kv.set(k, entry); } catch (err) {
      this.logger.error('risk: audit entry could not be written', { entry, error: err });
      throw err;
    }
  }

  /** Most recent audit entries, newest last. */
  auditTrail(limit = 20): RiskAuditEntry[] {
    const keys = this.kv.keys(`${this.prefix}:audit:`);
    return keys.slice(-limit).map((k) => this.kv.get<RiskAuditEntry>(k)).filter((e): e is RiskAuditEntry => e !== undefined);
  }

  #unreadable(now: number, reason: string, raw: unknown, copyAside: boolean): LoadedRiskState {
    const state = freshRiskState(now);
    state.tradingState = 'HALTED';
    state.killSwitch = { engaged: true, reason, by: 'risk-state', at: now };
    state.trip = { breaker: 'state', code: 'RISK_STATE_UNREADABLE', reason, at: now, by: 'risk-state' };
    this.#blocked = true;
    if (raw !== undefined && copyAside) {
      try { this.kv.set(`${this.key}:corrupt:${now}`, raw); } catch { /* best effort: the original stays in place */ }
    }
    this.logger.error('risk: stored risk state cannot be read; trading is HALTED until an operator resumes', { stateKey: this.key, reason });
    return { state, unreadable: reason, fresh: false };
  }
}
