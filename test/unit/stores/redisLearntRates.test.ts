import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/policies/rateLimiter/rateLimiter.js';
import { type LimiterSettings, type LimitPlan, levelBit } from '../../../src/stores/rateLimitProtocol.js';
import { createRedisScopeStore, type RedisScopeStoreOptions } from '../../../src/stores/redis.js';
import { createRedisRateLimit, rateLimitKey } from '../../../src/stores/redisRateLimit.js';
import { connectClient, RedisFixture } from './helpers/redisServer.js';

/**
 * Learnt rates kept in Redis with an expiry (`learntTtlMs`): a store made later (the next process, or the next
 * run) starts at what an earlier one learnt, until the partner has been left alone `learntTtlMs`. Redis expiry
 * runs on real time: the one test that waits for it sleeps past a 1 s TTL and asserts only before and after.
 */
const fixture = new RedisFixture('the Redis learnt-rate expiry tests');
const clients: Redis[] = [];
const prefix = `pcr-learnt-${randomUUID().slice(0, 8)}:`;
const PARTNER = levelBit(0);

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

/** A "process": a store of its own, on a client of its own; any fallback to memory fails the test. */
async function processStore(options: Partial<RedisScopeStoreOptions> = {}) {
  const errors: unknown[] = [];
  const store = createRedisScopeStore({
    client: await client(),
    keyPrefix: prefix,
    commandTimeoutMs: 10_000,
    onError: (error) => errors.push(error),
    ...options,
  });
  return { store, errors };
}

const limiter = new RateLimiter({ defaultRules: false, slowStart: true });
const partnerId = () => `partner-${randomUUID().slice(0, 8)}`;

/** A partner's slow start, and its first 429 (Retry-After 100 ms), through `backend`: the rate is learnt. */
async function learn(backend: ReturnType<typeof createRedisScopeStore>['rateLimit'], plan: LimitPlan) {
  const settings = limiter.settings;
  expect(await backend.acquire(plan, settings, Date.now())).toBe(0);
  for (let i = 0; i < 10; i += 1)
    await backend.record({ plan, settings, now: Date.now(), charged: 0, sentMsAgo: 0, quietMs: 0 });
  await backend.record({ plan, settings, now: Date.now(), charged: PARTNER, sentMsAgo: 0, quietMs: 100 });
}

