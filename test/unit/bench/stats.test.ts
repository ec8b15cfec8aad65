import { describe, expect, it } from 'vitest';
import {
  latencySummary,
  median,
  percentile,
  ratio,
  rotated,
  roundRatios,
  seededRandom,
  spread,
} from '../../../bench/lib/stats.mjs';

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

  it('spread gives median and range, zeros for an empty list', () => {
    expect(spread([3, 1, 2, 10])).toEqual({ median: 2.5, min: 1, max: 10 });
    expect(spread([4])).toEqual({ median: 4, min: 4, max: 4 });
    expect(spread([])).toEqual({ median: 0, min: 0, max: 0 });
  });

  it('roundRatios divides each round by the baseline of the same round', () => {
    expect(roundRatios([110, 90, 300], [100, 100, 200])).toEqual([1.1, 0.9, 1.5]);
    expect(roundRatios([5], [0])).toEqual([0]);
    expect(() => roundRatios([1, 2], [1])).toThrow();
  });

  it('rotated starts round r with item r and keeps every item once', () => {
    const items = ['a', 'b', 'c', 'd'];
    expect(rotated(items, 0)).toEqual(['a', 'b', 'c', 'd']);
    expect(rotated(items, 1)).toEqual(['b', 'c', 'd', 'a']);
    expect(rotated(items, 6)).toEqual(['c', 'd', 'a', 'b']);
    expect(items).toEqual(['a', 'b', 'c', 'd']);
  });
});
