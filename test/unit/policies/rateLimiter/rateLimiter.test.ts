import { describe, expect, it } from 'vitest';
import { ResilienceOptionsError } from '../../../../src/options/ResilienceOptionsError.js';
import { localLimiter } from './localLimiter.js';

const T0 = 1_000_000;

describe('RateLimiter', () => {
  it('refuses a rule whose burst is not less than perMinute', () => {
    expect(() => localLimiter({ rules: [{ scope: 'customer', perMinute: 30, burst: 30 }] })).toThrow(
      ResilienceOptionsError,
    );
    // A burst of 1 is the least a bucket holds: allowed with any rate (one a minute fills at half a minute's).
    expect(() => localLimiter({ rules: [{ scope: 'customer', perMinute: 1, burst: 1 }] })).not.toThrow();
    expect(() =>
      localLimiter({
        rules: [
          { scope: 'partner', perMinute: 600, burst: 5 },
          { scope: 'customer', perMinute: 30, burst: 45 },
        ],
      }),
    ).toThrow(/rateLimit\.rules\.1\.burst: must be less than perMinute \(30\), got 45/);
  });

  it('charges a throttle to the level asked for (throttleLevel), falling back to the nearest one above', () => {
    const byCustomer = localLimiter({ defaultRules: false, throttleLevel: 'customer' });
    const c1 = { partner: 'p', customer: 'c1', pathTemplate: '/v1/invoices' };
    byCustomer.record(c1, T0, true);
    expect(byCustomer.state(c1, 'customer')?.enabled).toBe(true);
    expect(byCustomer.state(c1, 'partner')?.enabled).toBeFalsy();
    expect(byCustomer.acquire({ ...c1, customer: 'c2' }, T0)).toBe(0);
    // A partner-level call has no customer level: the partner is charged.
    byCustomer.record({ partner: 'p' }, T0, true);
    expect(byCustomer.state({ partner: 'p' }, 'partner')?.enabled).toBe(true);
  });

  it("'auto' charges the throttled tenant alone, and the partner once a third tenant is throttled within 1 s", () => {
    const limiter = localLimiter({ defaultRules: false });
    const a = { partner: 'p', customer: 'a' };
    const b = { partner: 'p', customer: 'b' };
    let now = T0;
    for (let i = 0; i < 40; i += 1, now += 25) {
      limiter.record(a, now, false);
      limiter.record(b, now, false);
    }
    limiter.record(a, now, true);
    expect(limiter.state(a, 'customer')?.enabled).toBe(true);
    expect(limiter.state(a, 'partner')?.enabled).toBeFalsy();
    // Another tenant is untouched: its own quota, as far as anyone knows.
    expect(limiter.acquire(b, now)).toBe(0);
    expect(limiter.acquire(b, now)).toBe(0);
    // b throttled too: two tenants could still be two quotas of their own.
    limiter.record(b, now + 300, true);
    expect(limiter.state(b, 'customer')?.enabled).toBe(true);
    expect(limiter.state(b, 'partner')?.enabled).toBeFalsy();
    // A third within 1 s of the first: a quota they share. The partner level learns a rate too.
    const c = { partner: 'p', customer: 'c' };
    limiter.record(c, now + 600, true);
    expect(limiter.state(c, 'partner')?.enabled).toBe(true);
    // Spread over more than 1 s, three throttles stay with their tenants.
    const fresh = localLimiter({ defaultRules: false });
    fresh.record(a, T0, true);
    fresh.record(b, T0 + 600, true);
    fresh.record(c, T0 + 1201, true);
    expect(fresh.state(c, 'partner')?.enabled).toBeFalsy();
  });
});
