import {
  decorrelatedJitterGenerator,
  ExponentialBackoff,
  fullJitterGenerator,
  type GeneratorFn,
  type IBackoffFactory,
  noJitterGenerator,
} from 'cockatiel';
import type { NormalizedOptions } from '../options/normalizeOptions.js';
import type { ResolvedScopePolicy } from '../options/ScopePolicyOptions.js';
import { ScopeRegistry } from '../tenancy/scopes.js';
import { type BreakerDeps, ScopeBreaker } from './breaker.js';
import type { Call } from './call.js';
import type { AttemptSpec, Outcome } from './pipeline.js';
import { ThrottleGate } from './throttleGate.js';

/** The live policy objects of one scope. */
export interface ScopePolicy {
  readonly scope: string;
  readonly options: ResolvedScopePolicy;
  /** The scope's throttle gate (Retry-After deadline and slow start). */
  readonly gate: ThrottleGate;
  /** The scope's circuit breaker, or `undefined` when disabled. */
  readonly breaker: ScopeBreaker | undefined;
  /** Runs a call's attempts through the scope's list of policies. */
  run(call: Call, spec: AttemptSpec): Promise<Outcome>;
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

/** What a scope's entry is made from. */
export interface ScopePolicyDeps extends BreakerDeps {
  /** The list of a scope's policies around its gate and breaker (composed on the scope's first slow call). */
  readonly listOf: (
    gate: ThrottleGate,
    breaker: ScopeBreaker | undefined,
  ) => (call: Call, spec: AttemptSpec) => Promise<Outcome>;
}

/**
 * Builds the policy objects of a scope: its own gate and breaker, and its list, composed when a call of the
 * scope first leaves the success path.
 */
export function createScopePolicy(
  scope: string,
  options: ResolvedScopePolicy,
  deps: ScopePolicyDeps,
): ScopePolicy {
  const gate = new ThrottleGate(scope, deps);
  const breaker = options.circuitBreaker.enabled
    ? new ScopeBreaker(scope, options.circuitBreaker, deps)
    : undefined;
  let list: ((call: Call, spec: AttemptSpec) => Promise<Outcome>) | undefined;
  return {
    scope,
    options,
    gate,
    breaker,
    run(call, spec) {
      list ??= deps.listOf(gate, breaker);
      return list(call, spec);
    },
  };
}

/** cockatiel's backoff per resolved policy: one per distinct options object, shared by its scopes. */
export function backoffCache(): (options: ResolvedScopePolicy) => IBackoffFactory<unknown> {
  const backoffs = new Map<ResolvedScopePolicy, IBackoffFactory<unknown>>();
  return (options) => {
    let backoff = backoffs.get(options);
    if (backoff === undefined) {
      backoff = backoffOf(options);
      backoffs.set(options, backoff);
    }
    return backoff;
  };
}

/**
 * The bounded registry of an instance's scopes. An entry made again (after an eviction) starts from what the
 * instance's own store says of its throttle deadline, which goes to the new gate; a shared store is read by
 * the gate and the breaker on every call anyway. A scope whose breaker refuses is not evicted for idleness.
 */
export function createScopes(
  options: NormalizedOptions,
  privateStore: boolean,
  deps: ScopePolicyDeps,
): ScopeRegistry<ScopePolicy> {
  const { store } = deps;
  return new ScopeRegistry<ScopePolicy>({
    maxScopes: options.maxScopes,
    idleEvictionMs: options.idleEvictionMs,
    create: (scope) => {
      const policy = createScopePolicy(scope, options.scopePolicies.get(scope) ?? options.policy, deps);
      // The instance's own store answers synchronously (it is the in-memory store attach made).
      const throttledUntil = privateStore
        ? (store.getThrottleDeadline(scope) as number | undefined)
        : undefined;
      if (throttledUntil !== undefined && throttledUntil > Date.now()) policy.gate.note(throttledUntil);
      return policy;
    },
    evictable: (policy) => policy.breaker?.refusing !== true,
  });
}
