import { describe, expect, it } from 'vitest';
import { AdaptiveRate, MIN_FILL_RATE } from '../../../../src/policies/rateLimiter/adaptiveRate.js';
import { cubicK, cubicRate } from '../../../../src/policies/rateLimiter/cubic.js';
import { MeasuredRate } from '../../../../src/policies/rateLimiter/measuredRate.js';

const T0 = 1_000_000;

/** Feeds `perSecond` successful responses per second for `seconds` from `start`; answers the next time. */
function send(adaptive: AdaptiveRate, start: number, perSecond: number, seconds: number): number {
  const step = 1000 / perSecond;
  let now = start;
  for (let i = 0; i < perSecond * seconds; i += 1, now += step) adaptive.onResponse(now, false);
  return now;
}

describe('MeasuredRate', () => {
  it('smooths the rate over 0.5 s buckets (0.8 new, 0.2 old)', () => {
    const measured = new MeasuredRate();
    for (let t = 0; t < 5000; t += 100) measured.record(T0 + t);
    expect(measured.rate).toBeCloseTo(10, 0);
  });
});

describe('cubic', () => {
  it('returns to W_max at t = K and grows beyond it', () => {
    const k = cubicK(20);
    expect(k).toBeCloseTo(Math.cbrt((20 * 0.2) / 0.005));
    expect(cubicRate(20, k, 0)).toBeCloseTo(16);
    expect(cubicRate(20, k, k)).toBeCloseTo(20);
    expect(cubicRate(20, k, k + 2)).toBeCloseTo(20 + 0.005 * 8);
  });
});

describe('AdaptiveRate', () => {
  it('is off, and unlimited, until the first throttle', () => {
    const adaptive = new AdaptiveRate();
    send(adaptive, T0, 10, 3);
    expect(adaptive.enabled).toBe(false);
    expect(adaptive.rate).toBe(Number.POSITIVE_INFINITY);
  });

  it('drops to 0.7x the measured rate on a throttle, then to 0.7x min(measured, current)', () => {
    const adaptive = new AdaptiveRate();
    const now = send(adaptive, T0, 20, 5);
    const measured = adaptive.measuredRate;
    const first = adaptive.onResponse(now, true);
    expect(adaptive.enabled).toBe(true);
    expect(first).toBeCloseTo(adaptive.rateAtThrottle * 0.8);
    expect(adaptive.rateAtThrottle).toBeCloseTo(measured, 0);
    const second = adaptive.onResponse(now + 1, true);
    expect(second).toBeCloseTo(Math.min(adaptive.measuredRate, first) * 0.8);
  });

  it('grows along the cubic back toward W_max and beyond, capped at 2x the measured rate', () => {
    const adaptive = new AdaptiveRate();
    let now = send(adaptive, T0, 20, 5);
    adaptive.onResponse(now, true);
    const wMax = adaptive.rateAtThrottle;
    const k = cubicK(wMax);
    const throttleAt = now;
    // Keep sending at 20/s: the cap (40/s) stays above the cubic for a while.
    now = send(adaptive, now, 20, Math.ceil(k));
    const grown = adaptive.rate;
    expect(grown).toBeCloseTo(cubicRate(wMax, k, (now - 50 - throttleAt) / 1000), 5);
    expect(grown).toBeGreaterThan(wMax * 0.8);
    now = send(adaptive, now, 20, 3);
    expect(adaptive.rate).toBeGreaterThan(wMax);
    // Long after, the cubic is far above: the rate is held at twice what is actually sent.
    now = send(adaptive, now, 20, 20);
    expect(adaptive.rate).toBeCloseTo(2 * adaptive.measuredRate, 5);
    expect(adaptive.rate).toBeLessThan(45);
  });

  it('never sets a rate below 0.5 req/s', () => {
    const adaptive = new AdaptiveRate();
    let now = T0;
    for (let i = 0; i < 20; i += 1, now += 2000) adaptive.onResponse(now, true);
    expect(adaptive.rate).toBe(MIN_FILL_RATE);
  });
});
