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

/**
 * A first contact on both backends: `workers` calls in flight in a closed loop of the partner's calls and its
 * customers' (round robin over `tenants`) against a hidden quota of `quota` calls per sliding second (a 429's
 * Retry-After is the time until the window frees a slot), answered `latencyMs` after they are sent, until
 * `calls` have been answered. Every acquire and learnt rate is compared on the way.
 */
async function firstContact(
  both: Awaited<ReturnType<typeof pair>>,
  tenants: readonly LimitPlan[],
  { workers = 16, quota = 20, latencyMs = 20, calls = 300 } = {},
) {
  const passed: number[] = [];
  const answers: { plan: LimitPlan; sent: number; at: number; quiet: number; throttled: boolean }[] = [];
  const ready = Array.from({ length: workers }, (_, i) => T0 + i);
  let answered = 0;
  let throttles = 0;
  let next = 0;
  while (answered < calls) {
    const worker = ready.indexOf(Math.min(...ready));
    const readyAt = ready[worker] as number;
    answers.sort((x, y) => x.at - y.at);
    const answer = answers[0];
    if (answer !== undefined && answer.at <= readyAt) {
      answers.shift();
      await both.record(answer.plan, answer.at, answer.throttled, answer.at - answer.sent, answer.quiet);
      answered += 1;
      if (answer.throttled) throttles += 1;
      continue;
    }
    const plan = tenants[next % tenants.length] as LimitPlan;
    const wait = await both.acquire(plan, readyAt);
    if (wait > 0) {
      ready[worker] = readyAt + wait;
      continue;
    }
    next += 1;
    const inWindow = passed.filter((at) => at > readyAt - 1000);
    const throttled = inWindow.length >= quota;
    if (!throttled) passed.push(readyAt);
    const quiet = throttled ? Math.ceil((inWindow[0] as number) + 1000 - readyAt) : 0;
    answers.push({ plan, sent: readyAt, at: readyAt + latencyMs, quiet, throttled });
    ready[worker] = readyAt + latencyMs;
  }
  return { throttles, passed: passed.length };
}

