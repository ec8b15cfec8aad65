import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalRateLimitBackend } from '../../../src/policies/rateLimiter/localBackend.js';
import { RateLimiter, type RateLimiterOptions } from '../../../src/policies/rateLimiter/rateLimiter.js';
import type { LimitPlan } from '../../../src/stores/rateLimitProtocol.js';
import { createRedisRateLimit, rateLimitKey } from '../../../src/stores/redisRateLimit.js';
import type { LuaScript } from '../../../src/stores/redisScripts.js';
import { createSeededRandom } from '../../../src/testing/rng.js';
import { connectClient, RedisFixture } from './helpers/redisServer.js';

/**
 * The Redis scripts against `LocalRateLimitBackend`, on one injected clock (`clock: 'caller'`: the scripts get
 * the time as an argument): every answer must be the same, to the millisecond, and every learnt rate the same
 * to the last bits. No wall clock: nothing here depends on how fast the machine runs.
 */
const fixture = new RedisFixture('the Redis rate-limit parity tests');
const clients: Redis[] = [];
const prefix = `pcr-parity-${randomUUID().slice(0, 8)}:`;
const T0 = 1_800_000_000_000;

await fixture.start();

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await fixture.stop();
});

async function client(): Promise<Redis> {
  const redis = fixture.get();
  if (!redis) throw new Error('no redis');
  const c = await connectClient(redis, { commandTimeout: 10_000 });
  clients.push(c);
  return c;
}

/** The local backend and the Redis scripts side by side, driven with the same calls and the same `now`. */
async function pair(options: RateLimiterOptions) {
  const redis = await client();
  const evalScript = async (lua: LuaScript, keys: readonly string[], args: readonly string[]) => {
    try {
      return await redis.evalsha(lua.sha1, keys.length, ...keys, ...args);
    } catch (error: unknown) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT'))
        return redis.eval(lua.source, keys.length, ...keys, ...args);
      throw error;
    }
  };
  const resets: string[] = [];
  const remote = createRedisRateLimit({
    evalScript,
    key: (partner, stateKey) => rateLimitKey(prefix, partner, stateKey),
    keyTtlMs: 600_000,
    clock: 'caller',
    onResetKey: (key) => resets.push(key),
  });
  const local = new LocalRateLimitBackend();
  const limiter = new RateLimiter({ defaultRules: false, ...options });
  const partner = `p-${randomUUID().slice(0, 8)}`;
  const plan = (customer?: string): LimitPlan => limiter.plan({ partner, customer });
  // The scripts' shares are caps: the local backend's work-conserving shares are not ported to them yet.
  const settings = { ...limiter.settings, workConserving: false };
  /** Both answer `acquire` alike; resolves the wait. */
  const acquire = async (p: LimitPlan, now: number) => {
    const x = local.acquire(p, settings, now);
    const y = await remote.acquire(p, settings, now);
    expect(y, `acquire ${p.customer ?? '-'} at +${now - T0} ms`).toBe(x);
    return x;
  };
  /** Records on both (a 429 charged as `RateLimiter.charged` says) and compares every level's learnt rate. */
  const record = async (p: LimitPlan, now: number, throttled: boolean, sentMsAgo = 0, quietMs = 0) => {
    const charged = limiter.charged(p, now, throttled, quietMs);
    const response = {
      plan: p,
      settings,
      now,
      charged,
      sentMsAgo,
      quietMs: throttled ? quietMs : 0,
    };
    local.record(response);
    await remote.record(response);
    for (const level of p.levels) {
      const mine = local.adaptiveState(level.key);
      const [on, cur, wm] = await redis.hmget(rateLimitKey(prefix, partner, level.key), 'on', 'cur', 'wm');
      const where = `${level.key} after a ${throttled ? '429' : 'success'} at +${now - T0} ms`;
      expect(on === '1', where).toBe(mine?.enabled === true);
      if (mine?.enabled !== true) continue;
      expect(Number(cur), where).toBeCloseTo(mine.rate, 9);
      expect(Number(wm), where).toBeCloseTo(mine.plateauRate, 9);
    }
  };
  const enabled = async (p: LimitPlan, level: number) =>
    (await redis.hget(rateLimitKey(prefix, partner, p.levels[level]?.key ?? ''), 'on')) === '1';
  return { local, remote, limiter, plan, acquire, record, enabled, resets, partner, redis };
}

/**
 * A seeded run of `steps` calls over five tenants (four customers and the partner's own calls): each step
 * moves the clock 0-60 ms and acquires (and, when granted, later records an answer: mostly successes, some
 * 429s with a Retry-After of 0-1.5 s), on both backends.
 */
async function seededRun(options: RateLimiterOptions, seed: number, steps: number) {
  const both = await pair(options);
  const random = createSeededRandom(seed, 7);
  const tenants = [...['a', 'b', 'c', 'd'].map((c) => both.plan(c)), both.plan(both.partner)];
  const pending: { plan: LimitPlan; at: number; sent: number; throttled: boolean; quiet: number }[] = [];
  let now = T0;
  let grants = 0;
  let throttles = 0;
  for (let step = 0; step < steps; step += 1) {
    now += Math.floor(random.next() * 60);
    pending.sort((x, y) => x.at - y.at);
    while (pending.length > 0 && (pending[0]?.at ?? now) <= now) {
      const done = pending.shift();
      if (done) await both.record(done.plan, done.at, done.throttled, done.at - done.sent, done.quiet);
    }
    const plan = tenants[Math.floor(random.next() * tenants.length)] as LimitPlan;
    if ((await both.acquire(plan, now)) !== 0) continue;
    grants += 1;
    const throttled = random.next() < 0.08;
    if (throttled) throttles += 1;
    pending.push({
      plan,
      sent: now,
      at: now + 5 + Math.floor(random.next() * 80),
      throttled,
      quiet: throttled ? Math.floor(random.next() * 1500) : 0,
    });
  }
  return { ...both, grants, throttles };
}

