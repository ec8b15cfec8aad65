import { describe, expect, it } from 'vitest';
import { createTokenCache } from '../../../src/auth/tokenCache.js';
import { normalizeOptions } from '../../../src/options/normalizeOptions.js';
import { MAX_TIMER_MS } from '../../../src/options/rules.js';
import { issuesOf } from '../../helpers/optionIssues.js';

describe('durations', () => {
  it('timeout.attemptMs: Number.MAX_SAFE_INTEGER is refused with its path', () => {
    expect(issuesOf({ timeout: { attemptMs: Number.MAX_SAFE_INTEGER } })).toEqual([
      'timeout.attemptMs: must be at most 2147483647 ms (about 24.8 days)',
    ]);
  });

  it('retry.baseDelayMs: 3e9 is refused with its path', () => {
    expect(issuesOf({ retry: { baseDelayMs: 3e9 } })).toEqual([
      'retry.baseDelayMs: must be at most 2147483647 ms (about 24.8 days)',
    ]);
  });

  it.each([
    ['retry.maxDelayMs', { retry: { maxDelayMs: 3e9 } }],
    ['retry.maxRetryAfterMs', { retry: { maxRetryAfterMs: 3e9 } }],
    ['timeout.totalMs', { timeout: { totalMs: 3e9 } }],
    ['circuitBreaker.halfOpenAfterMs', { circuitBreaker: { halfOpenAfterMs: 3e9 } }],
    [
      'circuitBreaker.strategy.durationMs',
      { circuitBreaker: { strategy: { type: 'sampling', threshold: 0.5, durationMs: 3e9 } } },
    ],
    ['tenants.idleEvictionMs', { tenants: { idleEvictionMs: 3e9 } }],
    ['token.refreshWindowMs', { token: { refreshWindowMs: 3e9 } }],
    ['token.blockingWindowMs', { token: { blockingWindowMs: 3e9 } }],
    ['storeTimeoutMs', { storeTimeoutMs: 3e9 }],
    [
      'tenants.policies.customer:x.timeout.attemptMs',
      { tenants: { policies: { 'customer:x': { timeout: { attemptMs: 3e9 } } } } },
    ],
  ])('%s above MAX_TIMER_MS is refused with its path', (path, options) => {
    expect(issuesOf(options)).toEqual([`${path}: must be at most ${MAX_TIMER_MS} ms (about 24.8 days)`]);
  });

  it('MAX_TIMER_MS itself and the documented 0 (no limit) are accepted', () => {
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
    const normalized = normalizeOptions({
      timeout: { attemptMs: 0, totalMs: MAX_TIMER_MS },
      retry: { maxDelayMs: MAX_TIMER_MS, maxRetryAfterMs: MAX_TIMER_MS },
      tenants: { idleEvictionMs: MAX_TIMER_MS },
    });
    expect(normalized.policy.timeout).toEqual({ attemptMs: 0, totalMs: MAX_TIMER_MS });
  });
});

describe('the token cache checks its options with the same rules and defaults', () => {
  const provider = { getToken: async () => ({ token: 't', expiresOnTimestamp: 0 }) };

  it('throws a RangeError naming the option beyond MAX_TIMER_MS', () => {
    expect(() => createTokenCache(provider, { refreshWindowMs: 3e9 })).toThrow(RangeError);
    expect(() => createTokenCache(provider, { refreshRetryIntervalMs: 3e9 })).toThrow(
      /refreshRetryIntervalMs: must be at most 2147483647 ms/,
    );
  });

  it('applies the shared blocking <= refresh rule against the shared defaults', () => {
    expect(() => createTokenCache(provider, { blockingWindowMs: 200_000 })).toThrow(
      'blockingWindowMs (200000) must not exceed refreshWindowMs (120000)',
    );
    expect(() => createTokenCache(provider, { blockingWindowMs: 120_000 })).not.toThrow();
  });
});
