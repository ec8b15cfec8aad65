import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalRateLimitBackend } from '../../../src/policies/rateLimiter/localBackend.js';
import { type LimitPlan, levelBit } from '../../../src/policies/rateLimiter/plan.js';
import { RateLimiter, type RateLimiterOptions } from '../../../src/policies/rateLimiter/rateLimiter.js';
import {
  createRedisScopeStore,
  type RedisScopeStore,
  type RedisScopeStoreErrorContext,
  type RedisScopeStoreOptions,
} from '../../../src/stores/redis.js';
import { connectClient, freePort, RedisFixture } from './helpers/redisServer.js';

/** A throttle charged to the partner level (level 0 of every plan). */
const PARTNER = levelBit(0);

const fixture = new RedisFixture('the Redis rate-limit backend tests');
const clients: Redis[] = [];
const prefix = `pcr-rl-test-${randomUUID().slice(0, 8)}:`;

async function client(): Promise<Redis> {
  const redis = fixture.get();
  if (!redis) throw new Error('no redis');
  const c = await connectClient(redis, { commandTimeout: 10_000 });
  clients.push(c);
  return c;
}

/** A store on its own client (a "process"): generous timeouts, and any fallback fails the test. */
async function store(
  errors: unknown[],
  options: Partial<RedisScopeStoreOptions> = {},
): Promise<RedisScopeStore> {
  return createRedisScopeStore({
    client: await client(),
    keyPrefix: prefix,
    commandTimeoutMs: 10_000,
    onError: (error) => errors.push(error),
    ...options,
  });
}

/** A limiter planning calls (only its plans and settings are used). */
function limiter(options: RateLimiterOptions): RateLimiter {
  return new RateLimiter({ defaultRules: false, ...options });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const partnerId = () => `partner-${randomUUID().slice(0, 8)}`;

await fixture.start();

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await fixture.stop();
});

