import { describe, expect, it } from 'vitest';
import {
  attribute,
  CANDIDATE_MS,
  PARTNER_BOUND_MS,
} from '../../../../src/policies/rateLimiter/attribution.js';
import { BoundedMap } from '../../../../src/policies/rateLimiter/boundedMap.js';
import { LevelState } from '../../../../src/policies/rateLimiter/levelState.js';
import type { LimitTarget } from '../../../../src/policies/rateLimiter/rateLimiter.js';
import { TokenBucket } from '../../../../src/policies/rateLimiter/tokenBucket.js';
import type { LimiterSettings, LimitPlan } from '../../../../src/stores/rateLimitProtocol.js';
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

describe('attribute, on its own', () => {
  const settings: LimiterSettings = {
    fairness: true,
    adaptive: false,
    blameBoundPartner: true,
    maxPartnerQuietMs: 5000,
  };
  const plan = (customer: string): LimitPlan => ({
    partner: 'p',
    customer,
    levels: [
      { level: 'partner', key: 'p:p' },
      { level: 'customer', key: `c:p/${customer}` },
    ],
    rules: [],
  });
  /** The partner's state with a learnt bucket that held a call back at `boundAt`. */
  function boundPartner(boundAt: number): BoundedMap<LevelState> {
    const partner = new LevelState();
    partner.bucket = new TokenBucket(10, 1, boundAt);
    partner.boundAt = boundAt;
    const levels = new BoundedMap<LevelState>(10);
    levels.set('p:p', partner);
    return levels;
  }

  it("is the tenant's while the partner's rate held no call back within PARTNER_BOUND_MS", () => {
    expect(attribute(new BoundedMap(10), plan('a'), settings, T0, 1000, T0)).toBe('tenant');
    const levels = boundPartner(T0);
    expect(attribute(levels, plan('a'), settings, T0 + PARTNER_BOUND_MS + 1, 1000, T0)).toBe('tenant');
  });

  it("is the tenant's for a Retry-After beyond maxPartnerQuietMs, or with throttleLevel not 'auto'", () => {
    const levels = boundPartner(T0);
    expect(attribute(levels, plan('a'), settings, T0, 5001, T0)).toBe('tenant');
    expect(attribute(levels, plan('a'), { ...settings, blameBoundPartner: false }, T0, 1000, T0)).toBe(
      'tenant',
    );
  });

  it("keeps a first 429 as the partner's candidate until its Retry-After and CANDIDATE_MS have passed", () => {
    const levels = boundPartner(T0);
    const partner = levels.get('p:p') as LevelState;
    /** The 429 of `customer` at `now`, with the partner's rate holding a call back at that time. */
    const throttled = (customer: string, now: number) => {
      partner.boundAt = now;
      return attribute(levels, plan(customer), settings, now, 1000, now - 10);
    };
    expect(throttled('a', T0)).toBe('unknown');
    // Another tenant's within the candidate's time: a quota they share.
    expect(throttled('b', T0 + 1000 + CANDIDATE_MS)).toBe('partner');
    expect(throttled('a', T0 + 3000)).toBe('unknown');
    // The same tenant's again: its own quota.
    expect(throttled('a', T0 + 3500)).toBe('tenant');
    expect(throttled('b', T0 + 3600)).toBe('unknown');
    // Past the candidate's time, a 429 says nothing about it and becomes the next candidate.
    expect(throttled('c', T0 + 3600 + 1000 + CANDIDATE_MS + 1)).toBe('unknown');
    expect(throttled('a', T0 + 6000)).toBe('partner');
  });
});
