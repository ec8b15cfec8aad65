import { describe, expect, it } from 'vitest';
import { LevelState, learntCapacity, Waiting } from '../../../../src/policies/rateLimiter/levelState.js';
import type { PlannedBucket } from '../../../../src/stores/rateLimitProtocol.js';

const T0 = 1_000_000;

function rule(name: string, ratePerSecond: number, capacity: number): PlannedBucket {
  return {
    key: `r:c:p/c1#${name}`,
    ratePerSecond,
    capacity,
    partner: false,
    level: 'customer',
    levelKey: 'c:p/c1',
    name,
  };
}

describe('LevelState', () => {
  it('keeps one bucket per rule name, created full, whose rate and capacity follow the rule', () => {
    const state = new LevelState();
    const orders = state.ruleBucket(rule('orders', 2, 3), T0);
    expect(orders.available(T0)).toBe(3);
    const subscriptions = state.ruleBucket(rule('subscriptions', 1, 1), T0);
    expect(subscriptions).not.toBe(orders);
    expect(state.ruleBucket(rule('orders', 2, 3), T0)).toBe(orders);
    expect(state.ruleBucket(rule('subscriptions', 1, 1), T0)).toBe(subscriptions);
    const changed = state.ruleBucket(rule('orders', 4, 2), T0);
    expect(changed).toBe(orders);
    expect([changed.ratePerSecond, changed.capacity, changed.available(T0)]).toEqual([4, 2, 2]);
  });
});

describe('Waiting', () => {
  it('counts the other customers still waiting, each until its wait ends', () => {
    const waiting = new Waiting();
    waiting.mark('a', T0 + 100, 10);
    waiting.mark('b', T0 + 200, 10);
    expect(waiting.others('a', T0)).toBe(1);
    expect(waiting.others('c', T0)).toBe(2);
    expect(waiting.others('c', T0 + 100)).toBe(2);
    expect(waiting.others('c', T0 + 101)).toBe(1);
    expect(waiting.others('c', T0 + 201)).toBe(0);
  });

  it('keeps at most max customers, dropping the oldest marked', () => {
    const waiting = new Waiting();
    for (const customer of ['a', 'b', 'c']) waiting.mark(customer, T0 + 1000, 2);
    expect([...waiting.until.keys()]).toEqual(['b', 'c']);
  });
});

describe('learntCapacity', () => {
  it('is a tenth of a second of the rate, at least one call', () => {
    expect(learntCapacity(50)).toBe(5);
    expect(learntCapacity(5)).toBe(1);
  });
});