describe('the Redis rate-limit scripts answer as LocalRateLimitBackend does, on one injected clock', () => {
  it.skipIf(fixture.skip)(
    'slowStart: a 300-call first contact, 16 in flight, with a hidden 20/s quota (partner and customers)',
    async () => {
      const both = await pair({ slowStart: true });
      const partnerKey = rateLimitKey(prefix, both.partner, both.plan().levels[0]?.key ?? '');
      const tenants = [both.plan(both.partner), ...['a', 'b', 'c'].map((c) => both.plan(c))];
      // The first call starts the slow start, in Redis as in the process.
      expect(await both.acquire(tenants[0] as LimitPlan, T0 - 1)).toBe(0);
      expect(await both.redis.hmget(partnerKey, 'ss', 'br')).toEqual(['1', '8']);
      const run = await firstContact(both, tenants);
      // A few 429s at first contact, not the 16 in flight; the slow start ended, its history gone.
      expect(run.throttles).toBeGreaterThan(0);
      expect(run.throttles).toBeLessThanOrEqual(6);
      expect(await both.enabled(tenants[0] as LimitPlan, 0)).toBe(true);
      expect(await both.redis.hget(partnerKey, 'ss')).toBe('0');
      expect(await both.redis.hexists(partnerKey, 'h0')).toBe(0);
      expect(await both.redis.hexists(partnerKey, 'sn')).toBe(0);
      expect(both.resets).toEqual([]);
    },
  );

  it.skipIf(fixture.skip)(
    'slowStart: a 429 with no success within its Retry-After starts it again (3 times at most), alike',
    async () => {
      const both = await pair({ slowStart: true });
      // The partner's own calls: their 429s are the partner level's while its slow start limits it.
      const plan = both.plan(both.partner);
      const partnerKey = rateLimitKey(prefix, both.partner, plan.levels[0]?.key ?? '');
      let now = T0;
      // A window someone else filled: the first call's answer is a 429 (Retry-After 1 s), three times over.
      for (let restart = 1; restart <= 3; restart += 1) {
        expect(await both.acquire(plan, now)).toBe(0);
        await both.record(plan, now + 2, true, 2, 1000);
        expect(await both.enabled(plan, 0)).toBe(false);
        expect(await both.redis.hmget(partnerKey, 'ss', 'br', 'sr')).toEqual(['1', '8', String(restart)]);
        // Held until the Retry-After has passed, alike.
        expect(await both.acquire(plan, now + 500)).toBeGreaterThan(0);
        now += 1100;
      }
      // The fourth ends it as any first 429 does: a learnt rate from its estimate.
      expect(await both.acquire(plan, now)).toBe(0);
      await both.record(plan, now + 2, true, 2, 1000);
      expect(await both.enabled(plan, 0)).toBe(true);
      expect(await both.redis.hget(partnerKey, 'ss')).toBe('0');
      expect(await both.redis.hexists(partnerKey, 'sr')).toBe(0);
      // A 429 after successes within its Retry-After ends it at once (no restart).
      const other = await pair({ slowStart: true });
      const otherPlan = other.plan(other.partner);
      for (let at = T0; at < T0 + 500; at += 100) {
        if ((await other.acquire(otherPlan, at)) === 0) await other.record(otherPlan, at + 1, false, 1);
      }
      await other.record(otherPlan, T0 + 600, true, 1, 1000);
      expect(await other.enabled(otherPlan, 0)).toBe(true);
      expect(both.resets).toEqual([]);
    },
  );

  it.skipIf(fixture.skip)('slowStart: the rate grows by ln 2 / 0.5 s a success, alike', async () => {
    const both = await pair({ slowStart: true });
    const plan = both.plan('a');
    const partnerKey = rateLimitKey(prefix, both.partner, plan.levels[0]?.key ?? '');
    let now = T0;
    let successes = 0;
    for (let i = 0; i < 150; i += 1) {
      now += 7;
      if ((await both.acquire(plan, now)) !== 0) continue;
      await both.record(plan, now + 3, false, 3);
      successes += 1;
    }
    expect(successes).toBeGreaterThan(5);
    let rate = 8;
    for (let i = 0; i < successes; i += 1) rate += Math.LN2 / 0.5;
    expect(Number(await both.redis.hget(partnerKey, 'br'))).toBe(rate);
    expect(await both.redis.hget(partnerKey, 'sn')).toBe(String(successes));
  });

  it.skipIf(fixture.skip)(
    "slowStart: the first 429's estimate counts the successes within its Retry-After, the latest 512 at most",
    async () => {
      const plateau = 0.97;
      // Successes every 100 ms from T0, then a 429 at T0 + 1000 with a Retry-After of 1 s: the success at T0 is
      // not within it (9 are, over 1 s).
      const edge = await pair({ slowStart: true });
      const plan = edge.plan();
      expect(await edge.acquire(plan, T0)).toBe(0);
      for (let at = T0; at < T0 + 1000; at += 100) await edge.record(plan, at, false);
      await edge.record(plan, T0 + 1000, true, 0, 1000);
      expect(edge.local.adaptiveState(plan.levels[0]?.key ?? '')?.plateauRate).toBeCloseTo(9 * plateau, 9);
      // 600 successes, then a 429 with a Retry-After of a minute: the latest 512 count, over 60 s.
      const many = await pair({ slowStart: true });
      const manyPlan = many.plan();
      let now = T0;
      for (let i = 0; i < 600; now += 1) {
        if ((await many.acquire(manyPlan, now)) !== 0) continue;
        await many.record(manyPlan, now, false);
        i += 1;
      }
      await many.record(manyPlan, now, true, 0, 60_000);
      const estimate = (512 * 1000) / 60_000;
      expect(many.local.adaptiveState(manyPlan.levels[0]?.key ?? '')?.plateauRate).toBeCloseTo(
        estimate * plateau,
        9,
      );
    },
  );

  it.skipIf(fixture.skip)('slowStart: a slow start that reaches 1000/s ends unlimited, alike', async () => {
    const both = await pair({ slowStart: true });
    const plan = both.plan();
    const partnerKey = rateLimitKey(prefix, both.partner, plan.levels[0]?.key ?? '');
    let now = T0;
    let grants = 0;
    do {
      const wait = await both.acquire(plan, now);
      if (wait === 0) {
        grants += 1;
        await both.record(plan, now + 1, false, 1);
      }
      now += Math.max(1, wait);
    } while ((await both.redis.hget(partnerKey, 'ss')) === '1');
    // (1000 - 8) / (ln 2 / 0.5) successes: 716.
    expect(grants).toBe(716);
    expect(await both.redis.hmget(partnerKey, 'br', 'bt', 'sn', 'h0')).toEqual([null, null, null, null]);
    // Nothing limits the partner any more: 50 calls at once go.
    for (let i = 0; i < 50; i += 1) expect(await both.acquire(plan, now)).toBe(0);
    // A later 429 is a first throttle as without a slow start (its estimate from the run measured).
    await both.record(plan, now + 5, true, 5, 1000);
    expect(await both.enabled(plan, 0)).toBe(true);
  });

  it.skipIf(fixture.skip)(
    'slowStart: a partner met with a rule of its own, or with adaptive: false, does not start slow, alike',
    async () => {
      const both = await pair({ slowStart: true, rules: [{ scope: 'partner', perMinute: 3000, burst: 10 }] });
      const plan = both.plan('a');
      const partnerKey = rateLimitKey(prefix, both.partner, plan.levels[0]?.key ?? '');
      for (let i = 0; i < 10; i += 1) expect(await both.acquire(plan, T0)).toBe(0);
      expect(await both.redis.hmget(partnerKey, 'ss', 'br')).toEqual(['0', null]);
      // With `adaptive: false` (static rules only), no slow start either.
      const fixed = await pair({ slowStart: true, adaptive: false });
      const unruled = fixed.plan('a');
      for (let i = 0; i < 10; i += 1) expect(await fixed.acquire(unruled, T0)).toBe(0);
      const fixedKey = rateLimitKey(prefix, fixed.partner, unruled.levels[0]?.key ?? '');
      expect(await fixed.redis.exists(fixedKey)).toBe(0);
    },
  );

  it.skipIf(fixture.skip)('slowStart: a seeded run of 1,500 calls', async () => {
    const run = await seededRun({ slowStart: true }, 3, 1500);
    expect(run.grants).toBeGreaterThan(100);
    expect(run.throttles).toBeGreaterThan(5);
    expect(await run.enabled(run.plan('a'), 0)).toBe(true);
    expect(run.resets).toEqual([]);
  });

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