describe('RedisScopeStore.rateLimit against redis-server', () => {
  it.skipIf(fixture.skip)('two processes drain one static bucket together', async () => {
    const errors: unknown[] = [];
    const [a, b] = [await store(errors), await store(errors)];
    const l = limiter({ rules: [{ scope: 'partner', perMinute: 600, burst: 5 }], adaptive: false });
    const plan = l.plan({ partner: partnerId() });
    const answers: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      answers.push(await (i % 2 === 0 ? a : b).rateLimit.acquire(plan, l.settings, Date.now()));
    }
    expect(answers.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    // 595/min: the next token comes ~101 ms after the fifth was taken.
    for (const wait of answers.slice(5)) {
      expect(wait).toBeGreaterThan(50);
      expect(wait).toBeLessThanOrEqual(101);
    }
    expect(errors).toEqual([]);
  });

  it.skipIf(fixture.skip)(
    'a throttle recorded by one process limits the other; the measured rate is both processes’',
    async () => {
      const errors: unknown[] = [];
      const [a, b] = [await store(errors), await store(errors)];
      const l = limiter({});
      const plan = l.plan({ partner: partnerId() });
      const levelKey = a.rateLimitKey(plan.partner, plan.levels[0]?.key ?? '');
      const reader = await client();
      expect(await b.rateLimit.acquire(plan, l.settings, Date.now())).toBe(0);

      // Each process records ~20 responses/s for 1.6 s: the partner's measured rate is ~40/s.
      const loop = async (s: RedisScopeStore) => {
        const until = Date.now() + 1_600;
        while (Date.now() < until) {
          await s.rateLimit.record(plan, l.settings, Date.now(), 0, 0);
          await sleep(50);
        }
      };
      await Promise.all([loop(a), loop(b)]);
      const measured = Number(await reader.hget(levelKey, 'ms'));
      expect(measured).toBeGreaterThan(28);
      expect(measured).toBeLessThan(50);
      // Not throttled yet: nothing limits the partner.
      expect(await b.rateLimit.acquire(plan, l.settings, Date.now())).toBe(0);

      await a.rateLimit.record(plan, l.settings, Date.now(), PARTNER, 0);
      const learnt = Number(await reader.hget(levelKey, 'cur'));
      const atThrottle = Number(await reader.hget(levelKey, 'wm'));
      // `wm` is where the climb flattens: plateau (0.97) x the rate at the throttle; the rate drops to 0.8 x it.
      expect(atThrottle).toBeGreaterThan(28 * 0.97);
      expect(learnt).toBeCloseTo((atThrottle / 0.97) * 0.8, 9);
      // The learnt bucket starts with one token (the throttled call's retry), which B takes; then B waits
      // about one token's time at the learnt rate.
      expect(await b.rateLimit.acquire(plan, l.settings, Date.now())).toBe(0);
      const wait = await b.rateLimit.acquire(plan, l.settings, Date.now());
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(Math.ceil(1000 / learnt));
      expect(errors).toEqual([]);
    },
  );

  it.skipIf(fixture.skip)(
    'four loops in two processes together stay within one bucket’s rate over 1.5 s',
    async () => {
      const errors: unknown[] = [];
      const [a, b] = [await store(errors), await store(errors)];
      const l = limiter({ rules: [{ scope: 'partner', perMinute: 1200, burst: 2 }], adaptive: false });
      const plan = l.plan({ partner: partnerId() });
      const rate = (1200 - 2) / 60;
      let grants = 0;
      const started = Date.now();
      const until = started + 1_500;
      const loop = async (s: RedisScopeStore) => {
        while (Date.now() < until) {
          const wait = await s.rateLimit.acquire(plan, l.settings, Date.now());
          if (wait === 0) grants += 1;
          else await sleep(Math.min(wait, Math.max(1, until - Date.now())));
        }
      };
      await Promise.all([loop(a), loop(a), loop(b), loop(b)]);
      const elapsed = (Date.now() - started) / 1000;
      const allowed = 2 + rate * elapsed + 1;
      expect(grants).toBeLessThanOrEqual(allowed);
      expect(grants).toBeGreaterThanOrEqual(0.8 * allowed);
      expect(errors).toEqual([]);
    },
  );

  it.skipIf(fixture.skip)('caps an active customer at its fair share of a limited partner', async () => {
    const errors: unknown[] = [];
    const [a, b] = [await store(errors), await store(errors)];
    const rules = [{ scope: 'partner' as const, perMinute: 600, burst: 10 }];
    const fair = limiter({ rules, adaptive: false });
    const partner = partnerId();
    const one = fair.plan({ partner, customer: 'c1' });
    const two = fair.plan({ partner, customer: 'c2' });
    // c2 calls once (through B) and is never held back: a quiet customer leaves its share to c1, which may
    // take the rest of the burst (work-conserving).
    expect(await b.rateLimit.acquire(two, fair.settings, Date.now())).toBe(0);
    let grants = 0;
    for (let i = 0; i < 12; i += 1) {
      if ((await a.rateLimit.acquire(one, fair.settings, Date.now())) === 0) grants += 1;
    }
    expect(grants).toBe(9);
    expect(Number(await (await client()).zcard(a.rateLimitKey(partner, 'a')))).toBe(2);

    // Both want more than they get for 1 s: c2 is held back, so it keeps at least about its half, and c1
    // gets no more than about the other half (590/min in all).
    const counts = { one: 0, two: 0 };
    const started = Date.now();
    const loop = async (s: RedisScopeStore, plan: LimitPlan, name: 'one' | 'two') => {
      while (Date.now() - started < 1_000) {
        const wait = await s.rateLimit.acquire(plan, fair.settings, Date.now());
        if (wait === 0) counts[name] += 1;
        else await sleep(Math.min(wait, 20));
      }
    };
    await Promise.all([loop(a, one, 'one'), loop(b, two, 'two')]);
    const half = (590 / 60 / 2) * ((Date.now() - started) / 1000);
    expect(counts.one).toBeLessThanOrEqual(half + 2);
    expect(counts.two).toBeGreaterThanOrEqual(half * 0.6);

    // Without fairness, a customer may take the whole partner bucket.
    const unfair = limiter({ rules, adaptive: false, fairness: false });
    const plan = unfair.plan({ partner: partnerId(), customer: 'c1' });
    let all = 0;
    for (let i = 0; i < 12; i += 1) {
      if ((await a.rateLimit.acquire(plan, unfair.settings, Date.now())) === 0) all += 1;
    }
    expect(all).toBe(10);
    expect(errors).toEqual([]);
  });

  it.skipIf(fixture.skip)('writes every key with a TTL', async () => {
    const errors: unknown[] = [];
    const s = await store(errors, { keyTtlMs: 60_000 });
    const l = limiter({ rules: [{ scope: 'partner', perMinute: 60, burst: 1 }] });
    const plan = l.plan({ partner: partnerId(), customer: 'c1' });
    expect(await s.rateLimit.acquire(plan, l.settings, Date.now())).toBe(0);
    await s.rateLimit.record(plan, l.settings, Date.now(), PARTNER, 0);
    expect(await s.rateLimit.acquire(plan, l.settings, Date.now())).toBeGreaterThan(0);
    const keys = [
      ...plan.rules.map((rule) => rule.key),
      ...plan.levels.map((level) => level.key),
      'a',
      's:c1',
    ].map((key) => s.rateLimitKey(plan.partner, key));
    expect(keys).toHaveLength(5);
    const reader = await client();
    for (const key of keys) {
      expect(await reader.exists(key), key).toBe(1);
      const ttl = await reader.pttl(key);
      expect(ttl, key).toBeGreaterThan(50_000);
      expect(ttl, key).toBeLessThanOrEqual(60_000);
    }
    // Every key carries the partner's hash tag (one Cluster slot per script).
    for (const key of keys) expect(key.startsWith(`${prefix}{rl:${plan.partner}}:`)).toBe(true);
    expect(errors).toEqual([]);
  });

  it.skipIf(fixture.skip)('answers as LocalRateLimitBackend does for the same calls', async () => {
    const errors: unknown[] = [];
    const s = await store(errors);
    const local = new LocalRateLimitBackend();
    const l = limiter({ rules: [{ scope: 'partner', perMinute: 240, burst: 3 }] });
    const partner = partnerId();
    const one = l.plan({ partner, customer: 'c1' });
    const two = l.plan({ partner, customer: 'c2' });
    /** Acquires on both backends, one right after the other; both must grant, or both wait about as long. */
    const acquire = async (plan: LimitPlan) => {
      const x = local.acquire(plan, l.settings, Date.now());
      const y = await s.rateLimit.acquire(plan, l.settings, Date.now());
      expect(y === 0, `local ${x}, redis ${y}`).toBe(x === 0);
      expect(Math.abs(x - y), `local ${x}, redis ${y}`).toBeLessThanOrEqual(5);
      return x;
    };
    const record = async (plan: LimitPlan, charged: number, quietMs = 0) => {
      local.record(plan, l.settings, Date.now(), charged, 0, quietMs);
      await s.rateLimit.record(plan, l.settings, Date.now(), charged, 0, quietMs);
    };

    const waits: number[] = [];
    waits.push(await acquire(two));
    for (let i = 0; i < 4; i += 1) waits.push(await acquire(one));
    for (let phase = 0; phase < 3; phase += 1) {
      for (let i = 0; i < 4; i += 1) await record(phase % 2 === 0 ? one : two, 0);
      await sleep(510);
    }
    await record(one, PARTNER);
    const learnt = local.adaptiveState(one.levels[0]?.key ?? '')?.rate ?? 0;
    expect(learnt).toBeGreaterThan(0.5);
    const reader = await client();
    const remote = Number(await reader.hget(s.rateLimitKey(partner, one.levels[0]?.key ?? ''), 'cur'));
    // The two clocks (this process's and Redis's) differ by a millisecond or so in each bucket's width: within 1%.
    expect(Math.abs(remote - learnt) / learnt).toBeLessThan(0.01);
    for (let i = 0; i < 3; i += 1) waits.push(await acquire(one));
    await sleep(Math.ceil(1000 / learnt) + 5);
    waits.push(await acquire(one), await acquire(one));
    await record(two, 0);
    waits.push(await acquire(two));
    // A second throttle, once the learnt bucket has refilled: it is emptied again (both backends wait).
    await sleep(Math.ceil(2000 / learnt) + 5);
    await record(one, PARTNER);
    waits.push(await acquire(one));
    expect(waits[11]).toBeGreaterThan(0);
    const relearnt = local.adaptiveState(one.levels[0]?.key ?? '')?.rate ?? 0;
    const remoteAgain = Number(await reader.hget(s.rateLimitKey(partner, one.levels[0]?.key ?? ''), 'cur'));
    expect(Math.abs(remoteAgain - relearnt) / relearnt).toBeLessThan(0.01);
    // A throttle with a Retry-After: both backends hold the level's bucket alike (the acquire compares them).
    await sleep(Math.ceil(2000 / relearnt) + 5);
    await record(one, PARTNER, 400);
    expect(await acquire(one)).toBeGreaterThan(300);
    // The sequence compared both grants and waits (the rule's burst of 3, then the learnt bucket).
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(0);
    expect(waits.slice(5)).toContain(0);
    expect(errors).toEqual([]);
  });
  it.skipIf(fixture.skip)(
    "estimates the first throttle's quota as LocalRateLimitBackend does, late successes included",
    async () => {
      const errors: unknown[] = [];
      const s = await store(errors);
      const local = new LocalRateLimitBackend();
      const l = limiter({});
      const plan = l.plan({ partner: partnerId() });
      const levelKey = plan.levels[0]?.key ?? '';
      const reader = await client();
      const remoteKey = s.rateLimitKey(plan.partner, levelKey);
      const record = async (charged: number, sentMsAgo = 0, quietMs = 0) => {
        local.record(plan, l.settings, Date.now(), charged, sentMsAgo, quietMs);
        await s.rateLimit.record(plan, l.settings, Date.now(), charged, sentMsAgo, quietMs);
      };
      // 10 successes, 1.2 s of silence (the bucket that spans it measures about 9/s), then an unpaced burst: 12
      // successes, then a 429 whose Retry-After is 950 ms. The burst is a run of its own.
      for (let i = 0; i < 10; i += 1) await record(0);
      await sleep(1_200);
      for (let i = 0; i < 12; i += 1) await record(0);
      const throttledAt = Date.now();
      await record(PARTNER, 0, 950);
      const plateau = () => local.adaptiveState(levelKey)?.plateauRate ?? 0;
      // 12 over a little more than 950 ms (the burst's few ms and the Retry-After), at the plateau (0.97).
      const first = plateau();
      expect(first).toBeGreaterThan(11.3);
      expect(first).toBeLessThan(12.3);
      // 8 more successes of the burst (sent before the 429) answered after it: 20 through the quota.
      for (let i = 0; i < 8; i += 1) await record(0, Date.now() - throttledAt + 2);
      expect(plateau()).toBeCloseTo((first * 20) / 12, 6);
      const remote = Number(await reader.hget(remoteKey, 'wm'));
      expect(Math.abs(remote - plateau()) / plateau()).toBeLessThan(0.02);
      const rate = local.adaptiveState(levelKey)?.rate ?? 0;
      expect(Math.abs(Number(await reader.hget(remoteKey, 'cur')) - rate) / rate).toBeLessThan(0.02);
      expect(await reader.hget(remoteKey, 'es')).not.toBeNull();
      // A success sent after the 429 closes the estimate: a later success of the burst changes nothing.
      await record(0);
      expect(await reader.hget(remoteKey, 'es')).toBeNull();
      const closed = Number(await reader.hget(remoteKey, 'wm'));
      await record(0, Date.now() - throttledAt + 2);
      expect(Number(await reader.hget(remoteKey, 'wm'))).toBe(closed);
      expect(Math.abs(plateau() - closed) / closed).toBeLessThan(0.02);
      expect(errors).toEqual([]);
    },
  );
  it.skipIf(fixture.skip)(
    "blames the partner, not the tenant, for a 429 while the partner's learnt rate holds calls back",
    async () => {
      const errors: unknown[] = [];
      const s = await store(errors);
      const l = limiter({});
      const partner = partnerId();
      const plans = ['a', 'b', 'c', 'd'].map((customer) => l.plan({ partner, customer }));
      const [a, b, c, d] = plans as [LimitPlan, LimitPlan, LimitPlan, LimitPlan];
      const own = levelBit(1);
      for (let i = 0; i < 10; i += 1)
        for (const plan of [a, b, c]) await s.rateLimit.record(plan, l.settings, 0, 0, 0);
      // Three tenants throttled within 1 s: the partner is charged too.
      for (const plan of [a, b, c]) await s.rateLimit.record(plan, l.settings, 0, own | PARTNER, 0);
      const reader = await client();
      const partnerKey = s.rateLimitKey(partner, a.levels[0]?.key ?? '');
      const throttledAt = Number(await reader.hget(partnerKey, 'lt'));
      expect(await reader.hget(partnerKey, 'on')).toBe('1');
      // d is held back by the partner's learnt bucket...
      let wait = 0;
      for (let i = 0; i < 50 && wait === 0; i += 1) wait = await s.rateLimit.acquire(d, l.settings, 0);
      expect(wait).toBeGreaterThan(0);
      expect(await reader.hget(partnerKey, 'hb')).not.toBeNull();
      await sleep(5);
      // ... so its 429 (sent just now) is the partner's: d learns no rate of its own.
      await s.rateLimit.record(d, l.settings, 0, own, 0);
      expect(await reader.hget(s.rateLimitKey(partner, d.levels[1]?.key ?? ''), 'on')).not.toBe('1');
      expect(Number(await reader.hget(partnerKey, 'lt'))).toBeGreaterThan(throttledAt);
      expect(errors).toEqual([]);
    },
  );
});

