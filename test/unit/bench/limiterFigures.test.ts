import { describe, expect, it } from 'vitest';
import {
  countBy,
  type Hit,
  hitsOnRunClock,
  LIMITER_TARGETS,
  meetsTargets,
  quotaFigures,
  type SettledCall,
  windowFigures,
} from '../../../bench/lib/limiterFigures.mjs';

const hit = (at: number, status = 200, scope = 'partner', beforeDeadline = false): Hit => ({
  at,
  status,
  scope,
  beforeDeadline,
});

describe('bench rate limiter figures (limiterFigures.mjs)', () => {
  it('counts a window: calls by when they settled, 429s per 100 calls, successful calls/s against the quota', () => {
    const calls: SettledCall[] = [
      { at: 100, ok: true },
      { at: 900, ok: false },
      { at: 1_500, ok: true },
      { at: 2_000, ok: true }, // outside [0, 2000)
    ];
    const hits = [
      hit(50),
      hit(60, 429, 'customer 1'),
      hit(70, 429, 'customer 2', true),
      hit(80, 429, 'customer 1'),
      hit(2_500, 429),
    ];
    const f = windowFigures({ hits, calls }, { fromMs: 0, toMs: 2_000, quotaPerSec: 20 });
    expect(f.calls).toBe(3);
    expect(f.ok).toBe(2);
    expect(f.failed).toBe(1);
    expect(f.hits).toBe(4);
    expect(f.throttled).toBe(3);
    expect(f.throttledPer100Calls).toBe(100);
    expect(f.okPerSec).toBe(1);
    expect(f.ofQuota).toBe(0.05);
    expect(f.hitsBeforeDeadline).toBe(1);
    expect(f.throttledByScope).toEqual([
      { key: 'customer 1', count: 2 },
      { key: 'customer 2', count: 1 },
    ]);
  });

  it('an empty window has no rate and no 429s per call (not NaN)', () => {
    const f = windowFigures({ hits: [], calls: [] }, { fromMs: 0, toMs: 0, quotaPerSec: 20 });
    expect(f.throttledPer100Calls).toBe(0);
    expect(f.okPerSec).toBe(0);
    expect(f.ofQuota).toBe(0);
  });

  it('splits a run into whole, warm-up and steady state, the tail after the duration only in the whole run', () => {
    const calls: SettledCall[] = [
      ...Array.from({ length: 10 }, (_, i) => ({ at: i * 100, ok: true })), // warm-up, 0-1 s
      ...Array.from({ length: 40 }, (_, i) => ({ at: 1_000 + i * 50, ok: true })), // steady, 1-3 s
      { at: 3_400, ok: false }, // tail
    ];
    const hits = [hit(10, 429), hit(20, 429), hit(1_200, 429), hit(3_100, 429)];
    const figures = quotaFigures({ hits, calls }, { warmupMs: 1_000, durationMs: 3_000, quotaPerSec: 20 });
    expect(figures.warmup.calls).toBe(10);
    expect(figures.warmup.throttled).toBe(2);
    expect(figures.steady.calls).toBe(40);
    expect(figures.steady.throttled).toBe(1);
    expect(figures.steady.okPerSec).toBe(20);
    expect(figures.steady.ofQuota).toBe(1);
    expect(figures.whole.calls).toBe(51);
    expect(figures.whole.failed).toBe(1);
    expect(figures.whole.throttled).toBe(4);
    expect(figures.whole.toMs).toBe(3_401);
    expect(figures.throttledPerSecond).toEqual([2, 1, 0, 1]);
  });

  it('judges targets and names each figure that misses', () => {
    const base = windowFigures(
      { hits: [], calls: [{ at: 0, ok: true }] },
      { fromMs: 0, toMs: 1_000, quotaPerSec: 1 },
    );
    expect(meetsTargets(base, LIMITER_TARGETS.single)).toEqual({ met: true, misses: [] });
    const bad = { ...base, throttledPer100Calls: 5.5, ofQuota: 0.5, hitsBeforeDeadline: 2 };
    expect(meetsTargets(bad, LIMITER_TARGETS.single).misses).toEqual([
      '429s per 100 calls',
      'calls/s vs quota',
    ]);
    expect(meetsTargets(bad, LIMITER_TARGETS.multi).misses).toEqual([
      '429s per 100 calls',
      'calls/s vs quota',
      'hits before a deadline',
    ]);
    expect(meetsTargets({ ...base, throttledPer100Calls: 3 }, LIMITER_TARGETS.single).met).toBe(true);
  });

  it("puts the simulator's log on the callers' clock", () => {
    const log = [{ atMs: 500, status: 429, scope: 'partner', beforeDeadline: false }];
    expect(hitsOnRunClock(log, 10_000, 10_200)).toEqual([hit(300, 429)]);
  });

  it('counts by key, most frequent first', () => {
    expect(countBy(['a', 'b', 'b', 'c', 'c'], (x) => x)).toEqual([
      { key: 'b', count: 2 },
      { key: 'c', count: 2 },
      { key: 'a', count: 1 },
    ]);
  });
});
