import { randomUUID } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { attachResilience, type ResilienceHandle, type ScopeStateStore } from '../../src/index.js';
import { createRedisScopeStore } from '../../src/stores/redis.js';
import { InMemoryScopeStateStore } from '../../src/tenancy/InMemoryScopeStateStore.js';
import { type Hit, type Step, scriptedAdapter } from '../helpers/scriptedAdapter.js';
import { connectClient, RedisFixture } from '../unit/stores/helpers/redisServer.js';

// Two "processes": two axios instances, each with its own store and its own Redis connection, sharing one
// Partner Center quota (one scripted server) and one scope.

const fixture = new RedisFixture('the shared-scope integration tests');
const clients: Redis[] = [];

// Started while the file is collected, so that tests needing Redis can be skipped (outside CI) when it is missing.
await fixture.start();

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await fixture.stop();
});

async function redisStore(prefix: string): Promise<ScopeStateStore> {
  const redis = fixture.get();
  if (!redis) throw new Error('no redis');
  const client = await connectClient(redis);
  clients.push(client);
  return createRedisScopeStore({ client, keyPrefix: prefix, onError: (e) => console.error(e) });
}

interface Process {
  readonly api: AxiosInstance;
  readonly handle: ResilienceHandle;
  readonly gateWaits: number[];
}

function startProcess(
  name: string,
  adapter: ReturnType<typeof scriptedAdapter>['adapter'],
  store: ScopeStateStore,
  extra: Parameters<typeof attachResilience>[1] = {},
): Process {
  const api = axios.create({ baseURL: 'https://api.partnercenter.microsoft.com', adapter });
  api.defaults.headers.common['x-process'] = name;
  const gateWaits: number[] = [];
  const handle = attachResilience(api, { store, retry: { jitter: 'none' }, ...extra });
  handle.onThrottle((event) => {
    if (event.source === 'gate') gateWaits.push(event.retryAfterMs);
  });
  return { api, handle, gateWaits };
}

/** A server whose first answer is a 429 with `retry-after-ms: 300`; it remembers the deadline it set. */
function throttlingServer() {
  let deadline = Number.POSITIVE_INFINITY;
  const server = scriptedAdapter((hit: Hit, index: number): Step => {
    if (index === 0) {
      deadline = hit.at + 300;
      return {
        status: 429,
        headers: { 'retry-after-ms': '300' },
        data: { statusCode: 429, message: 'slow down' },
      };
    }
    return { status: 200, data: { ok: true } };
  });
  return {
    ...server,
    get deadline() {
      return deadline;
    },
    hitsOf: (name: string) => server.hits.filter((h) => h.headers['x-process'] === name),
  };
}

async function firstThrottle(p: Process): Promise<string> {
  return new Promise((resolve) => {
    const sub = p.handle.onThrottle((event) => {
      sub.dispose();
      resolve(event.scope);
    });
  });
}

/** A's call meets the 429; once A's store has recorded it, B starts a call on the same scope. */
async function scenario(storeA: ScopeStateStore, storeB: ScopeStateStore) {
  const server = throttlingServer();
  const a = startProcess('A', server.adapter, storeA);
  const b = startProcess('B', server.adapter, storeB);
  const throttled = firstThrottle(a);
  const callA = a.api.get('/v1/customers');
  const scope = await throttled;
  // The engine writes the deadline without awaiting it; a read on A's own connection is ordered after it.
  await storeA.getThrottleDeadline(scope);
  const callB = b.api.get('/v1/customers');
  const [resA, resB] = await Promise.all([callA, callB]);
  return { server, a, b, resA, resB, scope };
}

describe('two processes sharing a scope through Redis', () => {
  it.skipIf(fixture.skip)(
    'a 429 seen by one process makes the other wait for the deadline before sending',
    async () => {
      if (!fixture.get()) return;
      const prefix = `pcr-it-${randomUUID().slice(0, 8)}:`;
      const { server, a, b, resA, resB, scope } = await scenario(
        await redisStore(prefix),
        await redisStore(prefix),
      );
      expect(scope).toBe('partner');
      expect(resA.status).toBe(200);
      expect(resB.status).toBe(200);
      // A: the 429 and its retry; B: one request, sent only after the server's deadline.
      expect(server.hitsOf('A')).toHaveLength(2);
      expect(server.hitsOf('B')).toHaveLength(1);
      expect(server.hits[0]?.headers['x-process']).toBe('A');
      const early = server.hits.slice(1).filter((h) => h.at < server.deadline);
      expect(early).toEqual([]);
      // B waited at the gate because of A's 429 (it never saw a 429 itself).
      expect(b.gateWaits.length).toBeGreaterThanOrEqual(1);
      expect(b.gateWaits[0]).toBeGreaterThan(0);
      expect(b.gateWaits[0]).toBeLessThanOrEqual(300);
      expect(a.gateWaits).toEqual([]);
    },
  );

  it('control: with separate in-memory stores the other process hits the server during the throttle window', async () => {
    const { server, b } = await scenario(new InMemoryScopeStateStore(), new InMemoryScopeStateStore());
    const hitB = server.hitsOf('B')[0];
    expect(hitB?.at).toBeLessThan(server.deadline);
    expect(b.gateWaits).toEqual([]);
  });

  it.skipIf(fixture.skip)(
    'a breaker opened by one process refuses the other process’s calls before anything is sent',
    async () => {
      if (!fixture.get()) return;
      const prefix = `pcr-it-${randomUUID().slice(0, 8)}:`;
      const server = scriptedAdapter([{ status: 500, data: { code: 500, description: 'down' } }]);
      const breaker = {
        retry: { maxAttempts: 1 },
        circuitBreaker: { strategy: { type: 'consecutive' as const, threshold: 2 }, halfOpenAfterMs: 30_000 },
      };
      const storeA = await redisStore(prefix);
      const a = startProcess('A', server.adapter, storeA, breaker);
      const b = startProcess('B', server.adapter, await redisStore(prefix), breaker);
      await expect(a.api.get('/v1/customers')).rejects.toMatchObject({ kind: 'server' });
      await expect(a.api.get('/v1/customers')).rejects.toMatchObject({ kind: 'server' });
      expect(a.handle.breakerState('partner')).toBe('open');
      await storeA.getOpenUntil('partner'); // ordered after the engine's write on A's connection
      const before = server.hits.length;
      await expect(b.api.get('/v1/customers')).rejects.toMatchObject({ kind: 'circuit-open' });
      expect(server.hits.length).toBe(before);
    },
  );

  it.skipIf(fixture.skip)('shares one retry budget between the processes', async () => {
    if (!fixture.get()) return;
    const prefix = `pcr-it-${randomUUID().slice(0, 8)}:`;
    const server = scriptedAdapter([
      { status: 503, headers: { 'retry-after-ms': '1' }, data: { code: 503 } },
    ]);
    const policy = { retry: { maxAttempts: 10 }, retryBudget: { maxTokens: 3, refundPerSuccess: 0.1 } };
    const a = startProcess('A', server.adapter, await redisStore(prefix), policy);
    const b = startProcess('B', server.adapter, await redisStore(prefix), policy);
    await expect(a.api.get('/v1/customers')).rejects.toMatchObject({ status: 503 });
    await expect(b.api.get('/v1/customers')).rejects.toMatchObject({ status: 503 });
    // 3 retries in all: A spends the budget (1 + 3 attempts), B gets its first attempt only.
    expect(server.hits.filter((h) => h.headers['x-process'] === 'A')).toHaveLength(4);
    expect(server.hits.filter((h) => h.headers['x-process'] === 'B')).toHaveLength(1);
  });
});
