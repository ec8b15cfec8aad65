import { describe, expect, it } from 'vitest';
import { InMemoryScopeStateStore, type RetryBudget } from '../../../src/tenancy/ScopeStateStore.js';

const BUDGET: RetryBudget = { maxTokens: 3, refundPerSuccess: 0.2 };

/** Takes tokens until the store refuses one; returns how many it gave. */
function drain(store: InMemoryScopeStateStore, scope: string, budget: RetryBudget): number {
  let taken = 0;
  while (store.takeRetryToken(scope, budget)) {
    taken += 1;
    if (taken > 1_000) throw new Error('the budget never ran out');
  }
  return taken;
}

describe('InMemoryScopeStateStore: the retry-token bucket', () => {
  it('gives maxTokens tokens, then refuses', () => {
    const store = new InMemoryScopeStateStore();
    expect(drain(store, 's', BUDGET)).toBe(3);
    expect(store.takeRetryToken('s', BUDGET)).toBe(false);
  });

  it('refunds refundPerSuccess per success, not a whole token: one refund of 0.2 buys no retry', () => {
    const store = new InMemoryScopeStateStore();
    drain(store, 's', BUDGET);
    store.refundRetryToken('s', BUDGET);
    expect(store.takeRetryToken('s', BUDGET)).toBe(false);
  });

  it('gives a token back after 1 / refundPerSuccess successes (5 refunds of 0.2), and only one', () => {
    const store = new InMemoryScopeStateStore();
    drain(store, 's', BUDGET);
    for (let i = 0; i < 4; i++) store.refundRetryToken('s', BUDGET);
    expect(store.takeRetryToken('s', BUDGET)).toBe(false);
    store.refundRetryToken('s', BUDGET);
    expect(store.takeRetryToken('s', BUDGET)).toBe(true);
    expect(store.takeRetryToken('s', BUDGET)).toBe(false);
  });

  it('never refunds above maxTokens, and keeps each scope apart', () => {
    const store = new InMemoryScopeStateStore();
    expect(store.takeRetryToken('a', BUDGET)).toBe(true);
    for (let i = 0; i < 100; i++) store.refundRetryToken('a', { maxTokens: 3, refundPerSuccess: 2.5 });
    expect(drain(store, 'a', BUDGET)).toBe(3);
    expect(drain(store, 'b', BUDGET)).toBe(3);
  });
});
