import { describe, expect, it } from 'vitest';
import { LocalRateLimitBackend } from '../../../../src/policies/rateLimiter/localBackend.js';
import type { LimitTarget } from '../../../../src/policies/rateLimiter/rateLimiter.js';
import { ruleBucket } from '../../../../src/policies/rateLimiter/rules.js';
import type { LimitPlan } from '../../../../src/stores/rateLimitProtocol.js';
import { type LocalLimiter, localLimiter } from './localLimiter.js';

const T0 = 1_000_000;
const partnerCall: LimitTarget = { partner: 'p', method: 'GET', pathTemplate: '/v1/invoices' };

/** Tokens granted at `now` for `target` until the first wait; answers the count and that wait. */
function drain(limiter: LocalLimiter, target: LimitTarget, now: number, max = 10_000) {
  let granted = 0;
  for (;;) {
    const wait = limiter.acquire(target, now);
    if (wait > 0 || granted >= max) return { granted, wait };
    granted += 1;
  }
}

describe('LocalRateLimitBackend', () => {
  it('never limits a scope with no rule and no throttle', () => {
    const limiter = localLimiter();
    expect(drain(limiter, partnerCall, T0, 5000).granted).toBe(5000);
  });

  it('applies the documented 500/min per customer tenant (burst: one second; no minute over 500)', () => {
    const limiter = localLimiter();
    const call = { partner: 'p', customer: 'c1', method: 'GET', pathTemplate: '/v1/customers/{id}/orders' };
    // 8 at once, then 492 a minute: 8 + 492 = 500 in any 60 s.
    expect(drain(limiter, call, T0)).toEqual({ granted: 8, wait: 122 });
    let granted = 8;
    for (let t = 1; t < 60_000; t += 1) if (limiter.acquire(call, T0 + t) === 0) granted += 1;
    expect(granted).toBeLessThanOrEqual(500);
    expect(granted).toBeGreaterThanOrEqual(499);
    // Another customer tenant has its own bucket.
    expect(drain(limiter, { ...call, customer: 'c2' }, T0).granted).toBe(8);
  });

  it('keeps the promise of a rule with any burst below perMinute: no 60 s window holds more calls', () => {
    const cases = [
      { perMinute: 30, burst: 29 },
      { perMinute: 30, burst: 20 },
      { perMinute: 30, burst: 16 },
      { perMinute: 30 },
      { perMinute: 90, burst: 60 },
      { perMinute: 1 },
      { perMinute: 1, burst: 1 },
      { perMinute: 500 },
    ];
    for (const rule of cases) {
      const limiter = localLimiter({ defaultRules: false, rules: [{ scope: 'partner', ...rule }] });
      // A caller that tries every 10 ms for 4 minutes; each 60 s window of grants is counted.
      const grants: number[] = [];
      for (let t = 0; t < 240_000; t += 10) if (limiter.acquire(partnerCall, T0 + t) === 0) grants.push(t);
      let most = 0;
      for (let first = 0, last = 0; last < grants.length; last += 1) {
        while ((grants[last] as number) - (grants[first] as number) >= 60_000) first += 1;
        most = Math.max(most, last - first + 1);
      }
      expect(most, JSON.stringify(rule)).toBeLessThanOrEqual(Math.max(1, rule.perMinute));
      // And it does not fall short of it: the burst, then perMinute - burst a minute.
      const { ratePerSecond, capacity } = ruleBucket({ scope: 'partner', ...rule });
      expect(grants.length, JSON.stringify(rule)).toBeGreaterThanOrEqual(
        capacity + Math.floor(ratePerSecond * 235),
      );
    }
  });

  it('charges every limited level: the customer and the partner', () => {
    const limiter = localLimiter({
      defaultRules: false,
      fairness: false,
      rules: [
        { scope: 'partner', perMinute: 600, burst: 5 },
        { scope: 'customer', perMinute: 60, burst: 3 },
      ],
    });
    const c1 = { partner: 'p', customer: 'c1' };
    // The customer's bucket fills at 57 a minute (60 less its burst of 3): one token in 1053 ms.
    expect(drain(limiter, c1, T0)).toEqual({ granted: 3, wait: 1053 });
    // c1's calls took partner tokens too: 2 are left for c2, then one per 105 ms (595 a minute).
    expect(drain(limiter, { partner: 'p', customer: 'c2' }, T0)).toEqual({ granted: 2, wait: 101 });
  });

  it('a waiting call takes no token from any level', () => {
    const limiter = localLimiter({
      defaultRules: false,
      fairness: false,
      rules: [
        { scope: 'customer', perMinute: 60, burst: 1 },
        { scope: 'partner', perMinute: 60, burst: 2 },
      ],
    });
    expect(limiter.acquire({ partner: 'p', customer: 'a' }, T0)).toBe(0);
    expect(limiter.acquire({ partner: 'p', customer: 'a' }, T0)).toBe(1017);
    expect(limiter.acquire({ partner: 'p', customer: 'b' }, T0)).toBe(0);
  });

  /**
   * Callers that each try again when their wait ends (or after `every` ms once granted), every ms of 10 s of
   * an injected clock: the grants per customer.
   */
  function contend(limiter: LocalLimiter, every: Record<string, number>, seconds = 10) {
    const granted = new Map<string, number>();
    const next = new Map(Object.keys(every).map((customer) => [customer, 0]));
    for (let t = 0; t < seconds * 1000; t += 1) {
      for (const [customer, at] of next) {
        if (at > t) continue;
        const wait = limiter.acquire({ partner: 'p', customer }, T0 + t);
        if (wait > 0) {
          next.set(customer, t + wait);
          continue;
        }
        granted.set(customer, (granted.get(customer) ?? 0) + 1);
        limiter.record({ partner: 'p', customer }, T0 + t, false);
        next.set(customer, t + (every[customer] ?? 1));
      }
    }
    return granted;
  }

  it('fairness: a hot customer gets at most 1/N of the partner rate while N customers wait for it', () => {
    const limiter = localLimiter({
      defaultRules: false,
      rules: [{ scope: 'partner', perMinute: 600, burst: 10 }],
    });
    // "hot" calls again 1 ms after each grant; four others every 50 ms: all want more than their fifth.
    const granted = contend(limiter, { hot: 1, a: 50, b: 50, c: 50, d: 50 });
    const hot = granted.get('hot') ?? 0;
    const total = [...granted.values()].reduce((sum, n) => sum + n, 0);
    // 10 req/s for 10 s (+ the burst): the hot customer keeps about a fifth, the others get theirs.
    expect(total).toBeLessThanOrEqual(110);
    expect(hot).toBeLessThanOrEqual(30);
    for (const customer of ['a', 'b', 'c', 'd'])
      expect(granted.get(customer) ?? 0).toBeGreaterThanOrEqual(18);
  });

  it('work-conserving: a hot customer may take what a quiet customer leaves unused', () => {
    const limiter = localLimiter({
      defaultRules: false,
      rules: [{ scope: 'partner', perMinute: 600, burst: 10 }],
    });
    // "hot" calls again 1 ms after each grant; "quiet" once a second (far below its fair half).
    const granted = contend(limiter, { hot: 1, quiet: 1000 });
    // About 99 calls in 10 s at 590/min plus the burst: "hot" gets nearly all of them, not half.
    expect(granted.get('hot') ?? 0).toBeGreaterThanOrEqual(85);
    expect(granted.get('quiet') ?? 0).toBeGreaterThanOrEqual(9);
  });

  it('work-conserving: customers that have finished hold no share; those waiting share the rate', () => {
    const limiter = localLimiter({
      defaultRules: false,
      rules: [{ scope: 'partner', perMinute: 600, burst: 10 }],
    });
    // 200 customers call once each in the first second, then only "late" calls (again 1 ms after each grant).
    let now = T0;
    for (let i = 0; i < 200; i += 1) {
      const wait = limiter.acquire({ partner: 'p', customer: `early${i}` }, now);
      if (wait > 0) now += wait;
      else limiter.record({ partner: 'p', customer: `early${i}` }, now, false);
    }
    expect(limiter.waitingCustomers('p', now + 1000)).toBe(0);
    let late = 0;
    const start = now + 1000;
    for (let t = start; t < start + 5000; ) {
      const wait = limiter.acquire({ partner: 'p', customer: 'late' }, t);
      if (wait > 0) t += wait;
      else {
        late += 1;
        t += 1;
      }
    }
    // The whole rate (590/min, about 49 in 5 s and the burst), not 1/200 of it.
    expect(late).toBeGreaterThanOrEqual(49);
    // "late", told to wait, counts as waiting until its wait ends; then no more.
    const t = start + 5000;
    let wait = 0;
    while (wait === 0) wait = limiter.acquire({ partner: 'p', customer: 'late' }, t);
    expect(limiter.waitingCustomers('p', t + wait)).toBe(1);
    expect(limiter.waitingCustomers('p', t + wait + 1)).toBe(0);
  });

  it("customers beyond maxScopes never evict the partner's bucket or learnt rate, nor a customer in use", () => {
    const limiter = localLimiter({ rules: [{ scope: 'partner', perMinute: 6000, burst: 5 }] });
    const hot = { partner: 'p', customer: 'hot', pathTemplate: '/v1/customers/{id}/subscriptions' };
    const sweep = (i: number) => ({ ...hot, customer: `c${i}` });
    let now = T0;
    for (let i = 0; i < 40; i += 1, now += 25)
      for (const t of [sweep(0), sweep(1), sweep(2)]) limiter.record(t, now, false);
    // Three tenants throttled within 1 s: the partner learns a rate; "hot" learns one of its own.
    for (const t of [sweep(0), sweep(1), sweep(2)]) limiter.record(t, now, true);
    limiter.record(hot, now, true);
    const partner = limiter.state(hot, 'partner');
    const own = limiter.state(hot, 'customer');
    expect(partner?.enabled).toBe(true);
    expect(own?.enabled).toBe(true);
    // A sweep over 12,000 customers (the default maxScopes is 10,000), "hot" called now and then.
    now += 2000;
    for (let i = 3; i < 12_000; i += 1) {
      const target = i % 500 === 0 ? hot : sweep(i);
      for (let wait = limiter.acquire(target, now); wait > 0; wait = limiter.acquire(target, now))
        now += wait;
      limiter.record(target, now, false);
    }
    expect(limiter.state(hot, 'partner')).toBe(partner);
    expect(limiter.state(hot, 'customer')).toBe(own);
    // The partner's rule bucket is still drained: no fresh burst of 5 for the next customer.
    const next = sweep(20_000);
    let granted = 0;
    while (limiter.acquire(next, now) === 0) granted += 1;
    expect(granted).toBeLessThanOrEqual(1);
  });

  it('a lone customer may use the whole partner rate', () => {
    const limiter = localLimiter({
      defaultRules: false,
      rules: [{ scope: 'partner', perMinute: 600, burst: 10 }],
    });
    let granted = 0;
    for (let t = 0; t < 10_000; t += 10)
      if (limiter.acquire({ partner: 'p', customer: 'only' }, T0 + t) === 0) granted += 1;
    expect(granted).toBeGreaterThanOrEqual(100);
  });

  it('adapts after a 429: the learnt rate is 0.7x the measured rate, and no burst follows the throttle', () => {
    const limiter = localLimiter();
    let now = T0;
    // 20 calls/s for 5 s.
    for (let i = 0; i < 100; i += 1, now += 50) {
      expect(limiter.acquire(partnerCall, now)).toBe(0);
      limiter.record(partnerCall, now, false);
    }
    limiter.record(partnerCall, now, true);
    const state = limiter.state(partnerCall, 'partner');
    expect(state?.enabled).toBe(true);
    expect(state?.rateAtThrottle).toBeGreaterThan(15);
    expect(state?.rate).toBeCloseTo((state?.rateAtThrottle ?? 0) * 0.8);
    // One token (the throttled call's own retry), then no burst: the next token comes at the new rate.
    expect(limiter.acquire(partnerCall, now)).toBe(0);
    const wait = limiter.acquire(partnerCall, now);
    expect(wait).toBe(Math.ceil(1000 / (state?.rate ?? 1)));
    expect(limiter.acquire(partnerCall, now + wait)).toBe(0);
    // Only the throttled scope: a call of another partner is untouched.
    expect(limiter.acquire({ partner: 'q' }, now)).toBe(0);
  });

  it('grows the learnt rate back along the cubic while calls succeed', () => {
    const limiter = localLimiter();
    let now = T0;
    for (let i = 0; i < 100; i += 1, now += 50) limiter.record(partnerCall, now, false);
    limiter.record(partnerCall, now, true);
    const dropped = limiter.state(partnerCall, 'partner')?.rate ?? 0;
    // Keep sending as fast as the limiter lets: the rate climbs to its plateau (0.97x the rate at the
    // throttle) in about 10 s, then probes beyond the rate at the throttle.
    for (const end = now + 11_000; now < end; now += 5) {
      if (limiter.acquire(partnerCall, now) === 0) limiter.record(partnerCall, now, false);
    }
    const state = limiter.state(partnerCall, 'partner');
    expect(state?.rate).toBeGreaterThan(dropped);
    expect(state?.rate).toBeGreaterThanOrEqual((state?.plateauRate ?? Number.POSITIVE_INFINITY) * 0.999);
    expect(state?.rate).toBeLessThan(state?.rateAtThrottle ?? 0);
    for (const end = now + 10_000; now < end; now += 5) {
      if (limiter.acquire(partnerCall, now) === 0) limiter.record(partnerCall, now, false);
    }
    expect(state?.rate).toBeGreaterThan(state?.rateAtThrottle ?? Number.POSITIVE_INFINITY);
  });

  it("paces a customer call with the partner's learnt rate too", () => {
    const limiter = localLimiter({ defaultRules: false });
    limiter.record({ partner: 'p' }, T0, true);
    // A first answer that is a 429 let nothing through: the learnt rate starts at its floor, 0.5 req/s.
    expect(limiter.state({ partner: 'p' }, 'partner')?.rate).toBeCloseTo(0.5);
    expect(limiter.acquire({ partner: 'p', customer: 'c' }, T0)).toBe(0);
    expect(limiter.acquire({ partner: 'p', customer: 'c' }, T0)).toBe(2000);
    expect(limiter.acquire({ partner: 'p', customer: 'c' }, T0 + 2000)).toBe(0);
  });

  it("holds a throttled level's calls until the 429's Retry-After, which is also its quiet time", () => {
    const limiter = localLimiter({ defaultRules: false });
    let now = T0;
    for (let i = 0; i < 100; i += 1, now += 50) limiter.record(partnerCall, now, false);
    limiter.record(partnerCall, now, true, 20, 1000);
    const state = limiter.state(partnerCall, 'partner');
    const rate = state?.rate ?? 0;
    expect(rate).toBeGreaterThan(10);
    // Not before the Retry-After, though the bucket holds a token.
    expect(limiter.acquire(partnerCall, now)).toBe(1000);
    expect(limiter.acquire(partnerCall, now + 999)).toBe(1);
    expect(limiter.acquire(partnerCall, now + 1000)).toBe(0);
    // A 429 of a request sent within the quiet time says nothing new: measured only.
    limiter.record(partnerCall, now + 1010, true, 30, 1000);
    expect(state?.rate).toBeCloseTo(rate, 1);
    expect(state?.throttledAt).toBe(now);
    // One sent after it lowers the rate again.
    limiter.record(partnerCall, now + 1100, true, 60, 1000);
    expect(state?.throttledAt).toBe(now + 1100);
    expect(state?.rate).toBeLessThan(rate);
  });
});

