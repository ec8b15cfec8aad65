import { describe, expect, it } from 'vitest';
import { HierarchicalRetryBudget, RetryBudget } from '../../../../src/policies/rateLimiter/retryBudget.js';

describe('RetryBudget', () => {
  it('always allows 3 concurrent retries', () => {
    const budget = new RetryBudget();
    budget.onRequestStart();
    expect([
      budget.tryStartRetry(),
      budget.tryStartRetry(),
      budget.tryStartRetry(),
      budget.tryStartRetry(),
    ]).toEqual([true, true, true, false]);
    budget.onRetryEnd();
    expect(budget.canRetry()).toBe(true);
  });

  it('allows retries up to 20% of active requests beyond the minimum', () => {
    const budget = new RetryBudget();
    for (let i = 0; i < 50; i += 1) budget.onRequestStart();
    let started = 0;
    while (budget.tryStartRetry()) started += 1;
    expect(started).toBe(10);
    for (let i = 0; i < 25; i += 1) budget.onRequestEnd();
    expect(budget.limit).toBe(5);
    expect(budget.canRetry()).toBe(false);
  });
});

describe('HierarchicalRetryBudget', () => {
  it('charges a retry to the partner and the customer; the partner budget bounds all its customers', () => {
    const budgets = new HierarchicalRetryBudget();
    for (const customer of ['a', 'b']) budgets.onRequestStart('p', customer);
    expect(budgets.tryStartRetry('p', 'a')).toBe(true);
    expect(budgets.tryStartRetry('p', 'a')).toBe(true);
    expect(budgets.tryStartRetry('p', 'b')).toBe(true);
    // The partner's 3 are spent, though customer b has 2 of its own left.
    expect(budgets.canRetry('p', 'b')).toBe(false);
    expect(budgets.tryStartRetry('p', 'b')).toBe(false);
    budgets.onRetryEnd('p', 'a');
    expect(budgets.tryStartRetry('p', 'b')).toBe(true);
  });
});
