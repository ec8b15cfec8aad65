import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../../../src/policies/rateLimiter/boundedMap.js';

describe('BoundedMap', () => {
  it('drops the generation not used since the last rotation; an entry used moves to the young one', () => {
    const dropped: number[] = [];
    // max 6: the young generation rotates at 3 entries.
    const map = new BoundedMap<number>(6, (value) => dropped.push(value));
    for (let i = 0; i < 3; i += 1) map.set(`k${i}`, i);
    expect(map.size).toBe(3);
    expect(map.get('k0')).toBe(0);
    map.set('k3', 3);
    map.set('k4', 4);
    // k1 and k2, not used since, are dropped; k0 is kept.
    expect(dropped).toEqual([1, 2]);
    expect([...map.values()].sort()).toEqual([0, 3, 4]);
    expect(map.peek('k1')).toBeUndefined();
  });

  it('never holds more than max entries, whatever the pattern', () => {
    for (const max of [1, 2, 3, 10, 101]) {
      const map = new BoundedMap<number>(max);
      let seed = max;
      for (let i = 0; i < 5000; i += 1) {
        seed = (seed * 48271) % 2147483647;
        const key = `k${seed % (3 * max)}`;
        if (seed % 3 === 0) map.get(key);
        else if (map.get(key) === undefined) map.add(key, i);
        else map.set(key, i);
        expect(map.size).toBeLessThanOrEqual(max);
      }
    }
  });

  it('an entry used at least once per half of max survives any number of others', () => {
    const map = new BoundedMap<string>(100);
    map.set('hot', 'hot');
    for (let i = 0; i < 10_000; i += 1) {
      map.set(`cold${i}`, 'cold');
      if (i % 49 === 0) expect(map.get('hot')).toBe('hot');
    }
  });
});
