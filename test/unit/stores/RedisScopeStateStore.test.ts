import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { type Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RateLimiter, type RateLimiterOptions } from '../../../src/policies/rateLimiter/rateLimiter.js';
import { levelBit } from '../../../src/stores/rateLimitProtocol.js';
import {
  createRedisScopeStore,
  type RedisScopeStore,
  type RedisScopeStoreErrorContext,
  type RedisScopeStoreOptions,
  RedisScopeStoreTimeoutError,
  type RedisScriptClient,
} from '../../../src/stores/redis.js';
import type { StoreFailure } from '../../../src/tenancy/ScopeStateStore.js';
import { connectClient, freePort, RedisFixture } from './helpers/redisServer.js';

// Compile-time: an ioredis Redis and a Cluster are both accepted as the client.
const fromRedis = (client: Redis): RedisScriptClient => client;
const fromCluster = (client: Cluster): RedisScriptClient => client;
void fromRedis;
void fromCluster;

const budget = { maxTokens: 3, refundPerSuccess: 0.5 };

const fixture = new RedisFixture('the Redis scope store tests');
const clients: Redis[] = [];
const prefix = `pcr-test-${randomUUID().slice(0, 8)}:`;

async function client(commandTimeout = 500): Promise<Redis> {
  const redis = fixture.get();
  if (!redis) throw new Error('no redis');
  const c = await connectClient(redis, { commandTimeout });
  clients.push(c);
  return c;
}

async function store(options: Partial<RedisScopeStoreOptions> = {}): Promise<RedisScopeStore> {
  return createRedisScopeStore({ client: await client(), keyPrefix: prefix, ...options });
}

/** A store for the concurrency tests: generous timeouts (a loaded CI box), and any fallback is a failure. */
async function patientStore(errors: unknown[]): Promise<RedisScopeStore> {
  return createRedisScopeStore({
    client: await client(10_000),
    keyPrefix: prefix,
    commandTimeoutMs: 10_000,
    onError: (error) => errors.push(error),
  });
}

/** A throttle charged to the partner level (level 0 of every plan). */
const PARTNER = levelBit(0);

