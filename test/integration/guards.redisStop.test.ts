import axios from 'axios';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { attachResilience, isPartnerCenterError } from '../../src/index.js';
import {
  createRedisScopeStore,
  type RedisScopeStoreErrorContext,
  RedisScopeStoreTimeoutError,
} from '../../src/stores/redis.js';
import { scriptedAdapter } from '../helpers/scriptedAdapter.js';
import { connectClient, spawnRedisServer } from '../unit/stores/helpers/redisServer.js';

/*
 * Issue 29: a redis-server stopped with SIGSTOP (not killed) keeps its connections open and answers nothing:
 * the client stays `ready`, commands pile up unanswered. Calls must not hang on it: each store operation is
 * answered from memory once the store's command timeout fires, and after SIGCONT the store uses Redis again.
 * This file starts a throwaway redis-server of its own (it must not stop the one other files share).
 */

/** Under CI (or .ci/run) a missing redis-server fails, as in the other Redis tests. */
const REQUIRED = Boolean(process.env['CI'] || process.env['PCR_REDIS_REQUIRED']);
const MISSING =
  'redis-server is not installed (or did not start): the Redis SIGSTOP test needs one of its own';

// A redis-server of this file's own: it is stopped with SIGSTOP, which a shared one must never be.
const own = await spawnRedisServer();
const clients: Redis[] = [];

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await own?.stop();
});

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${what}: not reached`);
}

describe('a redis-server stopped with SIGSTOP (issue 29)', () => {
  it('calls fall back to memory after the command timeout instead of hanging, and use Redis again after SIGCONT', async (ctx) => {
    if (!own) {
      if (REQUIRED) throw new Error(`${MISSING}; it cannot be skipped in CI`);
      ctx.skip(MISSING);
      return;
    }
    const prefix = `pcr-stop-${Date.now()}:`;
    const clientA = await connectClient(own, { commandTimeout: 2_000 });
    const clientB = await connectClient(own, { commandTimeout: 2_000 });
    clients.push(clientA, clientB);
    const errors: { error: unknown; context: RedisScopeStoreErrorContext }[] = [];
    // The store's clock runs `skew` ahead: moving it past retryAfterFailureMs lets the store try Redis again
    // without waiting a minute of wall time.
    let skew = 0;
    const storeA = createRedisScopeStore({
      client: clientA,
      keyPrefix: prefix,
      commandTimeoutMs: 100,
      retryAfterFailureMs: 60_000,
      now: () => Date.now() + skew,
      onError: (error, context) => void errors.push({ error, context }),
    });
    const storeB = createRedisScopeStore({ client: clientB, keyPrefix: prefix, commandTimeoutMs: 2_000 });

    // The server throttles the first call of every scope (Retry-After 10 min), then answers 200.
    const seen = new Set<string>();
    const server = scriptedAdapter((hit) => {
      const scope = hit.headers['x-scope'] ?? '';
      if (hit.headers['x-throttle'] === '1' && !seen.has(scope)) {
        seen.add(scope);
        return {
          status: 429,
          headers: { 'retry-after-ms': '600000' },
          data: { statusCode: 429, message: 'slow' },
        };
      }
      return { status: 200, data: { ok: true } };
    });
    const api = axios.create({ baseURL: 'https://api.partnercenter.microsoft.com', adapter: server.adapter });
    attachResilience(api, {
      store: storeA,
      retry: { maxAttempts: 1 },
      timeout: { attemptMs: 5_000, totalMs: 10_000 },
      rateLimit: { throttleLevel: 'customer' },
    });
    const call = (tenant: string, throttle = false) =>
      api
        .get('/v1/subscriptions', {
          partnerCenter: { tenant },
          headers: { 'x-scope': tenant, 'x-throttle': throttle ? '1' : '0' },
        })
        .then(
          (response) => ({ status: response.status, kind: undefined }),
          (error: unknown) => {
            if (!isPartnerCenterError(error)) throw error;
            return { status: error.status, kind: error.kind };
          },
        );

    // Up: a 429 of tenant t1 reaches Redis (another client reads it).
    expect(await call('t1', true)).toEqual({ status: 429, kind: 'throttled' });
    // (The engine does not wait for the write of a deadline: wait until it has landed.)
    const written = (tenant: string) => async () =>
      (await clientB.pttl(storeA.keys(`customer:${tenant}`).throttle)) > 0;
    await waitUntil(written('t1'), "t1's deadline in Redis");
    expect(errors).toEqual([]);

    own.kill?.('SIGSTOP');
    try {
      // Stopped: the connection stays up (no error, no reconnect) but nothing is answered.
      expect(clientA.status).toBe('ready');
      const hitsBefore = server.hits.length;
      expect(await call('t2')).toEqual({ status: 200, kind: undefined });
      expect(await call('t3', true)).toEqual({ status: 429, kind: 'throttled' });
      // t3's 429 is kept in memory: its next call is held back without reaching the server.
      expect(await call('t3', true)).toMatchObject({ kind: 'throttled' });
      expect(await call('t4')).toEqual({ status: 200, kind: undefined });
      expect(server.hits.length - hitsBefore).toBe(3);

      // One operation waited for the command timeout; the store then answered every other from memory at
      // once (retryAfterFailureMs), and no operation failed any other way.
      expect(errors.map((e) => e.context.timedOut)).toEqual([true]);
      expect(errors[0]?.error).toBeInstanceOf(RedisScopeStoreTimeoutError);
      expect(storeA.degraded).toBe(true);
    } finally {
      own.kill?.('SIGCONT');
    }

    // Resumed, and the store's failure window over: the store goes back to Redis.
    await waitUntil(async () => (await clientB.ping()) === 'PONG', 'redis answers again');
    skew = 61_000;
    expect(storeA.degraded).toBe(false);
    expect(await call('t5', true)).toEqual({ status: 429, kind: 'throttled' });
    await waitUntil(written('t5'), "t5's deadline in Redis");
    // Another process sharing the Redis sees t5's deadline.
    expect(await storeB.getThrottleDeadline('customer:t5')).toBeGreaterThan(Date.now());
    expect(errors).toHaveLength(1);
  });
});
