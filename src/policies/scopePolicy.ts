import {
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  decorrelatedJitterGenerator,
  ExponentialBackoff,
  fullJitterGenerator,
  type GeneratorFn,
  handleWhen,
  type IBackoffFactory,
  noJitterGenerator,
  type RetryPolicy,
  retry,
  SamplingBreaker,
} from 'cockatiel';
import { countsAsBreakerFailure } from '../errors/classify.js';
import type { CallInfo } from '../observability/events.js';
import type { ResolvedScopePolicy } from '../options.js';
import type { ThrottleRecovery } from './throttleGate.js';

/** The decision taken on a failed attempt, looked up by cockatiel's retry predicate. */
export interface RetryDecision {
  readonly retry: boolean;
}

/** Decisions by error object: the engine records one per failure before cockatiel's retry reads it. */
export const retryDecisions = new WeakMap<object, RetryDecision>();

/** The live policy objects of one scope. */
export interface ScopePolicy {
  readonly scope: string;
  readonly options: ResolvedScopePolicy;
  /** cockatiel retry: the attempt loop and its predicate; waits are done by the engine (abortable). */
  readonly retry: RetryPolicy;
  /** cockatiel circuit breaker of this scope, or `undefined` when disabled. */
  readonly breaker: CircuitBreakerPolicy | undefined;
  /** cockatiel exponential backoff, asked for the next delay when the server gave no hint. */
  readonly backoff: IBackoffFactory<unknown>;
  /** The call inside `breaker.execute()` right now (set and cleared synchronously around it). */
  activeCall: CallInfo | undefined;
  /** The call that moved the breaker to half-open: the one whose outcome closes or reopens it. */
  halfOpenCall: CallInfo | undefined;
  /** Latest throttle deadline this process knows for the scope, until the scope has recovered from it. */
  throttledUntil: number | undefined;
  /** Slow start after a throttle window (see the throttle gate), or `undefined`. */
  recovery: ThrottleRecovery | undefined;
}

function generatorOf(jitter: ResolvedScopePolicy['retry']['jitter']): GeneratorFn<unknown> {
  if (jitter === 'none') return noJitterGenerator as GeneratorFn<unknown>;
  if (jitter === 'full') return fullJitterGenerator as GeneratorFn<unknown>;
  return decorrelatedJitterGenerator as GeneratorFn<unknown>;
}

const shouldRetry = handleWhen((error) => retryDecisions.get(error)?.retry === true);

/**
 * The retry policy and backoff factory hold no per-call state, so scopes with the same resolved options
 * share them; only the breaker is built per scope. Keyed by the options object, so it frees itself.
 */
const shared = new WeakMap<ResolvedScopePolicy, { retry: RetryPolicy; backoff: IBackoffFactory<unknown> }>();

function sharedPolicies(options: ResolvedScopePolicy): {
  retry: RetryPolicy;
  backoff: IBackoffFactory<unknown>;
} {
  let entry = shared.get(options);
  if (!entry) {
    entry = {
      retry: retry(shouldRetry, { maxAttempts: Math.max(0, options.retry.maxAttempts - 1) }),
      backoff: new ExponentialBackoff({
        initialDelay: options.retry.baseDelayMs,
        maxDelay: options.retry.maxDelayMs,
        generator: generatorOf(options.retry.jitter),
      }),
    };
    shared.set(options, entry);
  }
  return entry;
}

/** Builds the cockatiel policies of a scope from its resolved options. */
export function createScopePolicy(scope: string, options: ResolvedScopePolicy): ScopePolicy {
  const { retry: retryPolicy, backoff } = sharedPolicies(options);
  let breaker: CircuitBreakerPolicy | undefined;
  if (options.circuitBreaker.enabled) {
    const s = options.circuitBreaker.strategy;
    breaker = circuitBreaker(handleWhen(countsAsBreakerFailure), {
      halfOpenAfter: options.circuitBreaker.halfOpenAfterMs,
      breaker:
        s.type === 'consecutive'
          ? new ConsecutiveBreaker(s.threshold)
          : new SamplingBreaker({ threshold: s.threshold, duration: s.durationMs, minimumRps: s.minimumRps }),
    });
  }
  return {
    scope,
    options,
    retry: retryPolicy,
    breaker,
    backoff,
    activeCall: undefined,
    halfOpenCall: undefined,
    throttledUntil: undefined,
    recovery: undefined,
  };
}

/** True while the breaker refuses calls (open, or isolated by hand). */
export function isBreakerOpen(policy: ScopePolicy): boolean {
  const state = policy.breaker?.state;
  return state === CircuitState.Open || state === CircuitState.Isolated;
}

/** True while the breaker lets its one test call through. */
export function isBreakerHalfOpen(policy: ScopePolicy): boolean {
  return policy.breaker?.state === CircuitState.HalfOpen;
}

export { CircuitBreakerPolicy, CircuitState };
