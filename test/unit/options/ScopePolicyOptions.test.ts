import { describe, expect, it } from 'vitest';
import { OPTION_DEFAULTS } from '../../../src/options/defaults.js';
import { issueLines } from '../../../src/options/rules.js';
import { policySchema } from '../../../src/options/ScopePolicyOptions.js';

/** The issue lines of `policySchema` for `policy` (empty when it is accepted). */
function issuesOf(policy: unknown): string[] {
  const parsed = policySchema.safeParse(policy);
  return parsed.success ? [] : issueLines(parsed.error.issues);
}

describe('the scope policy schema', () => {
  it('accepts the defaults table, a sampling breaker and an empty policy', () => {
    expect(issuesOf(OPTION_DEFAULTS.policy)).toEqual([]);
    expect(issuesOf({})).toEqual([]);
    expect(
      issuesOf({ circuitBreaker: { strategy: { type: 'sampling', threshold: 0.5, durationMs: 60_000 } } }),
    ).toEqual([]);
  });

  it.each([
    [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts: must be at least 1'],
    [{ retry: { maxAttempts: 101 } }, 'retry.maxAttempts: must be at most 100'],
    [{ retry: { maxAttempts: 2.5 } }, 'retry.maxAttempts: must be a whole number'],
    [{ retry: { maxAttempts: '4' } }, 'retry.maxAttempts: must be a number'],
    [{ retry: { jitter: 'equal' } }, expect.stringMatching(/^retry\.jitter: /)],
    [{ retry: { retries: 3 } }, 'retry.retries: unknown option'],
    [{ retryBudget: { maxTokens: -1 } }, expect.stringMatching(/^retryBudget\.maxTokens: /)],
    [{ circuitBreaker: { enabled: 'no' } }, expect.stringMatching(/^circuitBreaker\.enabled: /)],
    [
      { circuitBreaker: { strategy: { type: 'consecutive', threshold: 0 } } },
      'circuitBreaker.strategy.threshold: must be at least 1',
    ],
    [
      { circuitBreaker: { strategy: { type: 'sampling', threshold: 1.5, durationMs: 1000 } } },
      expect.stringMatching(/^circuitBreaker\.strategy\.threshold: /),
    ],
    [
      { circuitBreaker: { strategy: { type: 'sampling', threshold: 0.5 } } },
      expect.stringMatching(/^circuitBreaker\.strategy\.durationMs: /),
    ],
    [
      { circuitBreaker: { strategy: { type: 'count', threshold: 5 } } },
      expect.stringMatching(/^circuitBreaker\.strategy/),
    ],
    [{ timeout: { attemptMs: -1 } }, 'timeout.attemptMs: must be at least 0 ms'],
    [{ timeout: { attempt: 1 } }, 'timeout.attempt: unknown option'],
  ])('%j is refused with one issue naming its path', (policy, issue) => {
    expect(issuesOf(policy)).toEqual([issue]);
  });
});