/** A store on its own client (a "process"): generous timeouts, and any fallback fails the test. */
async function limiterStore(
  errors: unknown[],
  options: Partial<RedisScopeStoreOptions> = {},
): Promise<RedisScopeStore> {
  return createRedisScopeStore({
    client: await client(10_000),
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

const partnerId = () => `partner-${randomUUID().slice(0, 8)}`;

// Started while the file is collected, so that tests needing Redis can be skipped (outside CI) when it is missing.
await fixture.start();

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await fixture.stop();
});

describe('createRedisScopeStore: options and key layout', () => {
  const fake: RedisScriptClient = { evalsha: async () => -1, eval: async () => -1 };

  it('rejects a missing client and invalid durations', () => {
    expect(() => createRedisScopeStore({ client: {} as RedisScriptClient })).toThrow(/ioredis/);
    expect(() => createRedisScopeStore({ client: fake, keyTtlMs: 0 })).toThrow(/keyTtlMs/);
    expect(() => createRedisScopeStore({ client: fake, commandTimeoutMs: Number.NaN })).toThrow(
      /commandTimeoutMs/,
    );
    expect(() => createRedisScopeStore({ client: fake, retryAfterFailureMs: -1 })).toThrow(
      /retryAfterFailureMs/,
    );
  });

  it('namespaces keys with the prefix and a {scope} hash tag', () => {
    expect(createRedisScopeStore({ client: fake }).keys('customer:abc')).toEqual({
      throttle: 'pcr:{customer:abc}:throttle',
      open: 'pcr:{customer:abc}:open',
      budget: 'pcr:{customer:abc}:budget',
    });
    expect(createRedisScopeStore({ client: fake, keyPrefix: 'app1:' }).keys('partner').throttle).toBe(
      'app1:{partner}:throttle',
    );
  });
});

describe('createRedisScopeStore against a fake client (no Redis needed)', () => {
  it('falls back to EVAL when the server does not know the script (NOSCRIPT)', async () => {
    const calls: string[] = [];
    const fake: RedisScriptClient = {
      evalsha: async () => {
        calls.push('evalsha');
        throw new Error('NOSCRIPT No matching script. Please use EVAL.');
      },
      eval: async (source) => {
        calls.push(`eval:${source.includes("redis.call('TIME')")}`);
        return 1200;
      },
    };
    const s = createRedisScopeStore({ client: fake, now: () => 1_000_000 });
    expect(await s.getThrottleDeadline('partner')).toBe(1_001_200);
    expect(calls).toEqual(['evalsha', 'eval:true']);
  });

  it('ignores an onError hook that throws and answers from the fallback', async () => {
    const fake: RedisScriptClient = {
      evalsha: async () => {
        throw new Error('boom');
      },
      eval: async () => 0,
    };
    const s = createRedisScopeStore({
      client: fake,
      onError: () => {
        throw new Error('hook failed');
      },
    });
    await expect(s.takeRetryToken('partner', budget)).resolves.toBe(true);
  });

  it('answers synchronously from the fallback while a failure is fresh, then tries Redis again', async () => {
    let clock = 0;
    let healthy = false;
    let evals = 0;
    const fake: RedisScriptClient = {
      evalsha: async () => {
        evals += 1;
        if (!healthy) throw new Error('ECONNREFUSED');
        return 500;
      },
      eval: async () => 0,
    };
    const errors: RedisScopeStoreErrorContext[] = [];
    const s = createRedisScopeStore({
      client: fake,
      now: () => clock,
      retryAfterFailureMs: 1_000,
      onError: (_e, ctx) => errors.push(ctx),
    });
    await s.extendThrottleDeadline('partner', 2_000);
    expect(errors).toEqual([{ operation: 'extendThrottleDeadline', scope: 'partner', timedOut: false }]);
    expect(s.degraded).toBe(true);
    // Within the cooldown: a plain value, from the fallback that recorded the 429 this process saw.
    expect(s.getThrottleDeadline('partner')).toBe(2_000);
    expect(evals).toBe(1);
    clock = 1_000;
    healthy = true;
    expect(s.degraded).toBe(false);
    // Redis says 500 ms left (1_500); the local fallback still knows 2_000: the later wins.
    expect(await s.getThrottleDeadline('partner')).toBe(2_000);
    clock = 1_800;
    expect(await s.getThrottleDeadline('partner')).toBe(2_300);
    expect(errors).toHaveLength(1);
  });
});

describe('createRedisScopeStore against redis-server', () => {
  it.skipIf(fixture.skip)(
    'stores, reads and expires the throttle deadline; a shorter deadline is ignored',
    async () => {
      if (!fixture.get()) return;
      const s = await store();
      const scope = `s-${randomUUID()}`;
      expect(await s.getThrottleDeadline(scope)).toBeUndefined();
      const deadline = Date.now() + 5_000;
      await s.extendThrottleDeadline(scope, deadline);
      const read = await s.getThrottleDeadline(scope);
      expect(read).toBeGreaterThanOrEqual(deadline - 5);
      expect(read).toBeLessThanOrEqual(deadline + 50);
      await s.extendThrottleDeadline(scope, Date.now() + 1_000);
      expect(await s.getThrottleDeadline(scope)).toBeGreaterThanOrEqual(deadline - 5);

      const c = await client();
      const pttl = await c.pttl(s.keys(scope).throttle);
      expect(pttl).toBeGreaterThan(4_000);
      expect(pttl).toBeLessThanOrEqual(5_000);
      // The value is on Redis's clock (microseconds), not the caller's.
      const [seconds, micros] = await c.time();
      const stored = Number(await c.get(s.keys(scope).throttle));
      const leftMs = (stored - (Number(seconds) * 1e6 + Number(micros))) / 1000;
      expect(leftMs).toBeGreaterThan(4_000);
      expect(leftMs).toBeLessThanOrEqual(5_000);
    },
  );

  it.skipIf(fixture.skip)(
    'a deadline in the past writes nothing; an expired deadline reads as undefined',
    async () => {
      if (!fixture.get()) return;
      const s = await store();
      const scope = `s-${randomUUID()}`;
      await s.extendThrottleDeadline(scope, Date.now() - 10);
      expect(await (await client()).exists(s.keys(scope).throttle)).toBe(0);
      await s.extendThrottleDeadline(scope, Date.now() + 60);
      await new Promise((r) => setTimeout(r, 120));
      expect(await s.getThrottleDeadline(scope)).toBeUndefined();
      expect(await (await client()).exists(s.keys(scope).throttle)).toBe(0);
    },
  );

  it.skipIf(fixture.skip)('sets, reads, expires and clears the breaker-open hint', async () => {
    if (!fixture.get()) return;
    const s = await store();
    const other = await store();
    const scope = `s-${randomUUID()}`;
    expect(await s.getOpenUntil(scope)).toBeUndefined();
    const until = Date.now() + 30_000;
    await s.setOpenUntil(scope, until);
    const read = await other.getOpenUntil(scope);
    expect(read).toBeGreaterThanOrEqual(until - 5);
    expect(read).toBeLessThanOrEqual(until + 50);
    const pttl = await (await client()).pttl(s.keys(scope).open);
    expect(pttl).toBeGreaterThan(29_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
    await other.setOpenUntil(scope, undefined);
    expect(await s.getOpenUntil(scope)).toBeUndefined();
    expect(await (await client()).exists(s.keys(scope).open)).toBe(0);
  });

  it.skipIf(fixture.skip)(
    'starts the retry budget full, spends it, refunds it, and expires the key after keyTtlMs',
    async () => {
      if (!fixture.get()) return;
      const s = await store({ keyTtlMs: 60_000 });
      const scope = `s-${randomUUID()}`;
      // A refund on a full budget allocates nothing.
      await s.refundRetryToken(scope, budget);
      expect(await (await client()).exists(s.keys(scope).budget)).toBe(0);
      expect(await s.takeRetryToken(scope, budget)).toBe(true);
      expect(await s.takeRetryToken(scope, budget)).toBe(true);
      expect(await s.takeRetryToken(scope, budget)).toBe(true);
      expect(await s.takeRetryToken(scope, budget)).toBe(false);
      await s.refundRetryToken(scope, budget);
      expect(await s.takeRetryToken(scope, budget)).toBe(false); // 0.5 token is not a token
      await s.refundRetryToken(scope, budget);
      expect(await s.takeRetryToken(scope, budget)).toBe(true); // 0.5 + 0.5
      for (let i = 0; i < 10; i++) await s.refundRetryToken(scope, budget);
      expect(Number(await (await client()).get(s.keys(scope).budget))).toBe(3); // capped at maxTokens
      const pttl = await (await client()).pttl(s.keys(scope).budget);
      expect(pttl).toBeGreaterThan(59_000);
      expect(pttl).toBeLessThanOrEqual(60_000);
    },
  );

  it.skipIf(fixture.skip)('runs the scripts again after SCRIPT FLUSH (NOSCRIPT -> EVAL)', async () => {
    if (!fixture.get()) return;
    const errors: unknown[] = [];
    const c = await client();
    const s = createRedisScopeStore({ client: c, keyPrefix: prefix, onError: (e) => errors.push(e) });
    const scope = `s-${randomUUID()}`;
    await s.extendThrottleDeadline(scope, Date.now() + 2_000);
    await c.script('FLUSH');
    expect(await s.getThrottleDeadline(scope)).toBeGreaterThan(Date.now());
    expect(errors).toEqual([]);
  });

  it.skipIf(fixture.skip)('keeps the latest of 100 concurrent deadlines written by 4 clients', async () => {
    if (!fixture.get()) return;
    const errors: unknown[] = [];
    const stores = await Promise.all([1, 2, 3, 4].map(() => patientStore(errors)));
    const scope = `s-${randomUUID()}`;
    const base = Date.now();
    const deadlines = Array.from({ length: 100 }, () => base + 1_000 + Math.floor(Math.random() * 20_000));
    await Promise.all(
      deadlines.map((d, i) => (stores[i % 4] as RedisScopeStore).extendThrottleDeadline(scope, d)),
    );
    const max = Math.max(...deadlines);
    const read = await (stores[0] as RedisScopeStore).getThrottleDeadline(scope);
    expect(read).toBeGreaterThanOrEqual(max - 5);
    expect(read).toBeLessThanOrEqual(max + 50);
    expect(errors).toEqual([]);
  });

  it.skipIf(fixture.skip)(
    'lets exactly 50 of 1,000 concurrent takeRetryToken calls from 4 clients succeed',
    async () => {
      if (!fixture.get()) return;
      const errors: unknown[] = [];
      const stores = await Promise.all([1, 2, 3, 4].map(() => patientStore(errors)));
      const scope = `s-${randomUUID()}`;
      const fifty = { maxTokens: 50, refundPerSuccess: 0.1 };
      const results = await Promise.all(
        Array.from({ length: 1_000 }, (_, i) =>
          (stores[i % 4] as RedisScopeStore).takeRetryToken(scope, fifty),
        ),
      );
      expect(errors).toEqual([]);
      expect(results.filter((r) => r === true)).toHaveLength(50);
    },
  );

  it.skipIf(fixture.skip)(
    'survives clock skew: a process whose clock is 5 s ahead shares the same real deadline',
    async () => {
      if (!fixture.get()) return;
      const skew = 5_000;
      const ahead = await store({ now: () => Date.now() + skew });
      const exact = await store();
      const scope = `s-${randomUUID()}`;

      // The skewed process saw a 429 with Retry-After 2 s: its engine computes the deadline on its own clock.
      await ahead.extendThrottleDeadline(scope, Date.now() + skew + 2_000);
      const seenByExact = (await exact.getThrottleDeadline(scope)) ?? 0;
      // The exact process waits about 2 s, not 7 s (what an absolute epoch would have meant on its clock).
      expect(seenByExact - Date.now()).toBeGreaterThan(1_500);
      expect(seenByExact - Date.now()).toBeLessThanOrEqual(2_050);
      // And the skewed process reads the deadline back on its own clock.
      const seenByAhead = (await ahead.getThrottleDeadline(scope)) ?? 0;
      expect(seenByAhead - (Date.now() + skew)).toBeGreaterThan(1_500);
      expect(seenByAhead - (Date.now() + skew)).toBeLessThanOrEqual(2_050);

      // The other way round, for the breaker hint.
      await exact.setOpenUntil(scope, Date.now() + 3_000);
      const openForAhead = (await ahead.getOpenUntil(scope)) ?? 0;
      expect(openForAhead - (Date.now() + skew)).toBeGreaterThan(2_500);
      expect(openForAhead - (Date.now() + skew)).toBeLessThanOrEqual(3_050);
    },
  );
});

describe('createRedisScopeStore when Redis is unreachable', () => {
  it('times out a command that gets no answer and falls back, with onError told', async () => {
    // A server that accepts and never answers: the client never gets ready and its commands hang.
    const sockets: Socket[] = [];
    const blackHole = createServer((socket) => {
      sockets.push(socket);
    });
    blackHole.listen(0, '127.0.0.1');
    await once(blackHole, 'listening');
    const address = blackHole.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, connectTimeout: 10_000 });
    c.on('error', () => undefined);
    try {
      const errors: { error: unknown; ctx: RedisScopeStoreErrorContext }[] = [];
      const s = createRedisScopeStore({
        client: c,
        commandTimeoutMs: 100,
        onError: (error, ctx) => errors.push({ error, ctx }),
      });
      const started = Date.now();
      expect(await s.takeRetryToken('partner', budget)).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.ctx).toEqual({ operation: 'takeRetryToken', scope: 'partner', timedOut: true });
      expect(errors[0]?.error).toBeInstanceOf(RedisScopeStoreTimeoutError);
    } finally {
      c.disconnect();
      for (const socket of sockets) socket.destroy();
      blackHole.close();
    }
  });
});