describe('LocalRateLimitBackend lanes', () => {
  const settings = {
    fairness: true,
    adaptive: false,
    blameBoundPartner: true,
    maxPartnerQuietMs: 120_000,
  } as const;
  const customerRule = {
    key: 'r:c:p/c1#orders',
    ratePerSecond: 8,
    capacity: 8,
    partner: false,
    level: 'customer',
    levelKey: 'c:p/c1',
    name: 'orders',
  } as const;
  const plan: LimitPlan = {
    partner: 'p',
    customer: 'c1',
    levels: [
      { level: 'partner', key: 'p:p' },
      { level: 'customer', key: 'c:p/c1' },
      { level: 'operation', key: 'o:p/c1 GET /v1/x' },
    ],
    rules: [customerRule],
  };

  it("holds the plan's level states and its one rule's bucket, complete once the partner and customer have states", () => {
    const backend = new LocalRateLimitBackend();
    const first = backend.lane(plan, T0);
    expect(first.rule).toBe(customerRule);
    expect(first.bucket?.capacity).toBe(8);
    // The rule's bucket lives with the customer's state; the partner has none before its first answer.
    expect([first.states.length, first.complete]).toEqual([1, false]);
    backend.record({ plan, settings, now: T0, charged: 0, sentMsAgo: 0, quietMs: 0 });
    const second = backend.lane(plan, T0);
    expect([second.states.length, second.complete, second.bucket]).toEqual([2, true, first.bucket]);
  });

  it("has no bucket for a partner's rule, nor for several rules", () => {
    const backend = new LocalRateLimitBackend();
    const partnerRule = {
      ...customerRule,
      key: 'r:p:p#all',
      partner: true,
      level: 'partner',
      levelKey: 'p:p',
    } as const;
    expect(backend.lane({ ...plan, rules: [partnerRule] }, T0).bucket).toBeUndefined();
    expect(backend.lane({ ...plan, rules: [customerRule, customerRule] }, T0).bucket).toBeUndefined();
  });

  it('changes its version when a map turns a generation over, or an operation level gets its first state', () => {
    const backend = new LocalRateLimitBackend(100);
    const version = backend.version;
    backend.record({ plan, settings, now: T0, charged: 0, sentMsAgo: 0, quietMs: 0 });
    expect(backend.version).toBe(version);
    backend.record({ plan, settings, now: T0, charged: 0b100, sentMsAgo: 0, quietMs: 0 });
    expect(backend.version).toBe(version + 1);
    // Four scopes at most: the second customer's state turns the customers' map over (two per generation).
    const small = new LocalRateLimitBackend(4);
    const customer = (id: string): LimitPlan => ({
      ...plan,
      customer: id,
      levels: [{ level: 'customer', key: `c:p/${id}` }],
      rules: [],
    });
    small.record({ plan: customer('c1'), settings, now: T0, charged: 0, sentMsAgo: 0, quietMs: 0 });
    expect(small.version).toBe(0);
    small.record({ plan: customer('c2'), settings, now: T0, charged: 0, sentMsAgo: 0, quietMs: 0 });
    expect(small.version).toBe(1);
  });
});
