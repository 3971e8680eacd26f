// reflect-metadata MUST be evaluated before tsyringe (tsyringe throws at import time without it).
import 'reflect-metadata';
import { container, inject as tsyringeInject, injectable, injectAll, delay, Lifecycle } from 'tsyringe';
import type { DependencyContainer, InjectionToken } from 'tsyringe';

/**
 * A typed DI token. The phantom `__type` carries T so `resolve(token)` is not a cast.
 * Plugins take DI primitives only from `@tradewire/core`, never from tsyringe directly,
 * so there is exactly one container implementation in a process.
 * @public
 */
export interface Token<T> {
  readonly id: symbol;
  readonly description: string;
  /** phantom: never set at runtime */
  readonly __type?: T;
}

/** Creates a typed token; the same description always yields the same symbol (Symbol.for). @public */
export function createToken<T>(description: string): Token<T> {
  return Object.freeze({ id: Symbol.for(`tradewire:${description}`), description });
}

/** Registers a value under a typed token in the given container. @public */
export function provideValue<T>(c: DependencyContainer, token: Token<T>, value: T): void {
  c.register(token.id as InjectionToken<T>, { useValue: value });
}

/** Resolves a typed token. @public */
export function resolveToken<T>(c: DependencyContainer, token: Token<T>): T {
  return c.resolve<T>(token.id as InjectionToken<T>);
}

function isToken(t: unknown): t is Token<unknown> {
  return typeof t === 'object' && t !== null && typeof (t as Token<unknown>).id === 'symbol';
}

/**
 * `@inject(TOKENS.Clock)`: put one on EVERY constructor parameter of an injectable class, so
 * resolution never depends on emitted type metadata. Accepts typed tokens and classes.
 * @public
 */
export function inject(token: Token<unknown> | InjectionToken<unknown>): ParameterDecorator {
  return tsyringeInject(isToken(token) ? token.id : token) as ParameterDecorator;
}

export { container, injectable, injectAll, delay, Lifecycle };
export type { DependencyContainer, InjectionToken };
