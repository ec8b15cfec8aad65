import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency, type SweepCounters } from '../../../../src/workflows/sweep/concurrency.js';
import { ProgressMeter } from '../../../../src/workflows/sweep/progressMeter.js';

/** Ends one round of `limit` tasks, with `calls` requests of which `held` were held back and `throttled` 429s. */
function round(
  c: AdaptiveConcurrency,
  totals: { calls: number; throttled: number; held: number },
  add: SweepCounters,
) {
  totals.calls += add.calls;
  totals.throttled += add.throttled;
  totals.held += add.held;
  for (let i = c.limit; i > 0; i--) c.taskEnded({ ...totals });
  return c.limit;
}

describe('AdaptiveConcurrency', () => {
  it('doubles per round while under a tenth of the requests are held back, up to max', () => {
    const c = new AdaptiveConcurrency(4, 50);
    const totals = { calls: 0, throttled: 0, held: 0 };
    expect(round(c, totals, { calls: 100, throttled: 0, held: 10 })).toBe(8);
    expect(round(c, totals, { calls: 100, throttled: 0, held: 0 })).toBe(16);
    expect(round(c, totals, { calls: 100, throttled: 0, held: 0 })).toBe(32);
    expect(round(c, totals, { calls: 100, throttled: 0, held: 0 })).toBe(50);
  });

  it('holds while the limiter holds more than a tenth back', () => {
    const c = new AdaptiveConcurrency(4, 50);
    const totals = { calls: 0, throttled: 0, held: 0 };
    expect(round(c, totals, { calls: 100, throttled: 0, held: 11 })).toBe(4);
  });

  it('cuts to 0.7x on a 429, then grows by one per round; never below 1', () => {
    const c = new AdaptiveConcurrency(10, 50);
    const totals = { calls: 0, throttled: 0, held: 0 };
    expect(round(c, totals, { calls: 10, throttled: 1, held: 0 })).toBe(7);
    expect(c.slowStarting).toBe(false);
    expect(round(c, totals, { calls: 10, throttled: 0, held: 0 })).toBe(8);
    const one = new AdaptiveConcurrency(1, 50);
    expect(round(one, { calls: 0, throttled: 0, held: 0 }, { calls: 1, throttled: 1, held: 0 })).toBe(1);
  });

  it('never cuts below its floor (the sweep passes initialConcurrency)', () => {
    const c = new AdaptiveConcurrency(4, 50, 4);
    expect(round(c, { calls: 0, throttled: 0, held: 0 }, { calls: 10, throttled: 1, held: 0 })).toBe(4);
  });

  it('adjusts once per round, not per task', () => {
    const c = new AdaptiveConcurrency(4, 50);
    c.taskEnded({ calls: 1, throttled: 0, held: 0 });
    c.taskEnded({ calls: 2, throttled: 0, held: 0 });
    c.taskEnded({ calls: 3, throttled: 0, held: 0 });
    expect(c.limit).toBe(4);
    c.taskEnded({ calls: 4, throttled: 0, held: 0 });
    expect(c.limit).toBe(8);
  });
});

describe('ProgressMeter', () => {
  it('counts finishes over the last 10 s (over the time since start before that)', () => {
    const meter = new ProgressMeter(0);
    for (let t = 0; t < 2000; t += 100) meter.finished(t);
    expect(meter.rate(2000)).toBe(10);
    expect(meter.rate(500)).toBe(20); // at least a second: 20 in the first "second" so far
    expect(meter.rate(13_000)).toBe(0); // all of them older than 10 s
  });
});
