import { OPTION_DEFAULTS, stripUndefined } from './defaults.js';
import type { ResolvedScopePolicy, ScopePolicyOptions } from './ScopePolicyOptions.js';

/** Merges a policy override over a resolved policy. */
export function mergePolicy(
  base: ResolvedScopePolicy,
  override: ScopePolicyOptions | undefined,
): ResolvedScopePolicy {
  if (!override) return base;
  const strategy = override.circuitBreaker?.strategy;
  return {
    retry: { ...base.retry, ...stripUndefined(override.retry) },
    retryBudget: { ...base.retryBudget, ...stripUndefined(override.retryBudget) },
    circuitBreaker: {
      enabled: override.circuitBreaker?.enabled ?? base.circuitBreaker.enabled,
      halfOpenAfterMs: override.circuitBreaker?.halfOpenAfterMs ?? base.circuitBreaker.halfOpenAfterMs,
      strategy:
        strategy === undefined
          ? base.circuitBreaker.strategy
          : strategy.type === 'sampling'
            ? { ...strategy, minimumRps: strategy.minimumRps ?? OPTION_DEFAULTS.samplingMinimumRps }
            : { ...strategy },
    },
    timeout: { ...base.timeout, ...stripUndefined(override.timeout) },
  };
}

/** Which timing options the user set, instance-wide or for the scope. */
interface Explicit {
  readonly attemptMs: boolean;
  readonly totalMs: boolean;
  readonly maxRetryAfterMs: boolean;
}

export function explicitIn(...layers: Array<ScopePolicyOptions | undefined>): Explicit {
  return {
    attemptMs: layers.some((l) => l?.timeout?.attemptMs !== undefined),
    totalMs: layers.some((l) => l?.timeout?.totalMs !== undefined),
    maxRetryAfterMs: layers.some((l) => l?.retry?.maxRetryAfterMs !== undefined),
  };
}

/**
 * Cross-option rules, as Microsoft.Extensions.Http.Resilience checks them: an error when the user set both
 * sides of a rule; a default that would break a rule against a value the user set is lowered to fit.
 */
export function crossCheck(
  policy: ResolvedScopePolicy,
  explicit: Explicit,
  where: string,
): { policy: ResolvedScopePolicy; issues: string[] } {
  const issues: string[] = [];
  let { attemptMs, totalMs } = policy.timeout;
  let { maxRetryAfterMs } = policy.retry;
  if (attemptMs > 0 && totalMs > 0 && attemptMs > totalMs) {
    if (explicit.attemptMs && explicit.totalMs) {
      issues.push(`${where}timeout.attemptMs (${attemptMs}) must not exceed timeout.totalMs (${totalMs})`);
    } else if (explicit.attemptMs) totalMs = attemptMs;
    else attemptMs = totalMs;
  }
  if (totalMs > 0 && maxRetryAfterMs > totalMs) {
    if (explicit.maxRetryAfterMs && explicit.totalMs) {
      issues.push(
        `${where}retry.maxRetryAfterMs (${maxRetryAfterMs}) must not exceed timeout.totalMs (${totalMs})`,
      );
    } else if (explicit.maxRetryAfterMs) totalMs = Math.max(totalMs, maxRetryAfterMs);
    else maxRetryAfterMs = totalMs;
  }
  if (policy.retry.baseDelayMs > policy.retry.maxDelayMs) {
    issues.push(
      `${where}retry.baseDelayMs (${policy.retry.baseDelayMs}) must not exceed retry.maxDelayMs (${policy.retry.maxDelayMs})`,
    );
  }
  const s = policy.circuitBreaker.strategy;
  if (s.type === 'sampling' && attemptMs > 0 && s.durationMs < 2 * attemptMs) {
    issues.push(
      `${where}circuitBreaker.strategy.durationMs (${s.durationMs}) must be at least twice timeout.attemptMs (${attemptMs})`,
    );
  }
  return {
    policy: { ...policy, timeout: { attemptMs, totalMs }, retry: { ...policy.retry, maxRetryAfterMs } },
    issues,
  };
}
