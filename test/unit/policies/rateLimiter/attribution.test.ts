import { describe, expect, it } from 'vitest';
import type { LimitTarget } from '../../../../src/policies/rateLimiter/rateLimiter.js';
import { localLimiter } from './localLimiter.js';

const T0 = 1_000_000;

describe('attribute', () => {
  it("'auto', while the partner's learnt rate holds calls back: a second tenant's 429 is the partner's, the same tenant's again its own", () => {
    const limiter = localLimiter({ defaultRules: false });
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((customer) => ({ partner: 'p', customer })) as [
      LimitTarget,
      LimitTarget,
      LimitTarget,
      LimitTarget,
      LimitTarget,
    ];
    let now = T0;
    for (let i = 0; i < 40; i += 1, now += 25) for (const t of [a, b, c]) limiter.record(t, now, false);
    // Three tenants throttled within 1 s: the partner is charged too, and learns a rate.
    for (const t of [a, b, c]) limiter.record(t, now, true);
    const partner = limiter.state(a, 'partner');
    expect(partner?.enabled).toBe(true);
    const partnerRate = partner?.rate ?? 0;
    const holdBack = (t: LimitTarget) => {
      while (limiter.acquire(t, now) === 0) limiter.record(t, now, false);
    };
    // Past the quiet time, d is held back by the partner's rate; its 429 alone says nothing: measured only.
    now += 2000;
    holdBack(d);
    limiter.record(d, now + 10, true, 5, 500);
    expect(limiter.state(d, 'customer')?.enabled).toBeFalsy();
    expect(partner?.rate).toBeCloseTo(partnerRate, 6);
    // Another tenant throttled within d's Retry-After and a second: the quota is shared, the partner's.
    now += 600;
    holdBack(e);
    limiter.record(e, now + 10, true, 5, 500);
    expect(limiter.state(e, 'customer')?.enabled).toBeFalsy();
    expect(partner?.throttledAt).toBe(now + 10);
    expect(partner?.rate).toBeLessThan(partnerRate);
    // d throttled twice in a row: the quota is d's own, the partner is left alone.
    now += 3000;
    holdBack(d);
    limiter.record(d, now + 10, true, 5, 500);
    now += 800;
    holdBack(d);
    const before = partner?.throttledAt;
    limiter.record(d, now + 10, true, 5, 500);
    expect(limiter.state(d, 'customer')?.enabled).toBe(true);
    expect(partner?.throttledAt).toBe(before);
    // Once a 429 waited longer than its Retry-After and a second for company, it is forgotten.
    now += 3000;
    holdBack(c);
    limiter.record(c, now + 10, true, 5, 500);
    now += 1600;
    holdBack(d);
    limiter.record(d, now + 10, true, 5, 500);
    expect(partner?.throttledAt).toBe(before);
    // With the partner not holding calls back (idle for a while), a tenant's 429 is its own at once.
    now += 5000;
    limiter.record(b, now, false);
    limiter.record(b, now + 10, true, 5);
    expect(limiter.state(b, 'customer')?.throttledAt).toBe(now + 10);
  });
});
