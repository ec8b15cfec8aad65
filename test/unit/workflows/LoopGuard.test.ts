import { describe, expect, it } from 'vitest';
import { LOOP_GUARD_PAGES, LoopGuard } from '../../../src/workflows/LoopGuard.js';

const page = (token: string) => ({ uri: '/v1/c?seekOperation=Next', method: 'GET', headers: { T: token } });

describe('LoopGuard', () => {
  it('knows every continuation requested, by uri and headers (any header case)', () => {
    const guard = new LoopGuard();
    guard.requested(0, { uri: '/v1/c', method: 'GET', headers: {} });
    guard.requested(1, page('a'));
    guard.requested(2, page('b'));
    expect(guard.requestedBefore({ uri: '/v1/c', method: 'GET', headers: {} })).toBe(0);
    expect(guard.requestedBefore({ ...page('a'), headers: { t: 'a' } })).toBe(1);
    expect(guard.requestedBefore(page('b'))).toBe(2);
    expect(guard.requestedBefore(page('c'))).toBeUndefined();
  });

  it('remembers the last limit requests only: memory stays bounded', () => {
    const guard = new LoopGuard(3);
    for (let i = 0; i < 5; i++) guard.requested(i, page(String(i)));
    expect([0, 1, 2, 3, 4].map((i) => guard.requestedBefore(page(String(i))))).toEqual([
      undefined,
      undefined,
      2,
      3,
      4,
    ]);
    expect(LOOP_GUARD_PAGES).toBe(1_000);
  });
});
