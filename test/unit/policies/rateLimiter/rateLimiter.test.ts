import { describe, expect, it } from 'vitest';
import { type LimitTarget, RateLimiter } from '../../../../src/policies/rateLimiter/rateLimiter.js';
import {
  chooseRule,
  DEFAULT_RATE_LIMIT_RULES,
  ruleMatches,
} from '../../../../src/policies/rateLimiter/rules.js';

const T0 = 1_000_000;
const partnerCall: LimitTarget = { partner: 'p', method: 'GET', pathTemplate: '/v1/invoices' };

/** Tokens granted at `now` for `target` until the first wait; answers the count and that wait. */
function drain(limiter: RateLimiter, target: LimitTarget, now: number, max = 10_000) {
  let granted = 0;
  for (;;) {
    const wait = limiter.acquire(target, now);
    if (wait > 0 || granted >= max) return { granted, wait };
    granted += 1;
  }
}

describe('rules', () => {
  it('match path templates segment by segment, parameters matching any segment', () => {
    const orders = {
      scope: 'customer',
      perMinute: 1,
      match: { path: '/v1/customers/{id}/orders', method: 'post' },
    } as const;
    expect(ruleMatches(orders, 'POST', '/v1/customers/{customerId}/orders/{orderId}')).toBe(true);
    expect(ruleMatches(orders, 'GET', '/v1/customers/{customerId}/orders')).toBe(false);
    expect(ruleMatches(orders, 'POST', '/v1/customers/{customerId}')).toBe(false);
  });

  it('the defaults charge each documented resource its own 500/min bucket; a user rule overrides', () => {
    const pick = (template: string, user = [] as const) =>
      chooseRule('customer', user, DEFAULT_RATE_LIMIT_RULES, 'GET', template)?.name;
    expect(pick('/v1/customers/{id}/subscriptions/{sid}')).toBe('subscriptions');
    expect(pick('/v1/customers/{id}/orders')).toBe('orders');
    expect(pick('/v1/customers/{id}')).toBe('customers');
    expect(pick('/v1/invoices')).toBeUndefined();
    const user = [{ scope: 'customer', perMinute: 60, name: 'mine' }] as const;
    expect(chooseRule('customer', user, DEFAULT_RATE_LIMIT_RULES, 'GET', '/v1/customers/{id}')?.name).toBe(
      'mine',
    );
  });
});

describe('RateLimiter', () => {
  it('never limits a scope with no rule and no throttle', () => {
    const limiter = new RateLimiter();
    expect(drain(limiter, partnerCall, T0, 5000).granted).toBe(5000);
  });

  it('applies the documented 500/min per customer tenant (burst: one second)', () => {
    const limiter = new RateLimiter();
    const call = { partner: 'p', customer: 'c1', method: 'GET', pathTemplate: '/v1/customers/{id}/orders' };
    expect(drain(limiter, call, T0)).toEqual({ granted: 8, wait: 120 });
    // Another customer tenant has its own bucket.
    expect(drain(limiter, { ...call, customer: 'c2' }, T0).granted).toBe(8);
  });

  it('charges every limited level: the customer and the partner', () => {
    const limiter = new RateLimiter({
      defaultRules: false,
      fairness: false,
      rules: [
        { scope: 'partner', perMinute: 600, burst: 5 },
        { scope: 'customer', perMinute: 60, burst: 3 },
      ],
    });
    const c1 = { partner: 'p', customer: 'c1' };
    expect(drain(limiter, c1, T0)).toEqual({ granted: 3, wait: 1000 });
    // c1's calls took partner tokens too: 2 are left for c2.
    expect(drain(limiter, { partner: 'p', customer: 'c2' }, T0)).toEqual({ granted: 2, wait: 100 });
  });

  it('a waiting call takes no token from any level', () => {
    const limiter = new RateLimiter({
      defaultRules: false,
      fairness: false,
      rules: [
        { scope: 'customer', perMinute: 60, burst: 1 },
        { scope: 'partner', perMinute: 60, burst: 2 },
      ],
    });
    expect(limiter.acquire({ partner: 'p', customer: 'a' }, T0)).toBe(0);
    expect(limiter.acquire({ partner: 'p', customer: 'a' }, T0)).toBe(1000);
    expect(limiter.acquire({ partner: 'p', customer: 'b' }, T0)).toBe(0);
  });

  it('fairness: a hot customer gets at most 1/N of the partner rate while N customers are active', () => {
    const limiter = new RateLimiter({
      defaultRules: false,
      rules: [{ scope: 'partner', perMinute: 600, burst: 10 }],
    });
    const granted = new Map<string, number>();
    // Customer "hot" tries every ms; four others try every 50 ms, for 10 s.
    for (let t = 0; t < 10_000; t += 1) {
      const callers = t % 50 === 0 ? ['hot', 'a', 'b', 'c', 'd'] : ['hot'];
      for (const customer of callers) {
        if (limiter.acquire({ partner: 'p', customer }, T0 + t) === 0)
          granted.set(customer, (granted.get(customer) ?? 0) + 1);
      }
    }
    const hot = granted.get('hot') ?? 0;
    const total = [...granted.values()].reduce((sum, n) => sum + n, 0);
    expect(limiter.activeCustomers('p', T0 + 10_000)).toBe(5);
    // 10 req/s for 10 s (+ the burst): the hot customer keeps about a fifth, the others get theirs.
    expect(total).toBeLessThanOrEqual(110);
    expect(hot).toBeLessThanOrEqual(30);
    for (const customer of ['a', 'b', 'c', 'd'])
      expect(granted.get(customer) ?? 0).toBeGreaterThanOrEqual(18);
  });

  it('a lone customer may use the whole partner rate', () => {
    const limiter = new RateLimiter({
      defaultRules: false,
      rules: [{ scope: 'partner', perMinute: 600, burst: 10 }],
    });
    let granted = 0;
    for (let t = 0; t < 10_000; t += 10)
      if (limiter.acquire({ partner: 'p', customer: 'only' }, T0 + t) === 0) granted += 1;
    expect(granted).toBeGreaterThanOrEqual(100);
  });

  it('adapts the throttled level: limited after a 429, with Retry-After as a not-before time', () => {
    const limiter = new RateLimiter();
    let now = T0;
    for (let i = 0; i < 100; i += 1, now += 50) {
      expect(limiter.acquire(partnerCall, now)).toBe(0);
      limiter.onResponse(partnerCall, now, { throttled: false });
    }
    limiter.onResponse(partnerCall, now, { throttled: true, retryAfterMs: 2000 });
    const state = limiter.adaptiveState(partnerCall, 'partner');
    expect(state?.enabled).toBe(true);
    expect(state?.rate).toBeCloseTo((state?.rateAtThrottle ?? 0) * 0.7);
    expect(limiter.acquire(partnerCall, now)).toBe(2000);
    expect(limiter.acquire(partnerCall, now + 2000)).toBe(0);
    // Only the throttled scope: a customer call of another partner is untouched.
    expect(limiter.acquire({ partner: 'q' }, now)).toBe(0);
  });

  it("charges a customer call with the partner's learnt rate too", () => {
    const limiter = new RateLimiter({ defaultRules: false });
    limiter.onResponse({ partner: 'p' }, T0, { throttled: true });
    // Measured rate ~0 at the first throttle: the floor, 0.5 req/s, one token after 2 s.
    expect(limiter.acquire({ partner: 'p', customer: 'c' }, T0)).toBe(2000);
    expect(limiter.acquire({ partner: 'p', customer: 'c' }, T0 + 2000)).toBe(0);
  });
});