// The store's rate limiter (`rateLimit`): its keys, unreadable keys, and Redis down.

describe('RedisScopeStore.rateLimit against redis-server', () => {
  it.skipIf(fixture.skip)('writes every key with a TTL', async () => {
    const errors: unknown[] = [];
    const s = await limiterStore(errors, { keyTtlMs: 60_000 });
    const l = limiter({ rules: [{ scope: 'partner', perMinute: 60, burst: 1 }] });
    const plan = l.plan({ partner: partnerId(), customer: 'c1' });
    expect(await s.rateLimit.acquire(plan, l.settings, Date.now())).toBe(0);
    await s.rateLimit.record({
      plan: plan,
      settings: l.settings,
      now: Date.now(),
      charged: PARTNER,
      sentMsAgo: 0,
      quietMs: 0,
    });
    expect(await s.rateLimit.acquire(plan, l.settings, Date.now())).toBeGreaterThan(0);
    const keys = [
      ...plan.rules.map((rule) => rule.key),
      ...plan.levels.map((level) => level.key),
      'w',
      's:c1',
    ].map((key) => s.rateLimitKey(plan.partner, key));
    expect(keys).toHaveLength(5);
    const reader = await client(10_000);
    // The levels' keys hold learnt rates: they live learntTtlMs (10 minutes by default), the others keyTtlMs.
    const levelKeys = new Set(plan.levels.map((level) => s.rateLimitKey(plan.partner, level.key)));
    for (const key of keys) {
      expect(await reader.exists(key), key).toBe(1);
      const ttl = await reader.pttl(key);
      expect(ttl, key).toBeGreaterThan(50_000);
      expect(ttl, key).toBeLessThanOrEqual(levelKeys.has(key) ? 600_000 : 60_000);
    }
    // Every key carries the partner's hash tag (one Cluster slot per script).
    for (const key of keys) expect(key.startsWith(`${prefix}{rl:${plan.partner}}:`)).toBe(true);
    expect(errors).toEqual([]);
  });
});