describe('the Redis rate-limit scripts answer as LocalRateLimitBackend does, on one injected clock', () => {
  it.skipIf(fixture.skip)(
    'learnt rates, holds, fair shares and blame: a seeded run of 1,500 calls',
    async () => {
      const run = await seededRun({}, 1, 1500);
      // The run went through grants, waits and 429s on several levels.
      expect(run.grants).toBeGreaterThan(100);
      expect(run.throttles).toBeGreaterThan(5);
      expect(await run.enabled(run.plan('a'), 0)).toBe(true);
      expect(run.resets).toEqual([]);
    },
  );

  it.skipIf(fixture.skip)('static partner and customer rules with fair shares: a seeded run', async () => {
    const run = await seededRun(
      {
        rules: [
          { scope: 'partner', perMinute: 1200, burst: 5 },
          { scope: 'customer', perMinute: 300, burst: 3 },
        ],
      },
      2,
      1500,
    );
    expect(run.grants).toBeGreaterThan(200);
    expect(run.resets).toEqual([]);
  });

  it.skipIf(fixture.skip)("estimates the first throttle's quota alike, late successes included", async () => {
    const both = await pair({});
    const plan = both.plan();
    const levelKey = plan.levels[0]?.key ?? '';
    const remoteKey = rateLimitKey(prefix, both.partner, levelKey);
    // 10 successes, 1.2 s of silence (the bucket that spans it measures about 9/s), then an unpaced burst: 12
    // successes 2 ms apart, then a 429 whose Retry-After is 950 ms. The burst is a run of its own.
    let now = T0;
    for (let i = 0; i < 10; i += 1, now += 2) await both.record(plan, now, false);
    now += 1_200;
    for (let i = 0; i < 12; i += 1, now += 2) await both.record(plan, now, false);
    const throttledAt = now;
    await both.record(plan, now, true, 0, 950);
    const plateau = () => both.local.adaptiveState(levelKey)?.plateauRate ?? 0;
    // 12 over the burst's run (24 ms to the 429) and the 950 ms Retry-After, at the plateau (0.97).
    const first = plateau();
    expect(first).toBeCloseTo((12 * 1000 * 0.97) / (24 + 950), 9);
    // 8 more successes of the burst (sent before the 429) answered after it: 20 through the quota.
    for (let i = 0; i < 8; i += 1) {
      now += 3;
      await both.record(plan, now, false, now - throttledAt + 2);
    }
    expect(plateau()).toBeCloseTo((first * 20) / 12, 9);
    expect(await both.redis.hget(remoteKey, 'es')).not.toBeNull();
    // A success sent after the 429 closes the estimate: a later success of the burst changes nothing.
    now += 3;
    await both.record(plan, now, false);
    expect(await both.redis.hget(remoteKey, 'es')).toBeNull();
    const closed = plateau();
    now += 3;
    await both.record(plan, now, false, now - throttledAt + 2);
    expect(plateau()).toBe(closed);
  });

  it.skipIf(fixture.skip)(
    "attributes a tenant's 429 as the local backend does: alone unknown, then the partner's, then its own",
    async () => {
      const both = await pair({});
      const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((customer) => both.plan(customer)) as [
        LimitPlan,
        LimitPlan,
        LimitPlan,
        LimitPlan,
        LimitPlan,
      ];
      let now = T0;
      for (let i = 0; i < 40; i += 1, now += 25) for (const t of [a, b, c]) await both.record(t, now, false);
      // Three tenants within 1 s: the partner learns a rate.
      for (const t of [a, b, c]) await both.record(t, now, true, 0, 200);
      expect(await both.enabled(a, 0)).toBe(true);
      const partnerKey = rateLimitKey(prefix, both.partner, a.levels[0]?.key ?? '');
      const lastThrottle = async () => both.redis.hget(partnerKey, 'lt');
      const holdBack = async (t: LimitPlan) => {
        while ((await both.acquire(t, now)) === 0) await both.record(t, now, false);
      };
      // d, held back by the partner's rate: its 429 alone is only measured.
      now += 1000;
      await holdBack(d);
      const before = await lastThrottle();
      await both.record(d, now + 10, true, 5, 200);
      expect(await both.enabled(d, 1)).toBe(false);
      expect(await lastThrottle()).toBe(before);
      // e's 429 within d's Retry-After and a second: the partner's (record compares every level's rate).
      now += 500;
      await holdBack(e);
      await both.record(e, now + 10, true, 5, 200);
      expect(await lastThrottle()).not.toBe(before);
      // d twice in a row: d's own.
      now += 1500;
      await holdBack(d);
      await both.record(d, now + 10, true, 5, 200);
      now += 700;
      await holdBack(d);
      await both.record(d, now + 10, true, 5, 200);
      expect(await both.enabled(d, 1)).toBe(true);
      // A tenant throttled with a Retry-After longer than maxPartnerQuietMs is its own at once.
      now += 1000;
      await holdBack(c);
      const partnerBefore = await lastThrottle();
      await both.record(c, now + 10, true, 5, 86_400_000);
      expect(await lastThrottle()).toBe(partnerBefore);
      expect(await both.redis.hget(rateLimitKey(prefix, both.partner, c.levels[1]?.key ?? ''), 'lt')).toBe(
        String(now + 10),
      );
    },
  );
});
