import { describe, expect, it } from 'vitest';
import { ScopeRegistry } from '../../../src/tenancy/ScopeRegistry.js';

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
});
