import { describe, expect, it } from 'vitest';
import {
  HierarchicalRetryConcurrencyCap,
  RetryConcurrencyCap,
} from '../../../../src/policies/rateLimiter/retryConcurrency.js';

describe('RetryConcurrencyCap', () => {
  it('always allows 3 concurrent retries', () => {
    const budget = new RetryConcurrencyCap();
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
    const budget = new RetryConcurrencyCap();
    for (let i = 0; i < 50; i += 1) budget.onRequestStart();
    let started = 0;
    while (budget.tryStartRetry()) started += 1;
    expect(started).toBe(10);
    for (let i = 0; i < 25; i += 1) budget.onRequestEnd();
    expect(budget.limit).toBe(5);
    expect(budget.canRetry()).toBe(false);
  });
});

describe('HierarchicalRetryConcurrencyCap', () => {
  it('charges a retry to the partner and the customer; the partner budget bounds all its customers', () => {
    const budgets = new HierarchicalRetryConcurrencyCap();
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
