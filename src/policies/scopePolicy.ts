import {
  decorrelatedJitterGenerator,
  ExponentialBackoff,
  fullJitterGenerator,
  type GeneratorFn,
  type IBackoffFactory,
  noJitterGenerator,
} from 'cockatiel';
import type { ResolvedScopePolicy } from '../options/ScopePolicyOptions.js';
import { type BreakerDeps, ScopeBreaker } from './breaker.js';
import { ThrottleGate } from './throttleGate.js';

/** The live policy objects of one scope. */
export interface ScopePolicy {
  readonly scope: string;
  readonly options: ResolvedScopePolicy;
  /** The scope's throttle gate (Retry-After deadline and slow start). */
  readonly gate: ThrottleGate;
  /** The scope's circuit breaker, or `undefined` when disabled. */
  readonly breaker: ScopeBreaker | undefined;
  /** cockatiel exponential backoff, asked for the next delay when the server gave no hint. */
  readonly backoff: IBackoffFactory<unknown>;
}

function generatorOf(jitter: ResolvedScopePolicy['retry']['jitter']): GeneratorFn<unknown> {
  if (jitter === 'none') return noJitterGenerator as GeneratorFn<unknown>;
  if (jitter === 'full') return fullJitterGenerator as GeneratorFn<unknown>;
  return decorrelatedJitterGenerator as GeneratorFn<unknown>;
}

/** cockatiel's exponential backoff for a policy (it holds no per-call state: scopes may share it). */
export function backoffOf(options: ResolvedScopePolicy): IBackoffFactory<unknown> {
  return new ExponentialBackoff({
    initialDelay: options.retry.baseDelayMs,
    maxDelay: options.retry.maxDelayMs,
    generator: generatorOf(options.retry.jitter),
  });
}

/**
 * Builds the policy objects of a scope. Scopes with the same resolved options share one backoff factory
 * (`backoffs`, owned by the engine); the gate and the breaker are the scope's own.
 */
export function createScopePolicy(
  scope: string,
  options: ResolvedScopePolicy,
  backoffs: Map<ResolvedScopePolicy, IBackoffFactory<unknown>>,
  breakerDeps: BreakerDeps,
): ScopePolicy {
  let backoff = backoffs.get(options);
  if (backoff === undefined) {
    backoff = backoffOf(options);
    backoffs.set(options, backoff);
  }
  return {
    scope,
    options,
    gate: new ThrottleGate(),
    breaker: options.circuitBreaker.enabled
      ? new ScopeBreaker(scope, options.circuitBreaker, breakerDeps)
      : undefined,
    backoff,
  };
}
