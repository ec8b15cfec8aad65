import { describe, expect, it } from 'vitest';
import { latencySummary, median, percentile, ratio, seededRandom } from '../../../bench/lib/stats.mjs';

describe('bench stats helpers', () => {
  it('percentile is nearest-rank on sorted input', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });

  it('median handles odd, even and unsorted input without mutating it', () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  it('latencySummary gives p50 and p99 of unsorted latencies', () => {
    const latencies = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(latencySummary(latencies)).toEqual({ p50: 100, p99: 198 });
  });

  it('ratio is 0 for an empty whole', () => {
    expect(ratio(3, 4)).toBe(0.75);
    expect(ratio(3, 0)).toBe(0);
  });

  it('seededRandom is deterministic per seed and within [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRandom(43)()).not.toBe(draws[0]);
  });
});
