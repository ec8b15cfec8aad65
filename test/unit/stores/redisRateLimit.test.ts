import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RateLimiter, type RateLimiterOptions } from '../../../src/policies/rateLimiter/rateLimiter.js';
import { type LimitPlan, levelBit } from '../../../src/stores/rateLimitProtocol.js';
import { createRedisRateLimit, rateLimitKey } from '../../../src/stores/redisRateLimit.js';
import { connectClient, RedisFixture } from './helpers/redisServer.js';

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

/** A limiter planning calls (only its plans and settings are used). */
function limiter(options: RateLimiterOptions): RateLimiter {
  return new RateLimiter({ defaultRules: false, ...options });
}

/** A "process": the limiter's scripts on a client of its own, on the injected clock (`clock: 'caller'`). */
async function proc() {
  const c = await client();
  return createRedisRateLimit({
    evalScript: (lua, keys, args) => c.eval(lua.source, keys.length, ...keys, ...args),
    key: (partner, stateKey) => rateLimitKey(prefix, partner, stateKey),
    keyTtlMs: 600_000,
    clock: 'caller',
  });
}

type Proc = Awaited<ReturnType<typeof proc>>;

/** A response to `plan` at `now`, charged to `charged` levels, with a Retry-After of `quietMs`. */
function response(l: RateLimiter, plan: LimitPlan, now: number, charged: number, quietMs = 0) {
  return { plan, settings: l.settings, charged, sentMsAgo: 0, quietMs, now };
}

/** A field of a key, read on a client of the tests' own. */
async function redisOf(key: string, field: string): Promise<string | null> {
  return (await client()).hget(key, field);
}

/** The injected clock's start (epoch ms). */
const T0 = 1_800_000_000_000;

const partnerId = () => `partner-${randomUUID().slice(0, 8)}`;

await fixture.start();

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await fixture.stop();
});

