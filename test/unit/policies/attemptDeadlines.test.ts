import { describe, expect, it, vi } from 'vitest';
import { AttemptDeadlines } from '../../../src/policies/attemptDeadlines.js';
import { useFakeClock } from '../../helpers/attachScripted.js';

const START = Date.parse('2026-11-25T12:00:00Z');

useFakeClock('2026-11-25T12:00:00Z');

/** The grain the room documents: at most 100 ms and at most 1/32 of the limit, at least 1 ms. */
const grainOf = (limitMs: number) => Math.max(1, Math.min(100, Math.floor(limitMs / 32)));

describe('AttemptDeadlines', () => {
  it.each([
    [3_200, 0],
    [3_200, 1],
    [3_200, 57],
    [3_200, 99],
    [30_000, 42],
    [640, 13],
    [10, 3],
  ])(
    'an attempt limited to %i ms (entering %i ms into a window) times out no earlier than its limit, at most one grain later',
    async (limitMs, offset) => {
      vi.setSystemTime(START + offset);
      const deadlines = new AttemptDeadlines();
      const entered = Date.now();
      let firedAt: number | undefined;
      const bucket = deadlines.enter(limitMs, () => {
        firedAt = Date.now();
      });
      await vi.advanceTimersByTimeAsync(limitMs - 1);
      expect(firedAt).toBeUndefined();
      expect(bucket.signal.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(grainOf(limitMs) + 1);
      expect(firedAt).toBeDefined();
      const elapsed = (firedAt ?? 0) - entered;
      expect(elapsed).toBeGreaterThanOrEqual(limitMs);
      expect(elapsed).toBeLessThanOrEqual(limitMs + grainOf(limitMs));
      expect(bucket.signal.aborted).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
    },
  );

  it('fires at the end of the window plus the limit: 3200 ms entered at a window start fires at 3300 ms', async () => {
    const deadlines = new AttemptDeadlines();
    const onTimeout = vi.fn();
    deadlines.enter(3_200, onTimeout);
    await vi.advanceTimersByTimeAsync(3_299);
    expect(onTimeout).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('leaving before the deadline clears the timer and never aborts the signal', async () => {
    const deadlines = new AttemptDeadlines();
    const onTimeout = vi.fn();
    const bucket = deadlines.enter(1_000, onTimeout);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    deadlines.leave(bucket, onTimeout);
    expect(vi.getTimerCount()).toBe(0);
    expect(bucket.pending.size).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(onTimeout).not.toHaveBeenCalled();
    expect(bucket.signal.aborted).toBe(false);
  });

  it('shares one bucket (one signal, one timer) between attempts of the same window and limit', async () => {
    const deadlines = new AttemptDeadlines();
    const first = vi.fn();
    const second = vi.fn();
    const a = deadlines.enter(3_200, first);
    await vi.advanceTimersByTimeAsync(40);
    const b = deadlines.enter(3_200, second);
    expect(b).toBe(a);
    expect(b.signal).toBe(a.signal);
    expect(a.pending.size).toBe(2);
    expect(vi.getTimerCount()).toBe(1);

    // The first to leave keeps the timer for the other; the last one out clears it.
    deadlines.leave(a, first);
    expect(vi.getTimerCount()).toBe(1);
    deadlines.leave(b, second);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-arms the timer for a later attempt of the same window after the bucket emptied', async () => {
    const deadlines = new AttemptDeadlines();
    const first = vi.fn();
    const a = deadlines.enter(3_200, first);
    deadlines.leave(a, first);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(30);
    const second = vi.fn();
    const b = deadlines.enter(3_200, second);
    expect(b.signal).toBe(a.signal);
    expect(vi.getTimerCount()).toBe(1);
    // Still the bucket's deadline: 3300 ms after the window's start.
    await vi.advanceTimersByTimeAsync(3_269);
    expect(second).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(second).toHaveBeenCalledTimes(1);
    expect(first).not.toHaveBeenCalled();
  });

  it('gives attempts of another window, or another limit, a signal of their own', async () => {
    const deadlines = new AttemptDeadlines();
    const a = deadlines.enter(3_200, vi.fn());
    const otherLimit = deadlines.enter(6_400, vi.fn());
    await vi.advanceTimersByTimeAsync(100);
    const nextWindow = deadlines.enter(3_200, vi.fn());
    expect(otherLimit.signal).not.toBe(a.signal);
    expect(nextWindow.signal).not.toBe(a.signal);
    expect(vi.getTimerCount()).toBe(3);
  });

  it('aborts the signal at the deadline, after the pending attempts ran their onTimeout', async () => {
    const deadlines = new AttemptDeadlines();
    const seen: Array<{ who: string; aborted: boolean }> = [];
    const bucket = deadlines.enter(1_000, () => seen.push({ who: 'a', aborted: bucket.signal.aborted }));
    deadlines.enter(1_000, () => seen.push({ who: 'b', aborted: bucket.signal.aborted }));
    const onAbort = vi.fn(() => seen.push({ who: 'signal', aborted: bucket.signal.aborted }));
    bucket.signal.addEventListener('abort', onAbort);
    await vi.advanceTimersByTimeAsync(1_000 + grainOf(1_000));
    expect(seen).toEqual([
      { who: 'a', aborted: false },
      { who: 'b', aborted: false },
      { who: 'signal', aborted: true },
    ]);
    expect(bucket.pending.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a fired bucket is not reused: the next attempt gets a fresh, unaborted signal', async () => {
    const deadlines = new AttemptDeadlines();
    const fired = deadlines.enter(10, vi.fn());
    await vi.advanceTimersByTimeAsync(20);
    expect(fired.signal.aborted).toBe(true);
    const next = deadlines.enter(10, vi.fn());
    expect(next.signal).not.toBe(fired.signal);
    expect(next.signal.aborted).toBe(false);
  });

  it('leaving after the bucket fired is harmless', async () => {
    const deadlines = new AttemptDeadlines();
    const onTimeout = vi.fn();
    const bucket = deadlines.enter(10, onTimeout);
    await vi.advanceTimersByTimeAsync(20);
    expect(onTimeout).toHaveBeenCalledTimes(1);
    expect(() => deadlines.leave(bucket, onTimeout)).not.toThrow();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('prunes idle buckets whose window closed, keeping busy ones', async () => {
    const deadlines = new AttemptDeadlines();
    const busy = vi.fn();
    const kept = deadlines.enter(1_000, busy);
    // Seven idle buckets, one per window: eight buckets in all, the threshold for pruning.
    for (let i = 0; i < 7; i++) {
      await vi.advanceTimersByTimeAsync(31);
      const done = vi.fn();
      deadlines.leave(deadlines.enter(1_000, done), done);
    }
    await vi.advanceTimersByTimeAsync(31);
    deadlines.enter(1_000, vi.fn());
    const size = (deadlines as unknown as { buckets: Map<number, unknown> }).buckets.size;
    // The busy bucket and the new one remain; the idle ones of closed windows are gone.
    expect(size).toBe(2);
    expect(kept.pending.has(busy)).toBe(true);
  });

  // A limit above 2^31 - 1 ms would overflow setTimeout (run after 1 ms): the bucket's timer is capped and
  // re-armed for the rest. (Options refuse such values; the room guards its own sums.)
  it('does not time out an attempt with a limit above 2^31 - 1 ms after 1 ms', async () => {
    const deadlines = new AttemptDeadlines();
    const onTimeout = vi.fn();
    const bucket = deadlines.enter(2 ** 31, onTimeout);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(onTimeout).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2 ** 31 - 1_001);
    expect(onTimeout).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(101);
    expect(onTimeout).toHaveBeenCalledTimes(1);
    expect(bucket.signal.aborted).toBe(true);
  });
});
