import { describe, expect, it } from 'vitest';
import { LevelState } from '../../../../src/policies/rateLimiter/levelState.js';
import {
  SLOW_START_GAIN,
  SLOW_START_HISTORY,
  SLOW_START_MAX_RATE,
  SLOW_START_RATE,
  SlowStart,
  SlowStarts,
} from '../../../../src/policies/rateLimiter/slowStart.js';
import type { LimiterSettings, LimitPlan } from '../../../../src/stores/rateLimitProtocol.js';

const T0 = 1_000_000;
const SETTINGS: LimiterSettings = {
  fairness: true,
  slowStart: true,
  adaptive: { beta: 0.8, scale: 0.003, plateau: 0.97, minRate: 0.5 },
  blameBoundPartner: true,
  maxPartnerQuietMs: 120_000,
};
const PLAN: LimitPlan = {
  partner: 'p',
  customer: 'p',
  levels: [{ level: 'partner', key: 'p:p' }],
  rules: [],
};

describe('SlowStart', () => {
  it('starts at 8 calls/s with a bucket of one call, and grows by ln 2 / 0.5 s with each success', () => {
    const slow = new SlowStart(T0);
    expect(slow.rate).toBe(SLOW_START_RATE);
    expect(slow.bucket.tryTake(T0)).toBe(0);
    expect(slow.bucket.tryTake(T0)).toBe(125);
    for (let i = 1; i <= 10; i += 1) slow.onSuccess(T0 + i);
    expect(slow.rate).toBeCloseTo(SLOW_START_RATE + 10 * SLOW_START_GAIN, 9);
    expect(slow.bucket.capacity).toBeCloseTo(slow.rate * 0.1, 9);
  });

  it('ends (answers false) once its rate reaches the maximum', () => {
    const slow = new SlowStart(T0);
    const needed = Math.ceil((SLOW_START_MAX_RATE - SLOW_START_RATE) / SLOW_START_GAIN);
    for (let i = 1; i < needed; i += 1) expect(slow.onSuccess(T0 + i)).toBe(true);
    expect(slow.onSuccess(T0 + needed)).toBe(false);
  });

  it("estimates the quota from the successes within the 429's Retry-After (at least 0.5 s), over that time", () => {
    const slow = new SlowStart(T0);
    // 10 successes in the first second, 20 in the next: a 20/s sliding window is full.
    for (let i = 0; i < 10; i += 1) slow.onSuccess(T0 + i * 100);
    for (let i = 0; i < 20; i += 1) slow.onSuccess(T0 + 1010 + i * 50);
    const now = T0 + 2000;
    expect(slow.estimate(now, 1000)).toBe(20);
    // Half a second at least: the last 10 successes over 0.5 s.
    expect(slow.estimate(now, 0)).toBe(20);
    expect(slow.estimate(now, 100)).toBe(20);
    // A per-minute window: all 30 over 60 s.
    expect(slow.estimate(now, 60_000)).toBe(4);
  });

  it('counts at most the successes it remembers, and never estimates below half its first rate', () => {
    const slow = new SlowStart(T0);
    for (let i = 0; i < SLOW_START_HISTORY + 100; i += 1) slow.onSuccess(T0 + i);
    expect(slow.estimate(T0 + SLOW_START_HISTORY + 100, 1000)).toBe(SLOW_START_HISTORY);
    expect(new SlowStart(T0).estimate(T0 + 10_000, 1000)).toBe(SLOW_START_RATE / 2);
  });
});

describe('SlowStarts', () => {
  it('starts only when on, adaptive, and no partner rule applies; never beyond its bound', () => {
    const starts = new SlowStarts(2);
    const off = new LevelState();
    expect(starts.start('a', off, PLAN, { ...SETTINGS, slowStart: false }, T0)).toBe(false);
    expect(starts.start('a', off, PLAN, { ...SETTINGS, adaptive: false }, T0)).toBe(false);
    const rule = {
      key: 'r:p:p#0',
      ratePerSecond: 10,
      capacity: 10,
      partner: true,
      level: 'partner' as const,
      levelKey: 'p:p',
      name: '0',
    };
    expect(starts.start('a', off, { ...PLAN, rules: [rule] }, SETTINGS, T0)).toBe(false);
    expect(off.bucket).toBeUndefined();
    const on = new LevelState();
    expect(starts.start('a', on, PLAN, SETTINGS, T0)).toBe(true);
    expect(on.bucket).toBe(starts.get('a')?.bucket);
    expect(starts.start('b', new LevelState(), PLAN, SETTINGS, T0)).toBe(true);
    expect(starts.start('c', new LevelState(), PLAN, SETTINGS, T0)).toBe(false);
  });

  it("drops the level's bucket when the slow start ends without a 429", () => {
    const starts = new SlowStarts(10);
    const state = new LevelState();
    starts.start('a', state, PLAN, SETTINGS, T0);
    const slow = starts.get('a') as SlowStart;
    let ended = false;
    for (let i = 1; !ended; i += 1) ended = starts.grow('a', slow, state, T0 + i);
    expect(state.bucket).toBeUndefined();
    expect(starts.get('a')).toBeUndefined();
  });
});