describe('the Redis rate limiter shared by processes (one injected clock)', () => {
  it.skipIf(fixture.skip)('two processes drain one static bucket together', async () => {
    const [a, b] = [await proc(), await proc()];
    const l = limiter({ rules: [{ scope: 'partner', perMinute: 600, burst: 5 }], adaptive: false });
    const plan = l.plan({ partner: partnerId() });
    const answers: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      answers.push(await (i % 2 === 0 ? a : b).acquire(plan, l.settings, T0 + i));
    }
    expect(answers.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    // 595/min: the bucket refills one token in 100.8 ms from the first take (T0), a little of it already
    // earned: each later try waits a millisecond less.
    expect(answers.slice(5)).toEqual([96, 95, 94, 93, 92]);
  });

  it.skipIf(fixture.skip)(
    'a throttle recorded by one process limits the other; the measured rate is both processes’',
    async () => {
      const [a, b] = [await proc(), await proc()];
      const l = limiter({});
      const plan = l.plan({ partner: partnerId() });
      const levelKey = rateLimitKey(prefix, plan.partner, plan.levels[0]?.key ?? '');
      const reader = await client();
      expect(await b.acquire(plan, l.settings, T0)).toBe(0);
      // Each process records 20 responses/s for 1.6 s: the partner's measured rate is 40/s.
      let now = T0;
      for (let i = 0; i < 32; i += 1, now += 50) {
        await a.record({ plan: plan, settings: l.settings, charged: 0, sentMsAgo: 0, quietMs: 0, now: now });
        await b.record({
          plan: plan,
          settings: l.settings,
          charged: 0,
          sentMsAgo: 0,
          quietMs: 0,
          now: now + 25,
        });
      }
      const measured = Number(await reader.hget(levelKey, 'ms'));
      expect(measured).toBeCloseTo(40, 0);
      // Not throttled yet: nothing limits the partner.
      expect(await b.acquire(plan, l.settings, now)).toBe(0);
      await a.record({
        plan: plan,
        settings: l.settings,
        charged: PARTNER,
        sentMsAgo: 0,
        quietMs: 0,
        now: now,
      });
      const learnt = Number(await reader.hget(levelKey, 'cur'));
      const plateau = Number(await reader.hget(levelKey, 'wm'));
      // The first throttle's estimate: the run's calls over its length (no Retry-After), its plateau at 0.97 x
      // that; the rate starts at the lower 0.8 x the measured rate.
      expect(plateau).toBeGreaterThan(38 * 0.97);
      expect(learnt).toBeCloseTo(measured * 0.8, 9);
      // The learnt bucket starts with one token (the throttled call's retry), which B takes; then B waits one
      // token's time at the learnt rate.
      expect(await b.acquire(plan, l.settings, now)).toBe(0);
      expect(await b.acquire(plan, l.settings, now)).toBe(Math.ceil(1000 / learnt));
    },
  );

  it.skipIf(fixture.skip)('four loops in two processes together stay within one bucket’s rate', async () => {
    const [a, b] = [await proc(), await proc()];
    const l = limiter({ rules: [{ scope: 'partner', perMinute: 1200, burst: 2 }], adaptive: false });
    const plan = l.plan({ partner: partnerId() });
    // Four loops (two per process) each try again when told; 1.5 s of an injected clock.
    const next = [T0, T0 + 1, T0 + 2, T0 + 3];
    const owners = [a, a, b, b];
    let grants = 0;
    for (;;) {
      const loop = next.indexOf(Math.min(...next));
      const now = next[loop] as number;
      if (now >= T0 + 1_500) break;
      const wait = await (owners[loop] as typeof a).acquire(plan, l.settings, now);
      if (wait === 0) grants += 1;
      next[loop] = now + Math.max(wait, 1);
    }
    // 2 at once, then 1198/min for 1.5 s: 31.95 more.
    expect(grants).toBe(2 + Math.floor((1198 / 60) * 1.5));
  });

  it.skipIf(fixture.skip)('caps each customer waiting for a limited partner at its fair share', async () => {
    const [a, b] = [await proc(), await proc()];
    const rules = [{ scope: 'partner' as const, perMinute: 600, burst: 10 }];
    const fair = limiter({ rules, adaptive: false });
    const partner = partnerId();
    const one = fair.plan({ partner, customer: 'c1' });
    const two = fair.plan({ partner, customer: 'c2' });
    // c2 calls once (through B) and is never held back: a quiet customer leaves its share to c1, which may
    // take the rest of the burst (work-conserving).
    expect(await b.acquire(two, fair.settings, T0)).toBe(0);
    let grants = 0;
    for (let i = 0; i < 12; i += 1) if ((await a.acquire(one, fair.settings, T0)) === 0) grants += 1;
    expect(grants).toBe(9);
    // c1, told to wait once the burst was spent, is the one customer waiting for a share; c2 holds none.
    expect(await (await client()).zrange(rateLimitKey(prefix, partner, 'w'), 0, -1)).toEqual(['c1']);

    // Both want more than they get for 2 s (each tries again when told, through its own process): both wait
    // for the partner's rate, so each gets half of it (590/min in all).
    const counts = { one: 0, two: 0 };
    const next = { one: T0 + 1, two: T0 + 1 };
    for (;;) {
      const name = next.one <= next.two ? 'one' : 'two';
      const now = next[name];
      if (now >= T0 + 2_001) break;
      const wait = await (name === 'one' ? a : b).acquire(name === 'one' ? one : two, fair.settings, now);
      if (wait === 0) counts[name] += 1;
      next[name] = now + Math.max(wait, 1);
    }
    const half = (590 / 60 / 2) * 2;
    expect(Math.abs(counts.one - half)).toBeLessThanOrEqual(2);
    expect(Math.abs(counts.two - half)).toBeLessThanOrEqual(2);

    // Without fairness, a customer may take the whole partner bucket.
    const unfair = limiter({ rules, adaptive: false, fairness: false });
    const plan = unfair.plan({ partner: partnerId(), customer: 'c1' });
    let all = 0;
    for (let i = 0; i < 12; i += 1) if ((await a.acquire(plan, unfair.settings, T0)) === 0) all += 1;
    expect(all).toBe(10);
  });

  it.skipIf(fixture.skip)(
    "while the partner's learnt rate holds calls back, a tenant's 429 waits for another to tell whose quota it was",
    async () => {
      const [s, t] = [await proc(), await proc()];
      const l = limiter({});
      const partner = partnerId();
      const plans = ['a', 'b', 'c', 'd', 'e'].map((customer) => l.plan({ partner, customer }));
      const [a, b, c, d, e] = plans as [LimitPlan, LimitPlan, LimitPlan, LimitPlan, LimitPlan];
      const own = levelBit(1);
      let now = T0;
      for (let i = 0; i < 10; i += 1, now += 20)
        for (const plan of [a, b, c])
          await s.record({
            plan: plan,
            settings: l.settings,
            charged: 0,
            sentMsAgo: 0,
            quietMs: 0,
            now: now,
          });
      // Three tenants throttled within 1 s: the partner is charged too.
      for (const plan of [a, b, c])
        await s.record({
          plan: plan,
          settings: l.settings,
          charged: own | PARTNER,
          sentMsAgo: 0,
          quietMs: 0,
          now: now,
        });
      const reader = await client();
      const partnerKey = rateLimitKey(prefix, partner, a.levels[0]?.key ?? '');
      const levelOn = async (plan: LimitPlan) =>
        reader.hget(rateLimitKey(prefix, partner, plan.levels[1]?.key ?? ''), 'on');
      expect(await reader.hget(partnerKey, 'on')).toBe('1');
      const throttledAt = Number(await reader.hget(partnerKey, 'lt'));
      // d is held back by the partner's learnt bucket...
      let wait = 0;
      for (let i = 0; i < 50 && wait === 0; i += 1) wait = await s.acquire(d, l.settings, now);
      expect(wait).toBeGreaterThan(0);
      expect(Number(await reader.hget(partnerKey, 'hb'))).toBe(now);
      // ... so its 429 alone says nothing: measured only, kept as the partner's candidate.
      await s.record({ plan: d, settings: l.settings, charged: own, sentMsAgo: 0, quietMs: 0, now: now + 5 });
      expect(await levelOn(d)).not.toBe('1');
      expect(Number(await reader.hget(partnerKey, 'lt'))).toBe(throttledAt);
      expect(await reader.hget(partnerKey, 'ct')).toBe('d');
      // Another tenant's 429, in another process, within that time: the quota is the partner's.
      wait = 0;
      for (let i = 0; i < 50 && wait === 0; i += 1) wait = await t.acquire(e, l.settings, now + 100);
      await t.record({
        plan: e,
        settings: l.settings,
        charged: own,
        sentMsAgo: 0,
        quietMs: 0,
        now: now + 105,
      });
      expect(await levelOn(e)).not.toBe('1');
      expect(Number(await reader.hget(partnerKey, 'lt'))).toBe(now + 105);
      expect(await reader.hget(partnerKey, 'ct')).toBeNull();
    },
  );

  it.skipIf(fixture.skip)(
    'four processes share one slow start: one rate probes the quota, not four',
    async () => {
      const procs = [await proc(), await proc(), await proc(), await proc()];
      const [a, b, c, d] = procs as [Proc, Proc, Proc, Proc];
      const l = limiter({ slowStart: true });
      const partner = partnerId();
      const plan = (customer: string) => l.plan({ partner, customer });
      const key = rateLimitKey(prefix, partner, plan('x').levels[0]?.key ?? '');
      // a's first call starts the partner's slow start at 8/s (a burst of 1): b's call at once waits 1/8 s.
      expect(await a.acquire(plan('x'), l.settings, T0)).toBe(0);
      expect(await b.acquire(plan('y'), l.settings, T0)).toBe(125);
      // c's three successes raise the rate every process is held to.
      for (let i = 1; i <= 3; i += 1) await c.record(response(l, plan('x'), T0 + i, 0));
      let rate = 8;
      for (let i = 0; i < 3; i += 1) rate += Math.LN2 / 0.5;
      expect(Number(await redisOf(key, 'br'))).toBe(rate);
      expect(await d.acquire(plan('z'), l.settings, T0 + 3)).toBe(Math.ceil(1000 / rate - 3));
      // d's 429 ends it for all: the learnt rate is in the partner's hash, the slow start over.
      await d.record(response(l, plan('z'), T0 + 10, PARTNER, 1000));
      expect(await redisOf(key, 'ss')).toBe('0');
      expect(await redisOf(key, 'on')).toBe('1');
      // Without slow starts, a partner met has nothing limiting it.
      const off = limiter({});
      const other = off.plan({ partner: partnerId(), customer: 'x' });
      for (let i = 0; i < 4; i += 1)
        expect(await (procs[i] as Proc).acquire(other, off.settings, T0)).toBe(0);
    },
  );
});
