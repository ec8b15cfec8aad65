import { describe, expect, it } from 'vitest';
import { AdaptiveRate, MIN_FILL_RATE } from '../../../../src/policies/rateLimiter/adaptiveRate.js';
import { cubicK, cubicRate } from '../../../../src/policies/rateLimiter/cubic.js';

const T0 = 1_000_000;

/** Feeds `perSecond` successful responses per second for `seconds` from `start`; answers the next time. */
function send(adaptive: AdaptiveRate, start: number, perSecond: number, seconds: number): number {
  const step = 1000 / perSecond;
  let now = start;
  for (let i = 0; i < perSecond * seconds; i += 1, now += step) adaptive.onResponse(now, false);
  return now;
}

describe('AdaptiveRate', () => {
  it('is off, and unlimited, until the first throttle', () => {
    const adaptive = new AdaptiveRate();
    send(adaptive, T0, 10, 3);
    expect(adaptive.enabled).toBe(false);
    expect(adaptive.rate).toBe(Number.POSITIVE_INFINITY);
  });

  it('drops to 0.8x the measured rate on a throttle and flattens at 0.97x it; a 429 is not measured', () => {
    const adaptive = new AdaptiveRate();
    const now = send(adaptive, T0, 20, 5);
    const first = adaptive.onResponse(now, true);
    expect(adaptive.enabled).toBe(true);
    // The 429 itself closes the last bucket without adding to it.
    const base = adaptive.rateAtThrottle;
    expect(base).toBeGreaterThan(18);
    expect(base).toBeLessThanOrEqual(20.01);
    expect(first).toBeCloseTo(base * 0.8, 5);
    expect(adaptive.plateauRate).toBeCloseTo(base * 0.97, 5);
    expect(adaptive.throttledAt).toBe(now);
  });

  it('lowers to 0.8x min(measured, held-to rate) on a later throttle once a bucket was measured since the pause', () => {
    const adaptive = new AdaptiveRate();
    let now = send(adaptive, T0, 20, 5);
    adaptive.onResponse(now, true, Number.POSITIVE_INFINITY, 1000);
    expect(adaptive.quietUntil).toBe(now + 1000);
    // Sent after the pause, at 10/s, for 2 s: the measurement starts over from the first of them.
    now += 1000;
    for (let i = 0; i < 20; i += 1, now += 100) adaptive.onResponse(now + 20, false, 16, 0, true, now);
    expect(adaptive.measuredRate).toBeCloseTo(10, 0);
    const second = adaptive.onResponse(now + 20, true, 16, 0, false, now);
    // The rate measured since the pause (about 10/s; not the 16/s held to, nor ~7/s diluted by the pause).
    expect(adaptive.rateAtThrottle).toBeGreaterThan(7.5);
    expect(adaptive.rateAtThrottle).toBeLessThan(12);
    expect(second).toBeCloseTo(adaptive.rateAtThrottle * 0.8, 5);
  });

  it('uses the held-to rate for a throttle that comes before a bucket was measured since the pause', () => {
    const adaptive = new AdaptiveRate();
    let now = send(adaptive, T0, 20, 5);
    adaptive.onResponse(now, true);
    now += 1000;
    adaptive.onResponse(now + 20, false, 16, 0, true, now);
    const second = adaptive.onResponse(now + 120, true, 16, 0, false, now + 100);
    expect(second).toBeCloseTo(16 * 0.8, 5);
  });

  it('grows along the cubic to its plateau and beyond, capped at 2x the measured rate', () => {
    const adaptive = new AdaptiveRate();
    let now = send(adaptive, T0, 20, 5);
    adaptive.onResponse(now, true);
    const base = adaptive.rateAtThrottle;
    const plateau = adaptive.plateauRate;
    const k = cubicK(base * 0.8, plateau);
    const throttleAt = now;
    // Keep sending at 20/s: the cap (40/s) stays above the cubic for a while.
    now = send(adaptive, now, 20, Math.ceil(k));
    const grown = adaptive.rate;
    expect(grown).toBeCloseTo(cubicRate(plateau, k, (now - 50 - throttleAt) / 1000), 5);
    expect(grown).toBeGreaterThan(base * 0.8);
    now = send(adaptive, now, 20, 10);
    expect(adaptive.rate).toBeGreaterThan(plateau);
    // Long after, the cubic is far above: the rate is held at twice what is actually sent.
    now = send(adaptive, now, 20, 40);
    expect(adaptive.rate).toBeCloseTo(2 * adaptive.measuredRate, 5);
    expect(adaptive.rate).toBeLessThan(45);
  });

  it('on a first throttle after a short burst, estimates the quota from what got through and the Retry-After', () => {
    // 20 answers in 50 ms (unpaced, 400/s), then a 429 saying a slot frees in 950 ms: a 20/s quota.
    const adaptive = new AdaptiveRate();
    for (let i = 0; i < 20; i += 1) adaptive.onResponse(T0 + i * 2.5, false);
    const first = adaptive.onResponse(T0 + 50, true, Number.POSITIVE_INFINITY, 950);
    expect(adaptive.rateAtThrottle).toBeCloseTo(20, 5);
    expect(adaptive.plateauRate).toBeCloseTo(19.4, 5);
    // At the plateau of the estimate, not 0.8x the burst's rate (20 over the 0.5 s minimum: 32/s).
    expect(first).toBeCloseTo(19.4, 5);
    // It climbs no further until the plateau's probing begins.
    adaptive.onResponse(T0 + 1100, false, first, 0, true, T0 + 1050);
    expect(adaptive.rate).toBeCloseTo(19.4, 1);
  });

  it("raises the first throttle's estimate by each success sent before it and answered during its Retry-After", () => {
    const adaptive = new AdaptiveRate();
    for (let i = 0; i < 12; i += 1) adaptive.onResponse(T0 + i * 4, false);
    adaptive.onResponse(T0 + 50, true, Number.POSITIVE_INFINITY, 950);
    expect(adaptive.rateAtThrottle).toBeCloseTo(12, 5);
    // 8 slower successes of the burst (sent before the 429), then another 429 of the burst (not counted).
    for (let i = 0; i < 8; i += 1) adaptive.onResponse(T0 + 60 + i, false, 11.64, 0, true, T0 + 40);
    adaptive.onResponse(T0 + 70, false, 19.4, 0, false, T0 + 45);
    expect(adaptive.rateAtThrottle).toBeCloseTo(20, 5);
    expect(adaptive.plateauRate).toBeCloseTo(19.4, 5);
    // Capped at 0.8x the rate measured at the throttle (12 over the 0.5 s minimum: 24/s).
    expect(adaptive.rate).toBeCloseTo(19.2, 2);
    // A success sent after the throttle ends the estimate: later answers of the burst no longer raise it.
    adaptive.onResponse(T0 + 1050, false, 19.4, 0, true, T0 + 1010);
    adaptive.onResponse(T0 + 1060, false, 19.4, 0, true, T0 + 40);
    expect(adaptive.rateAtThrottle).toBeCloseTo(20, 5);
  });

  it('ends the estimate when the Retry-After has passed', () => {
    const adaptive = new AdaptiveRate();
    for (let i = 0; i < 10; i += 1) adaptive.onResponse(T0 + i * 5, false);
    adaptive.onResponse(T0 + 50, true, Number.POSITIVE_INFINITY, 950);
    adaptive.onResponse(T0 + 1000, false, 9.7, 0, true, T0 + 40);
    expect(adaptive.rateAtThrottle).toBeCloseTo(10, 5);
  });

  it('after a long measurement, starts at 0.8x the measured rate when the estimate is above it', () => {
    const adaptive = new AdaptiveRate();
    const now = send(adaptive, T0, 20, 5);
    const first = adaptive.onResponse(now, true, Number.POSITIVE_INFINITY, 1000);
    // 100 answers in 5 s spread over 6 s: an estimate of 16.7/s, whose plateau (16.2/s) is above 0.8 x 20/s.
    expect(adaptive.rateAtThrottle).toBeCloseTo(100 / 6, 5);
    expect(first).toBeCloseTo(16, 5);
  });

  it('after a long measurement into a long window, estimates the quota from the Retry-After', () => {
    // 500 a minute, reached in 6 s at about 83/s: the 429 says wait 54 s; 500 over 60 s is 8.3/s.
    const adaptive = new AdaptiveRate();
    const now = send(adaptive, T0, 83, 6);
    const first = adaptive.onResponse(now, true, Number.POSITIVE_INFINITY, 54_000);
    expect(adaptive.rateAtThrottle).toBeGreaterThan(7.5);
    expect(adaptive.rateAtThrottle).toBeLessThan(9);
    expect(first).toBeCloseTo(adaptive.rateAtThrottle * 0.97, 5);
  });

  it('estimates the quota from a burst after a long silence, which the smoothed rate would dilute', () => {
    // 20/s for 10 s, an hour of silence, then 20 answers in 50 ms and a 429 (Retry-After 950 ms).
    const adaptive = new AdaptiveRate();
    send(adaptive, T0, 20, 10);
    const burst = T0 + 10_000 + 3_600_000;
    for (let i = 0; i < 20; i += 1) adaptive.onResponse(burst + i * 2.5, false);
    // The bucket that spans the hour closed on the burst's first answer: the smoothed rate is about 4/s.
    expect(adaptive.measuredRate).toBeLessThan(5);
    const first = adaptive.onResponse(burst + 50, true, Number.POSITIVE_INFINITY, 950);
    expect(adaptive.rateAtThrottle).toBeCloseTo(20, 5);
    expect(first).toBeCloseTo(19.4, 5);
  });

  it('after a long measurement at a rising rate, estimates from the smoothed rate, not the run average', () => {
    // 5/s for 60 s, then 25/s for 5 s, then a 429 (Retry-After 1 s): the run averages about 6.5/s.
    const adaptive = new AdaptiveRate();
    const now = send(adaptive, send(adaptive, T0, 5, 60), 25, 5);
    const first = adaptive.onResponse(now, true, Number.POSITIVE_INFINITY, 1000);
    expect(adaptive.rateAtThrottle).toBeGreaterThan(24);
    expect(first).toBeCloseTo(adaptive.measuredRate * 0.8, 5);
  });

  it('never sets a rate below 0.5 req/s', () => {
    const adaptive = new AdaptiveRate();
    let now = T0;
    for (let i = 0; i < 20; i += 1, now += 2000) adaptive.onResponse(now, true);
    expect(adaptive.rate).toBe(MIN_FILL_RATE);
  });
});
