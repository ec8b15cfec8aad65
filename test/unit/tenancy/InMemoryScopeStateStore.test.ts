import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryScopeStateStore } from '../../../src/tenancy/InMemoryScopeStateStore.js';
import type { RetryTokenBucket } from '../../../src/tenancy/ScopeStateStore.js';

const BUDGET: RetryTokenBucket = { maxTokens: 3, refundPerSuccess: 0.2 };

/** Takes tokens until the store refuses one; returns how many it gave. */
function drain(store: InMemoryScopeStateStore, scope: string, budget: RetryTokenBucket): number {
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

/** A store on a clock the test moves. */
function clocked(options: { maxScopes?: number } = {}) {
  const clock = { now: 1_000_000, reads: 0 };
  const store = new InMemoryScopeStateStore({
    ...options,
    now: () => {
      clock.reads += 1;
      return clock.now;
    },
  });
  return { store, clock };
}

/** What `held` must be: the scopes of `names` for which the store answers a deadline. */
function heldByReads(store: InMemoryScopeStateStore, names: readonly string[]): number {
  return names.filter(
    (name) => store.getThrottleDeadline(name) !== undefined || store.getOpenUntil(name) !== undefined,
  ).length;
}

describe('InMemoryScopeStateStore: capabilities', () => {
  it('says that it answers synchronously; a subclass can say it does not', () => {
    expect(new InMemoryScopeStateStore().synchronous).toBe(true);
    class SlowStore extends InMemoryScopeStateStore {
      override readonly synchronous = false;
    }
    expect(new SlowStore().synchronous).toBe(false);
  });

  it('as synchronous says: every method answers at once (no promise) and does not throw, on odd input too', () => {
    const store = new InMemoryScopeStateStore({ maxScopes: 1 });
    const odd = [Number.NaN, Number.POSITIVE_INFINITY, -1, 0];
    const answers: unknown[] = [];
    for (const x of odd) {
      answers.push(
        store.extendThrottleDeadline('s', x),
        store.setOpenUntil('s', x),
        store.setOpenUntil('t', undefined),
      );
      answers.push(store.takeRetryToken('s', { maxTokens: x, refundPerSuccess: x }));
      answers.push(store.refundRetryToken('s', { maxTokens: x, refundPerSuccess: x }));
      answers.push(store.getThrottleDeadline('s'), store.getOpenUntil('s'), store.held);
    }
    expect(answers.some((answer) => answer instanceof Promise)).toBe(false);
  });

  it('held is 0 on a new store, and reading it while 0 reads no clock', () => {
    const { store, clock } = clocked();
    for (let i = 0; i < 1_000; i++) expect(store.held).toBe(0);
    store.takeRetryToken('s', BUDGET);
    store.refundRetryToken('s', BUDGET);
    expect(store.held).toBe(0);
    expect(clock.reads).toBe(0);
  });
});

describe('InMemoryScopeStateStore: held counts the scopes held back now', () => {
  it('counts a scope once, throttled, open or both', () => {
    const { store, clock } = clocked();
    store.extendThrottleDeadline('a', clock.now + 100);
    expect(store.held).toBe(1);
    store.setOpenUntil('a', clock.now + 50);
    store.extendThrottleDeadline('a', clock.now + 200);
    expect(store.held).toBe(1);
    store.setOpenUntil('b', clock.now + 100);
    expect(store.held).toBe(2);
  });

  it('drops a scope when its deadline passes, at the deadline exactly (as the reads do)', () => {
    const { store, clock } = clocked();
    store.extendThrottleDeadline('a', clock.now + 100);
    store.setOpenUntil('b', clock.now + 300);
    clock.now += 99;
    expect(store.held).toBe(2);
    clock.now += 1;
    expect(store.getThrottleDeadline('a')).toBeUndefined();
    expect(store.held).toBe(1);
    clock.now += 200;
    expect(store.held).toBe(0);
  });

  it('holds a scope until the later of its two deadlines', () => {
    const { store, clock } = clocked();
    store.extendThrottleDeadline('a', clock.now + 100);
    store.setOpenUntil('a', clock.now + 200);
    clock.now += 150;
    expect(store.held).toBe(1);
    clock.now += 50;
    expect(store.held).toBe(0);
  });

  it('an open breaker cleared (undefined) or moved earlier is counted as it is now', () => {
    const { store, clock } = clocked();
    store.setOpenUntil('a', clock.now + 500);
    store.setOpenUntil('b', clock.now + 500);
    store.extendThrottleDeadline('b', clock.now + 100);
    store.setOpenUntil('a', undefined);
    expect(store.held).toBe(1);
    // b is still throttled after its breaker is cleared, until its throttle deadline.
    store.setOpenUntil('b', undefined);
    expect(store.held).toBe(1);
    clock.now += 100;
    expect(store.held).toBe(0);
    store.setOpenUntil('c', clock.now + 500);
    store.setOpenUntil('c', clock.now + 50);
    clock.now += 50;
    expect(store.held).toBe(0);
  });

  it('a breaker opened again for longer keeps the scope held past its first deadline', () => {
    const { store, clock } = clocked();
    store.setOpenUntil('a', clock.now + 50);
    store.setOpenUntil('a', clock.now + 500);
    clock.now += 60;
    expect(store.held).toBe(1);
    clock.now += 440;
    expect(store.held).toBe(0);
  });

  it('a deadline already passed holds nothing; a scope held again after it expired counts once', () => {
    const { store, clock } = clocked();
    store.extendThrottleDeadline('a', clock.now - 1);
    store.setOpenUntil('b', clock.now);
    expect(store.held).toBe(0);
    store.extendThrottleDeadline('a', clock.now + 10);
    clock.now += 10;
    expect(store.held).toBe(0);
    store.extendThrottleDeadline('a', clock.now + 10);
    expect(store.held).toBe(1);
  });

  it('a held scope dropped as least recently used is no longer counted', () => {
    const { store, clock } = clocked({ maxScopes: 2 });
    store.extendThrottleDeadline('a', clock.now + 100);
    store.setOpenUntil('b', clock.now + 100);
    expect(store.held).toBe(2);
    store.takeRetryToken('c', BUDGET);
    expect(store.getThrottleDeadline('a')).toBeUndefined();
    expect(store.held).toBe(1);
    // With no room at all, nothing is kept, so nothing is held.
    const empty = clocked({ maxScopes: 0 });
    empty.store.extendThrottleDeadline('a', empty.clock.now + 100);
    expect(empty.store.getThrottleDeadline('a')).toBeUndefined();
    expect(empty.store.held).toBe(0);
  });

  it('stays exact over many overwrites of one deadline while another scope is held', () => {
    const { store, clock } = clocked();
    store.setOpenUntil('long', clock.now + 1_000_000);
    for (let i = 0; i < 10_000; i++) store.setOpenUntil('flip', clock.now + (i % 2 === 0 ? 10 : 900_000));
    expect(store.held).toBe(2);
    clock.now += 900_000;
    expect(store.held).toBe(1);
    store.setOpenUntil('flip', clock.now + 10);
    store.setOpenUntil('flip', undefined);
    expect(store.held).toBe(1);
  });

  it('equals, after every step of random runs, the scopes whose deadlines the store answers', () => {
    const names = ['a', 'b', 'c', 'd'];
    const name = fc.constantFrom(...names);
    const step = fc.oneof(
      fc.record({ op: fc.constant('throttle' as const), name, ms: fc.integer({ min: -5, max: 40 }) }),
      fc.record({
        op: fc.constant('open' as const),
        name,
        ms: fc.option(fc.integer({ min: -5, max: 40 }), { nil: undefined }),
      }),
      fc.record({ op: fc.constant('tick' as const), name, ms: fc.integer({ min: 0, max: 15 }) }),
      fc.record({ op: fc.constant('token' as const), name, ms: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), fc.integer({ min: 1, max: 5 }), (steps, maxScopes) => {
        const { store, clock } = clocked({ maxScopes });
        for (const { op, name: scope, ms } of steps) {
          if (op === 'throttle') store.extendThrottleDeadline(scope, clock.now + ms);
          else if (op === 'open') store.setOpenUntil(scope, ms === undefined ? undefined : clock.now + ms);
          else if (op === 'tick') clock.now += ms;
          else store.takeRetryToken(scope, BUDGET);
          expect(store.held).toBe(heldByReads(store, names));
        }
      }),
      { numRuns: 300 },
    );
  });
});
