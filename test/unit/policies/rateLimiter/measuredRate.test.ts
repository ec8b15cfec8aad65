import { describe, expect, it } from 'vitest';
import { MeasuredRate } from '../../../../src/policies/rateLimiter/measuredRate.js';

const T0 = 1_000_000;

describe('MeasuredRate', () => {
  it('smooths the rate over 0.5 s buckets (0.8 new, 0.2 old)', () => {
    const measured = new MeasuredRate();
    for (let t = 0; t < 5000; t += 100) measured.record(T0 + t);
    expect(measured.rate).toBeCloseTo(10, 0);
  });

  it('before its first bucket closes, answers the count over the time so far (at least 0.5 s)', () => {
    const measured = new MeasuredRate();
    for (let t = 0; t < 100; t += 10) measured.record(T0 + t);
    expect(measured.settled).toBe(false);
    expect(measured.rate).toBeCloseTo(20);
    measured.record(T0 + 500);
    expect(measured.settled).toBe(true);
  });

  it('does not count an answer that is not counted (a 429), but moves its clock', () => {
    const measured = new MeasuredRate();
    for (let t = 0; t <= 3000; t += 100) measured.record(T0 + t, t % 200 === 0);
    // 5 a second counted (bucket edges move it by one answer in a bucket).
    expect(measured.rate).toBeGreaterThan(4);
    expect(measured.rate).toBeLessThan(6.5);
  });

  it('after a pause, ignores answers to requests sent before it and starts over from the first sent after', () => {
    const measured = new MeasuredRate();
    for (let t = 0; t < 3000; t += 50) measured.record(T0 + t);
    expect(measured.rate).toBeCloseTo(20, 0);
    measured.hold(T0 + 3000);
    // In-flight answers of requests sent before the pause: not counted.
    for (let t = 3000; t < 3100; t += 10) measured.record(T0 + t, true, T0 + 2990);
    // A second of silence (the Retry-After), then 10 answers a second: the rate is 10/s, not diluted by it.
    for (let t = 4000; t <= 5000; t += 100) measured.record(T0 + t + 20, true, T0 + t);
    expect(measured.rate).toBeCloseTo(10, 0);
  });
});
