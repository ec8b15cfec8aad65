import { describe, expect, it } from 'vitest';
import { OPTION_DEFAULTS } from '../../../src/options/defaults.js';
import { crossCheck, explicitIn, mergePolicy } from '../../../src/options/mergePolicy.js';
import type { ResolvedScopePolicy, ScopePolicyOptions } from '../../../src/options/ScopePolicyOptions.js';

const base = OPTION_DEFAULTS.policy;

/** The policy and issues of `options` over the defaults, as normalizeOptions checks the instance's policy. */
function checked(options: ScopePolicyOptions): { policy: ResolvedScopePolicy; issues: string[] } {
  return crossCheck(mergePolicy(base, options), explicitIn(options), '');
}

describe('mergePolicy()', () => {
  it('returns the base itself without an override', () => {
    expect(mergePolicy(base, undefined)).toBe(base);
  });

  it('takes each field given, keeps the others, and never lets an undefined field through', () => {
    // A JavaScript caller may spell out an undefined field.
    const override = {
      retry: { maxAttempts: 2, baseDelayMs: undefined },
      timeout: { totalMs: 60_000 },
      circuitBreaker: { enabled: false },
    } as unknown as ScopePolicyOptions;
    const merged = mergePolicy(base, override);
    expect(merged.retry).toEqual({ ...base.retry, maxAttempts: 2 });
    expect(merged.timeout).toEqual({ attemptMs: 30_000, totalMs: 60_000 });
    expect(merged.circuitBreaker).toEqual({ ...base.circuitBreaker, enabled: false });
    expect(merged.retryBudget).toEqual(base.retryBudget);
  });

  it('fills in a sampling strategy without minimumRps from the defaults table', () => {
    const merged = mergePolicy(base, {
      circuitBreaker: { strategy: { type: 'sampling', threshold: 0.5, durationMs: 120_000 } },
    });
    expect(merged.circuitBreaker.strategy).toEqual({
      type: 'sampling',
      threshold: 0.5,
      durationMs: 120_000,
      minimumRps: OPTION_DEFAULTS.samplingMinimumRps,
    });
  });

  it('layers a scope override over the instance policy', () => {
    const instance = mergePolicy(base, { retry: { maxAttempts: 2 } });
    const scoped = mergePolicy(instance, { retry: { jitter: 'none' } });
    expect(scoped.retry).toEqual({ ...base.retry, maxAttempts: 2, jitter: 'none' });
  });
});

describe('explicitIn()', () => {
  it('says which timing options some layer set', () => {
    expect(explicitIn({ timeout: { attemptMs: 1 } }, undefined, { retry: { maxRetryAfterMs: 5 } })).toEqual({
      attemptMs: true,
      totalMs: false,
      maxRetryAfterMs: true,
    });
    expect(explicitIn({ timeout: { totalMs: undefined } } as unknown as ScopePolicyOptions)).toEqual({
      attemptMs: false,
      totalMs: false,
      maxRetryAfterMs: false,
    });
  });
});

describe('crossCheck()', () => {
  it('accepts the defaults as they are', () => {
    expect(checked({})).toEqual({ policy: base, issues: [] });
  });

  it('an attempt longer than the call: an issue when both were set, else the default gives way', () => {
    expect(checked({ timeout: { attemptMs: 50_000, totalMs: 40_000 } }).issues).toEqual([
      'timeout.attemptMs (50000) must not exceed timeout.totalMs (40000)',
    ]);
    expect(checked({ timeout: { attemptMs: 200_000 } }).policy.timeout).toEqual({
      attemptMs: 200_000,
      totalMs: 200_000,
    });
    expect(checked({ timeout: { totalMs: 10_000 } }).policy.timeout).toEqual({
      attemptMs: 10_000,
      totalMs: 10_000,
    });
    // 0 means no limit: never compared.
    expect(checked({ timeout: { attemptMs: 0, totalMs: 1_000 } }).issues).toEqual([]);
  });

  it('a Retry-After limit longer than the call: an issue when both were set, else the default gives way', () => {
    expect(checked({ retry: { maxRetryAfterMs: 60_000 }, timeout: { totalMs: 50_000 } }).issues).toEqual([
      'retry.maxRetryAfterMs (60000) must not exceed timeout.totalMs (50000)',
    ]);
    expect(checked({ retry: { maxRetryAfterMs: 300_000 } }).policy.timeout.totalMs).toBe(300_000);
    expect(checked({ timeout: { totalMs: 60_000 } }).policy.retry.maxRetryAfterMs).toBe(60_000);
  });

  it('names the backoff bounds and the sampling window with the given prefix', () => {
    const policy = mergePolicy(base, {
      retry: { baseDelayMs: 2_000, maxDelayMs: 1_000 },
      circuitBreaker: { strategy: { type: 'sampling', threshold: 0.5, durationMs: 59_999 } },
    });
    expect(crossCheck(policy, explicitIn(), 'tenants.policies.vip.').issues).toEqual([
      'tenants.policies.vip.retry.baseDelayMs (2000) must not exceed retry.maxDelayMs (1000)',
      'tenants.policies.vip.circuitBreaker.strategy.durationMs (59999) must be at least twice timeout.attemptMs (30000)',
    ]);
    const wide = mergePolicy(policy, {
      retry: { baseDelayMs: 1_000 },
      circuitBreaker: { strategy: { type: 'sampling', threshold: 0.5, durationMs: 60_000 } },
    });
    expect(crossCheck(wide, explicitIn(), '').issues).toEqual([]);
  });
});