describe('learnt rates kept in Redis, with an expiry (learntTtlMs)', () => {
  it.skipIf(fixture.skip)(
    'the next process starts at the learnt rate; once the partner is left alone learntTtlMs, it probes again',
    async () => {
      const redis = await client();
      const plan = limiter.plan({ partner: partnerId(), customer: 'c1' });
      const key = rateLimitKey(prefix, plan.partner, plan.levels[0]?.key ?? '');
      const first = await processStore({ learntTtlMs: 1_000 });
      await learn(first.store.rateLimit, plan);
      const [on, learnt] = await redis.hmget(key, 'on', 'br');
      expect(on).toBe('1');
      expect(Number(learnt)).toBeGreaterThan(0);
      // The next process: no slow start of its own, the learnt bucket is the one it is held to.
      const next = await processStore({ learntTtlMs: 1_000 });
      await next.store.rateLimit.acquire(plan, limiter.settings, Date.now());
      expect(await redis.hmget(key, 'ss', 'on', 'br', 'sn')).toEqual(['0', '1', learnt, null]);
      // Left alone past learntTtlMs (and past the bucket's refill and hold, each far shorter): forgotten.
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      expect(await redis.exists(key)).toBe(0);
      expect(await next.store.rateLimit.acquire(plan, limiter.settings, Date.now())).toBe(0);
      expect(await redis.hmget(key, 'ss', 'br', 'on')).toEqual(['1', '8', null]);
      expect([...first.errors, ...next.errors]).toEqual([]);
    },
  );

  it.skipIf(fixture.skip)(
    "the levels' keys live learntTtlMs after their last use, the others keyTtlMs; the store's option beats the settings'",
    async () => {
      const redis = await client();
      const ttlOf = async (
        store: Awaited<ReturnType<typeof processStore>>['store'],
        settings: LimiterSettings,
      ) => {
        const plan = limiter.plan({ partner: partnerId(), customer: 'c1' });
        await learn(store.rateLimit, plan);
        // A customer's call while the partner is held back: it waits for a share (the `w` key).
        await store.rateLimit.acquire(plan, settings, Date.now());
        await store.rateLimit.acquire(plan, settings, Date.now());
        const key = (stateKey: string) => rateLimitKey(prefix, plan.partner, stateKey);
        return {
          partner: await redis.pttl(key(plan.levels[0]?.key ?? '')),
          customer: await redis.pttl(key(plan.levels[1]?.key ?? '')),
          waiting: await redis.pttl(key('w')),
        };
      };
      const withSettings = { ...limiter.settings, learntTtlMs: 30_000 };
      // The store's option.
      const own = await ttlOf(
        (await processStore({ learntTtlMs: 20_000, keyTtlMs: 90_000 })).store,
        withSettings,
      );
      expect(own.partner).toBeGreaterThan(0);
      expect(own.partner).toBeLessThanOrEqual(20_000);
      expect(own.customer).toBeGreaterThan(0);
      expect(own.customer).toBeLessThanOrEqual(20_000);
      expect(own.waiting).toBeGreaterThan(20_000);
      // The settings' learntTtlMs, when the store has none.
      const fromSettings = await ttlOf((await processStore({ keyTtlMs: 90_000 })).store, withSettings);
      expect(fromSettings.partner).toBeGreaterThan(20_000);
      expect(fromSettings.partner).toBeLessThanOrEqual(30_000);
      // Neither: keyTtlMs.
      const neither = await ttlOf((await processStore({ keyTtlMs: 90_000 })).store, limiter.settings);
      expect(neither.partner).toBeGreaterThan(30_000);
    },
  );

  it('rejects a learntTtlMs that is not a positive number of ms', () => {
    const redis = { evalsha: async () => 0, eval: async () => 0 };
    for (const learntTtlMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => createRedisScopeStore({ client: redis, learntTtlMs })).toThrow(/learntTtlMs/);
  });

  it('sends the learnt TTL with every acquire and record: the option, else the settings, else keyTtlMs', async () => {
    const sent: string[][] = [];
    const plan = limiter.plan({ partner: 'p', customer: 'c' });
    const backend = (learntTtlMs?: number) =>
      createRedisRateLimit({
        evalScript: async (_lua, _keys, args) => {
          sent.push([...args]);
          return 0;
        },
        key: (partner, stateKey) => rateLimitKey(prefix, partner, stateKey),
        keyTtlMs: 600_000,
        ...(learntTtlMs === undefined ? {} : { learntTtlMs }),
      });
    const record = { plan, now: 0, charged: 0, sentMsAgo: 0, quietMs: 0 };
    await backend(5_000).acquire(plan, { ...limiter.settings, learntTtlMs: 7_000 });
    await backend(5_000).record({ ...record, settings: { ...limiter.settings, learntTtlMs: 7_000 } });
    await backend().acquire(plan, { ...limiter.settings, learntTtlMs: 7_000 });
    await backend().record({ ...record, settings: { ...limiter.settings, learntTtlMs: 7_000 } });
    await backend().acquire(plan, limiter.settings);
    await backend().record({ ...record, settings: limiter.settings });
    // acquire: [clock, keyTtl, rules, fairness, has customer, customer, slow start, learnt TTL, ...];
    // record: [clock, learnt TTL, ...].
    expect(sent.map((args, i) => (i % 2 === 0 ? [args[1], args[7]] : [args[1]]))).toEqual([
      ['600000', '5000'],
      ['5000'],
      ['600000', '7000'],
      ['7000'],
      ['600000', '600000'],
      ['600000'],
    ]);
  });
});