describe('RedisScopeStore.rateLimit when Redis is unreachable', () => {
  it('answers from the fallback and reports the failures, never throwing', async () => {
    const port = await freePort();
    const c = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    c.on('error', () => undefined);
    try {
      const errors: RedisScopeStoreErrorContext[] = [];
      const failures: string[] = [];
      const s = createRedisScopeStore({
        client: c,
        commandTimeoutMs: 200,
        retryAfterFailureMs: 0,
        onError: (_error, ctx) => errors.push(ctx),
      });
      s.onFailure?.((failure) => failures.push(failure.operation));
      const l = limiter({ rules: [{ scope: 'partner', perMinute: 120, burst: 2 }] });
      const plan = l.plan({ partner: 'down' });
      const answers = [];
      for (let i = 0; i < 3; i += 1) answers.push(await s.rateLimit.acquire(plan, l.settings, Date.now()));
      expect(answers.slice(0, 2)).toEqual([0, 0]);
      expect(answers[2]).toBeGreaterThan(0);

      // A throttle is learnt locally: the partner's next call without a rule waits.
      const free = l.plan({ partner: 'down-free' });
      expect(await s.rateLimit.acquire(free, l.settings, Date.now())).toBe(0);
      await expect(s.rateLimit.record(free, l.settings, Date.now(), PARTNER, 0)).resolves.toBeUndefined();
      // One token for the throttled call's retry, then a wait.
      expect(await s.rateLimit.acquire(free, l.settings, Date.now())).toBe(0);
      expect(await s.rateLimit.acquire(free, l.settings, Date.now())).toBeGreaterThan(0);

      expect(errors.map((ctx) => ctx.operation)).toEqual([
        'rateLimit.acquire',
        'rateLimit.acquire',
        'rateLimit.acquire',
        'rateLimit.acquire',
        'rateLimit.record',
        'rateLimit.acquire',
        'rateLimit.acquire',
      ]);
      expect(errors[0]?.scope).toBe('down');
      expect(failures).toEqual(errors.map((ctx) => ctx.operation));
    } finally {
      c.disconnect();
    }
  });
});
