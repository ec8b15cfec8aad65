import { describe, expect, it } from 'vitest';
import { ScopeRegistry } from '../../../src/tenancy/scopes.js';

function registry(options: { maxScopes?: number; idleEvictionMs?: number } = {}) {
  let now = 0;
  const created: string[] = [];
  const reg = new ScopeRegistry<string>({
    maxScopes: options.maxScopes ?? 100,
    idleEvictionMs: options.idleEvictionMs ?? 10_000,
    create: (scope) => {
      created.push(scope);
      return `policy:${scope}`;
    },
    now: () => now,
  });
  const advance = (ms: number): void => {
    now += ms;
  };
  return { reg, created, advance };
}

describe('ScopeRegistry', () => {
  it('creates an entry once and hands it back', () => {
    const { reg, created } = registry();
    expect(reg.get('a')).toBe('policy:a');
    expect(reg.get('a')).toBe('policy:a');
    expect(created).toEqual(['a']);
  });

  it('evicts the least recently used beyond maxScopes', () => {
    const { reg, advance } = registry({ maxScopes: 2 });
    reg.get('a');
    advance(2_000);
    reg.get('b');
    advance(2_000);
    reg.get('a'); // a used again more than a second later: moves behind b
    advance(2_000);
    reg.get('c');
    expect([...reg.keys()]).toEqual(['a', 'c']);
  });

  it('the idle sweep keeps the LRU order of entries in their place: a new scope evicts the least recently used', () => {
    const { reg, advance } = registry({ maxScopes: 3, idleEvictionMs: 60_000 });
    reg.get('a');
    advance(2_000);
    reg.get('b');
    advance(2_000);
    reg.get('c');
    advance(2_000);
    reg.get('d');
    expect([...reg.keys()]).toEqual(['b', 'c', 'd']);
  });

  it('an entry used again and again at the front never shields idle entries behind it', () => {
    const { reg, advance } = registry({ idleEvictionMs: 10_000 });
    reg.get('hot');
    reg.get('idle-1');
    reg.get('idle-2');
    // 'hot' is used every 500 ms: its place is not refreshed on each use, but the sweep moves it back.
    for (let t = 0; t < 12_000; t += 500) {
      advance(500);
      reg.get('hot');
    }
    expect(reg.peek('idle-1')).toBeUndefined();
    expect(reg.peek('idle-2')).toBeUndefined();
    expect(reg.peek('hot')).toBe('policy:hot');
  });

  it('keeps entries the evictable check refuses', () => {
    let now = 0;
    const reg = new ScopeRegistry<{ open: boolean }>({
      maxScopes: 10,
      idleEvictionMs: 1_000,
      create: (scope) => ({ open: scope === 'open' }),
      evictable: (entry) => !entry.open,
      now: () => now,
    });
    reg.get('open');
    reg.get('closed');
    now += 5_000;
    reg.get('other');
    expect(reg.peek('open')).toBeDefined();
    expect(reg.peek('closed')).toBeUndefined();
  });

  it('evicts exactly as a plain LRU scan would, over a long random run (the cursor skips no entry)', () => {
    // The reference: the same rules, finding the least recently placed entry by scanning from the start.
    const model = new Map<string, { lastUsed: number; placedAt: number }>();
    const place = (key: string, at: number, placedAt: number) => {
      const slot = { lastUsed: at, placedAt };
      model.delete(key);
      model.set(key, slot);
      return slot;
    };
    const sweep = (now: number) => {
      for (let checked = 0; checked < 4; checked += 1) {
        const first = model.entries().next();
        if (first.done === true) return;
        const [key, slot] = first.value;
        if (now - slot.lastUsed < 3_000) {
          if (slot.lastUsed <= slot.placedAt) return;
          place(key, slot.lastUsed, now);
        } else model.delete(key);
      }
    };
    let now = 0;
    const reg = new ScopeRegistry<string>({
      maxScopes: 50,
      idleEvictionMs: 3_000,
      create: (scope) => scope,
      now: () => now,
    });
    let sweptAt = Number.NEGATIVE_INFINITY;
    let seed = 7;
    for (let step = 0; step < 20_000; step += 1) {
      seed = (seed * 48271) % 2147483647;
      now += seed % 97;
      const key = `s${seed % 120}`;
      reg.get(key);
      const slot = model.get(key);
      if (slot !== undefined) {
        if (now - slot.lastUsed >= 1_000) place(key, now, now);
        else slot.lastUsed = now;
        if (now - sweptAt >= 1_000) {
          sweptAt = now;
          sweep(now);
        }
      } else {
        place(key, now, now);
        while (model.size > 50) model.delete(model.keys().next().value as string);
        sweptAt = now;
        sweep(now);
      }
      expect([...reg.keys()], `step ${step}`).toEqual([...model.keys()]);
    }
  });
});
