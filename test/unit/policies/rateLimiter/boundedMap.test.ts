import { describe, expect, it } from 'vitest';
import { BoundedMap, dropStale, setBounded, touch } from '../../../../src/policies/rateLimiter/boundedMap.js';

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

describe('BoundedMap generations', () => {
  it('tells of each rotation, and finds in `young` only what was used since the last one', () => {
    let rotations = 0;
    const map = new BoundedMap<number>(4, undefined, () => {
      rotations += 1;
    });
    map.set('a', 1);
    expect(map.young.get('a')).toBe(1);
    map.set('b', 2);
    expect(rotations).toBe(1);
    expect(map.young.get('a')).toBeUndefined();
    expect(map.get('a')).toBe(1);
    expect(map.young.get('a')).toBe(1);
    map.set('c', 3);
    expect(rotations).toBe(2);
    expect(map.young.size).toBe(0);
  });
});

describe('setBounded, touch and dropStale', () => {
  it('setBounded drops the oldest entry of a full map, not for a key it holds', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    setBounded(map, 'b', 3, 2);
    expect([...map]).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    setBounded(map, 'c', 4, 2);
    expect([...map]).toEqual([
      ['b', 3],
      ['c', 4],
    ]);
  });

  it('touch keeps a map ordered by time; dropStale drops what is older than the window', () => {
    const seen = new Map<string, number>();
    touch(seen, 'a', 100, 3);
    touch(seen, 'b', 200, 3);
    touch(seen, 'a', 300, 3);
    expect([...seen.keys()]).toEqual(['b', 'a']);
    touch(seen, 'c', 400, 3);
    touch(seen, 'd', 500, 3);
    expect([...seen.keys()]).toEqual(['a', 'c', 'd']);
    dropStale(seen, 1300, 900);
    expect([...seen.keys()]).toEqual(['c', 'd']);
  });
});
