import { ConfigError, type Fill, type Logger, type OrderIntent, type Position, type RiskPolicy, type RiskRejection } from '@tradewire/core';
import type { RiskAccount } from './account-view.js';
import type { LiveRiskConfig } from './config.js';
import { BUILTIN_POLICIES } from './policies/index.js';
import type { BuiltinPolicy, StatefulRiskPolicy } from './policy.js';
import type { PositionBook } from './position-book.js';
import type { PriceGuard } from './price-guard.js';
import { referencePrice, type SafeRiskContext } from './risk-context.js';

/**
 * The context object as the gate keeps it: a class, so every gate's context shares one hidden
 * class with every field always present and policy reads stay monomorphic. (An object literal
 * with a `positions` getter would be a dictionary-mode object.) `positions` is a prototype getter:
 * the array is built only for a policy that reads it. The optional numbers (`lastPrice`,
 * `lastPriceAt`, `referencePrice`) are prototype getters over number-only fields, NaN for none: a
 * field that may hold `undefined` stores every new number as a fresh heap box, and this object
 * lives as long as the gate, so each of those stores was an allocation and a write-barrier call
 * per order.
 */
class GateContext {
  now = 0;
  position: Position | undefined = undefined;
  #lastPrice = NaN;
  #lastPriceAt = NaN;
  #referencePrice = NaN;
  cash = 0;
  accountValue = 0;
  reducesPosition = false;
  state: Record<string, unknown> = {};
  grossExposure = 0;
  openPositions = 0;
  dailyLoss = 0;
  drawdownPct = 0;
  quarantined = false;
  increasesRisk = true;
  readonly #book: PositionBook;
  constructor(book: PositionBook) {
    this.#book = book;
    // own, enumerable accessors (the prototype's getters): a policy that copies or logs the context
    // (`{ ...ctx }`, JSON) still sees these three, as when they were fields
    for (const k of ['lastPrice', 'lastPriceAt', 'referencePrice'] as const) {
      Object.defineProperty(this, k, { ...Object.getOwnPropertyDescriptor(GateContext.prototype, k), enumerable: true });
    }
  }
  get positions(): Position[] { return this.#book.openRefs(); }
  get lastPrice(): number | undefined { return orNone(this.#lastPrice); }
  get lastPriceAt(): number | undefined { return orNone(this.#lastPriceAt); }
  get referencePrice(): number | undefined { return orNone(this.#referencePrice); }
  /** the asset's last good price and its time (NaN, NaN: none yet), and the price the order is valued at (NaN: none) */
  setPrices(last: number, at: number, reference: number): void {
    this.#lastPrice = last;
    this.#lastPriceAt = at;
    this.#referencePrice = reference;
  }
}

/** `undefined` for NaN (the gate context's "none"), else the number. */
const orNone = (v: number): number | undefined => (v === v ? v : undefined);

/** A policy's `check`, as read once from a built-in policy. */
type CheckFn = StatefulRiskPolicy['check'];

/** Figures of the trading-state machine a context reports. */
export interface GateFigures {
  readonly equity: number | undefined;
  readonly drawdownPct: number;
}

/**
 * Runs the policies on an order. One reused context object is filled per order (no allocation);
 * each policy gets its own persisted state object by index; the loop is O(number of policies)
 * and allocates nothing unless a policy refuses. A policy that throws refuses the order
 * (`RISK_POLICY_ERROR`: fail closed).
 */
export class OrderGate {
  readonly policies: readonly StatefulRiskPolicy[];
  readonly #account: RiskAccount;
  readonly #guard: PriceGuard;
  readonly #figures: GateFigures;
  readonly #ctx: GateContext;
  /**
   * `check` of each built-in policy, by policy index, read once (undefined for user policies).
   * With a dozen policy classes, `p.check` in the loop is a megamorphic load (a stub-cache lookup
   * per policy per order); calling the method read here skips it. A built-in's `check` is a
   * prototype method that never changes; a user policy's is read on every order, as before.
   */
  readonly #builtinChecks: readonly (CheckFn | undefined)[];
  /**
   * indices of the policies to run, in order: every policy for an order that adds risk; for one
   * that reduces its position, all but the built-ins that pass any such order (`passesReducing`,
   * most limits), which would only return undefined
   */
  readonly #forIncreasing: readonly number[];
  readonly #forReducing: readonly number[];
  /** indices of the policies with `onAccepted` / `onFill` */
  readonly #accepting: readonly number[];
  readonly #fillHooks: readonly number[];
  /** each policy's own persisted state object, by policy index (rebound when the state is replaced) */
  #states: Record<string, unknown>[] = [];

  constructor(cfg: LiveRiskConfig, custom: Readonly<Record<string, RiskPolicy>>, account: RiskAccount, guard: PriceGuard, figures: GateFigures) {
    this.policies = resolvePolicies(cfg, custom);
    const user = new Set<RiskPolicy>(Object.values(custom));
    const builtin = (p: StatefulRiskPolicy): BuiltinPolicy | undefined => (user.has(p) ? undefined : BUILTIN_POLICIES.get(p.name));
    this.#builtinChecks = this.policies.map((p) => (builtin(p) ? p.check : undefined));
    this.#account = account;
    this.#guard = guard;
    this.#figures = figures;
    const idx = (has: (p: StatefulRiskPolicy) => boolean): number[] => this.policies.flatMap((p, i) => (has(p) ? [i] : []));
    this.#forIncreasing = idx(() => true);
    this.#forReducing = idx((p) => builtin(p)?.passesReducing !== true);
    this.#accepting = idx((p) => typeof p.onAccepted === 'function');
    this.#fillHooks = idx((p) => typeof p.onFill === 'function');
    this.#ctx = new GateContext(account.book);
  }

  get hasFillHooks(): boolean { return this.#fillHooks.length > 0; }

  /** Binds each policy to its state object in `policyState` (creating missing ones). */
  bind(policyState: Record<string, Record<string, unknown>>): void {
    this.#states = this.policies.map((p) => policyState[p.name] ?? (policyState[p.name] = {}));
  }

  /** Runs the policies in order (for a reducing order, all but the `passesReducing` built-ins); the first refusal wins. */
  check(intent: OrderIntent, pos: Position | undefined, reduces: boolean, now: number, dailyLoss: number): RiskRejection | undefined {
    const ctx = this.#prepare(intent, pos, reduces, now, dailyLoss);
    const policies = this.policies;
    const states = this.#states;
    const checks = this.#builtinChecks;
    const ids = reduces ? this.#forReducing : this.#forIncreasing;
    for (let k = 0; k < ids.length; k++) {
      const i = ids[k] as number;
      const p = policies[i] as StatefulRiskPolicy;
      ctx.state = states[i] as Record<string, unknown>;
      const builtin = checks[i];
      let r: RiskRejection | undefined;
      try {
        r = builtin !== undefined ? builtin.call(p, intent, ctx as unknown as SafeRiskContext) : p.check(intent, ctx as unknown as SafeRiskContext);
      } catch (err) {
        r = { policy: p.name, code: 'RISK_POLICY_ERROR', message: `policy threw: ${err instanceof Error ? err.message : String(err)}` };
      }
      if (r) return r;
    }
    return undefined;
  }

  /** Tells the policies that want it that the order checked last was accepted; true when one was told (its state may have changed). */
  accepted(intent: OrderIntent): boolean {
    const ids = this.#accepting;
    const ctx = this.#ctx;
    for (let k = 0; k < ids.length; k++) {
      const i = ids[k] as number;
      ctx.state = this.#states[i] as Record<string, unknown>;
      (this.policies[i] as StatefulRiskPolicy).onAccepted?.(intent, ctx as unknown as SafeRiskContext);
    }
    return ids.length > 0;
  }

  /**
   * core's `RiskPolicy.onFill` hook, for stateful user policies; returns true when one ran. `pos`:
   * the position just after the fill; `reduces`: whether the fill reduced the position held before it.
   */
  fill(f: Fill, pos: Position | undefined, reduces: boolean, now: number, dailyLoss: number, log: Logger): boolean {
    const ids = this.#fillHooks;
    if (ids.length === 0) return false;
    const probe: OrderIntent = { clientOrderId: f.clientOrderId, asset: f.asset, side: f.side, quantity: f.quantity, orderType: 'MARKET', timeInForce: 'DAY', createdAt: f.timestamp };
    const ctx = this.#prepare(probe, pos, reduces, now, dailyLoss);
    for (let k = 0; k < ids.length; k++) {
      const i = ids[k] as number;
      const p = this.policies[i] as StatefulRiskPolicy;
      ctx.state = this.#states[i] as Record<string, unknown>;
      try { p.onFill?.(ctx as unknown as SafeRiskContext, f); } catch (err) { log.error('risk: policy onFill threw', { policy: p.name, error: err }); }
    }
    return true;
  }

  #prepare(intent: OrderIntent, pos: Position | undefined, reduces: boolean, now: number, dailyLoss: number): GateContext {
    const c = this.#ctx;
    const rec = this.#guard.get(intent.asset);
    const account = this.#account;
    c.now = now;
    c.position = pos !== undefined && pos.quantity !== 0 ? pos : undefined;
    c.reducesPosition = reduces;
    c.increasesRisk = !reduces;
    const ref = referencePrice(intent, rec?.price);
    // a price the sanity check let through is never NaN (B03), so NaN can stand for "none"
    if (rec !== undefined) { c.quarantined = rec.quarantined; c.setPrices(rec.price, rec.at, ref ?? NaN); }
    else { c.quarantined = false; c.setPrices(NaN, NaN, ref ?? NaN); }
    const book = account.book;
    book.measure();
    c.grossExposure = book.gross;
    c.openPositions = book.open;
    c.cash = account.cash;
    c.accountValue = this.#figures.equity ?? c.cash + book.gross;
    c.dailyLoss = dailyLoss;
    c.drawdownPct = this.#figures.drawdownPct;
    return c;
  }
}

/** The policies `config.policies` names, in order: registered user policies first by name, else built-ins (disabled ones left out). */
export function resolvePolicies(cfg: LiveRiskConfig, custom: Readonly<Record<string, RiskPolicy>>): StatefulRiskPolicy[] {
  const out: StatefulRiskPolicy[] = [];
  const seen = new Set<string>();
  for (const ref of cfg.policies) {
    const name = typeof ref === 'string' ? ref : ref.use;
    if (seen.has(name)) throw new ConfigError(`risk: policy '${name}' is listed twice in policies`, 'CONFIG_INVALID', { details: { keys: ['policies'] } });
    seen.add(name);
    const builtin = BUILTIN_POLICIES.get(name);
    const user = custom[name];
    if (user) out.push(user);
    else if (builtin) { if (!builtin.disabled?.(cfg)) out.push(builtin.fromRiskConfig(cfg)); }
    else {
      throw new ConfigError(`risk: unknown policy '${name}' in policies; built-in: ${[...BUILTIN_POLICIES.keys()].join(', ')}; register a plugin of kind 'risk' to add one`, 'RISK_POLICY_UNKNOWN', { details: { keys: ['policies'], name } });
    }
  }
  return out;
}