describe('RedisScopeStore with a key it cannot read', () => {
  it.skipIf(fixture.skip)(
    "a limiter key of the wrong type is reset and reported; it costs nobody else's sharing",
    async () => {
      const contexts: RedisScopeStoreErrorContext[] = [];
      const errors: unknown[] = [];
      const options = {
        onError: (error: unknown, context: RedisScopeStoreErrorContext) => {
          errors.push(error);
          contexts.push(context);
        },
      };
      const [a, b] = [await limiterStore([], options), await limiterStore([], options)];
      const failures: StoreFailure[] = [];
      b.onFailure?.((failure) => failures.push(failure));
      const l = limiter({});
      const partner = partnerId();
      const x = l.plan({ partner, customer: 'customer:x' });
      // Process A is told to wait 3 s on customer y.
      await a.extendThrottleDeadline('customer:y', Date.now() + 3_000);
      // Customer x's level key holds a string, not a hash.
      const reader = await client(10_000);
      const xKey = b.rateLimitKey(partner, x.levels[1]?.key ?? '');
      await reader.set(xKey, 'not a hash');
      // Process B's call for x goes on (the key is reset), and is reported once.
      expect(await b.rateLimit.acquire(x, l.settings, Date.now())).toBe(0);
      await b.rateLimit.record({
        plan: x,
        settings: l.settings,
        now: Date.now(),
        charged: 0,
        sentMsAgo: 0,
        quietMs: 0,
      });
      // B still shares A's deadline on y: it does not send inside A's Retry-After.
      expect(b.degraded).toBe(false);
      expect(await b.getThrottleDeadline('customer:y')).toBeGreaterThan(Date.now() + 2_000);
      expect(contexts).toEqual([
        { operation: 'rateLimit.acquire', scope: partner, timedOut: false, resetKey: xKey },
      ]);
      expect(String(errors[0])).toContain('it was reset');
      // The engine's subscription learns the same (it reports it through onStoreError).
      expect(failures.map((failure) => [failure.operation, failure.resetKey])).toEqual([
        ['rateLimit.acquire', xKey],
      ]);
      expect(await reader.type(xKey)).toBe('hash');
    },
  );

  it.skipIf(fixture.skip)(
    'a throttle key of the wrong type is reset and reported, other scopes unharmed',
    async () => {
      const contexts: RedisScopeStoreErrorContext[] = [];
      const s = await limiterStore([], { onError: (_error, context) => contexts.push(context) });
      const reader = await client(10_000);
      await reader.hset(s.keys('customer:z').throttle, 'x', '1');
      await s.extendThrottleDeadline('customer:w', Date.now() + 2_000);
      expect(await s.getThrottleDeadline('customer:z')).toBeUndefined();
      expect(contexts).toEqual([
        {
          operation: 'getThrottleDeadline',
          scope: 'customer:z',
          timedOut: false,
          resetKey: s.keys('customer:z').throttle,
        },
      ]);
      expect(await reader.exists(s.keys('customer:z').throttle)).toBe(0);
      expect(s.degraded).toBe(false);
      expect(await s.getThrottleDeadline('customer:w')).toBeGreaterThan(Date.now() + 1_000);
      // Written again, the deadline is kept.
      await s.extendThrottleDeadline('customer:z', Date.now() + 2_000);
      expect(await s.getThrottleDeadline('customer:z')).toBeGreaterThan(Date.now() + 1_000);
    },
  );

  it.skipIf(fixture.skip)(
    'a bucket whose refill time reads nan is reset, not waited on until the call budget is spent',
    async () => {
      const contexts: RedisScopeStoreErrorContext[] = [];
      const s = await limiterStore([], { onError: (_error, context) => contexts.push(context) });
      // The documented 500/min per customer: 8 at once, then one every 122 ms.
      const l = new RateLimiter({});
      const plan = l.plan({
        partner: partnerId(),
        customer: 'customer:c',
        method: 'GET',
        pathTemplate: '/v1/customers/{id}/subscriptions',
      });
      // Drained (however slow this machine is: a token comes back every 120 ms): a call must wait.
      let granted = 0;
      while (granted < 100 && (await s.rateLimit.acquire(plan, l.settings, Date.now())) === 0) granted += 1;
      expect(granted).toBeGreaterThanOrEqual(8);
      expect(granted).toBeLessThan(100);
      const reader = await client(10_000);
      const bucketKey = s.rateLimitKey(plan.partner, plan.rules[0]?.key ?? '');
      await reader.hset(bucketKey, 'l', 'nan', 't', '0');
      // Unreadable: reset (a full bucket), reported; the stored refill time is a number again.
      expect(await s.rateLimit.acquire(plan, l.settings, Date.now())).toBe(0);
      expect(contexts.map((context) => context.resetKey)).toEqual([bucketKey]);
      expect(Number.isFinite(Number(await reader.hget(bucketKey, 'l')))).toBe(true);
      expect(s.degraded).toBe(false);
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
      await expect(
        s.rateLimit.record({
          plan: free,
          settings: l.settings,
          now: Date.now(),
          charged: PARTNER,
          sentMsAgo: 0,
          quietMs: 0,
        }),
      ).resolves.toBeUndefined();
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
