import { describe, expect, it } from 'vitest';
import { clampWait, MAX_WAIT_MS, TokenBucket } from '../../../../src/policies/rateLimiter/tokenBucket.js';

const T0 = 1_000_000;

describe('TokenBucket', () => {
  it('grants up to its capacity, then answers the wait for the next token', () => {
    const bucket = new TokenBucket(2, 3, T0);
    expect([bucket.tryTake(T0), bucket.tryTake(T0), bucket.tryTake(T0)]).toEqual([0, 0, 0]);
    expect(bucket.tryTake(T0)).toBe(500);
    expect(bucket.tryTake(T0 + 499)).toBe(1);
    expect(bucket.tryTake(T0 + 500)).toBe(0);
  });

  it('refills at its rate, capped at its capacity', () => {
    const bucket = new TokenBucket(10, 5, T0);
    for (let i = 0; i < 5; i += 1) bucket.take(T0);
    expect(bucket.available(T0 + 200)).toBeCloseTo(2);
    expect(bucket.available(T0 + 60_000)).toBe(5);
  });

  it('does not refill when the clock goes back', () => {
    const bucket = new TokenBucket(10, 5, T0, 0);
    expect(bucket.available(T0 - 1000)).toBe(0);
    expect(bucket.available(T0 + 100)).toBeCloseTo(1);
  });

  it('keeps tokens earned at the old rate when the rate changes, capped at the new capacity', () => {
    const bucket = new TokenBucket(10, 10, T0, 0);
    bucket.setRate(1, 2, T0 + 500);
    expect(bucket.available(T0 + 500)).toBe(2);
    bucket.take(T0 + 500);
    bucket.take(T0 + 500);
    expect(bucket.waitMs(T0 + 500)).toBe(1000);
  });

  it('honours a not-before time even with tokens left', () => {
    const bucket = new TokenBucket(5, 5, T0);
    bucket.holdUntil(T0 + 1500);
    bucket.holdUntil(T0 + 1000);
    expect(bucket.tryTake(T0)).toBe(1500);
    expect(bucket.tryTake(T0 + 1500)).toBe(0);
  });

  it('never answers a wait beyond 2^31-1 ms, with a zero or tiny rate', () => {
    expect(new TokenBucket(0, 1, T0, 0).waitMs(T0)).toBe(MAX_WAIT_MS);
    expect(new TokenBucket(1e-12, 1, T0, 0).waitMs(T0)).toBe(MAX_WAIT_MS);
    const held = new TokenBucket(1, 1, T0);
    held.holdUntil(Number.POSITIVE_INFINITY);
    expect(held.waitMs(T0)).toBe(MAX_WAIT_MS);
    expect([clampWait(Number.NaN), clampWait(Number.POSITIVE_INFINITY), clampWait(0.2)]).toEqual([
      MAX_WAIT_MS,
      MAX_WAIT_MS,
      1,
    ]);
  });

  it('an infinite rate is always full', () => {
    const bucket = new TokenBucket(Number.POSITIVE_INFINITY, 1, T0);
    bucket.take(T0);
    expect(bucket.tryTake(T0 + 1)).toBe(0);
  });
});
