import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import axios from 'axios';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { attachResilience } from '../../src/index.js';
import type { StoreErrorEvent } from '../../src/observability/events.js';
import {
  createRedisScopeStore,
  type RedisScopeStore,
  type RedisScopeStoreErrorContext,
} from '../../src/stores/redis.js';
import { scriptedAdapter } from '../helpers/scriptedAdapter.js';
import {
  connectClient,
  freePort,
  RedisFixture,
  type RedisProxy,
  spawnRedisServer,
  startRedisProxy,
  type TestRedis,
} from '../unit/stores/helpers/redisServer.js';

// Redis down must never block calls: each store operation is answered from memory within the command
// timeout, onError is told, and the store goes back to Redis once it is reachable again.

const fixture = new RedisFixture('the Redis-down integration tests');
const cleanups: (() => unknown)[] = [];

// Started while the file is collected, so that tests needing Redis can be skipped (outside CI) when it is missing.
await fixture.start();

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await fixture.stop();
});

const partner = { maxTokens: 50, refundPerSuccess: 0.2 };

function recorder() {
  const errors: RedisScopeStoreErrorContext[] = [];
  return { errors, onError: (_error: unknown, context: RedisScopeStoreErrorContext) => errors.push(context) };
}

/** An axios instance whose server answers one 429 (`retry-after-ms: 100`), then 200s. */
function throttledOnce(store: RedisScopeStore) {
  const server = scriptedAdapter([
    { status: 429, headers: { 'retry-after-ms': '100' }, data: { statusCode: 429, message: 'slow down' } },
    { status: 200, data: { ok: true } },
  ]);
  const api = axios.create({ baseURL: 'https://api.partnercenter.microsoft.com', adapter: server.adapter });
  const storeErrors: StoreErrorEvent[] = [];
  attachResilience(api, {
    store,
    retry: { jitter: 'none' },
    hooks: { onStoreError: (event) => void storeErrors.push(event) },
  });
  return { api, server, storeErrors };
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('Redis unreachable from the start', () => {
  it('calls proceed at once, onError is told, and the state falls back to memory (closed port)', async () => {
    const port = await freePort(); // nothing listens there
    const client = new Redis({
      host: '127.0.0.1',
      port,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => 1_000,
    });
    client.on('error', () => undefined);
    cleanups.push(() => client.disconnect());
    const { errors, onError } = recorder();
    const store = createRedisScopeStore({ client, onError, retryAfterFailureMs: 60_000 });
    const { api, server, storeErrors } = throttledOnce(store);

    const started = Date.now();
    const response = await api.get('/v1/customers');
    expect(response.status).toBe(200);
    expect(server.hits).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toMatchObject({ scope: 'partner', timedOut: false });
    // The same failures reach the library's hooks.
    expect(storeErrors.length).toBe(errors.length);
    expect(storeErrors[0]).toMatchObject({ scope: 'partner', operation: errors[0]?.operation });
    expect(store.degraded).toBe(true);

    // The 429 is remembered in memory: answered synchronously while Redis is known to be down.
    store.extendThrottleDeadline('partner', Date.now() + 5_000);
    const deadline = store.getThrottleDeadline('partner');
    expect(typeof deadline).toBe('number');
    expect(deadline).toBeGreaterThan(Date.now() + 4_000);
    expect(store.takeRetryToken('partner', partner)).toBe(true);
  });

  it('a Redis that never answers costs at most commandTimeoutMs per operation, then nothing', async () => {
    const sockets: Socket[] = [];
    const blackHole = createServer((socket) => {
      sockets.push(socket);
    });
    blackHole.listen(0, '127.0.0.1');
    await once(blackHole, 'listening');
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      blackHole.close();
    });
    const address = blackHole.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // Offline queue on (the ioredis default): commands wait for a connection that never gets ready.
    const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    cleanups.push(() => client.disconnect());
    const { errors, onError } = recorder();
    const store = createRedisScopeStore({ client, onError, commandTimeoutMs: 100 });
    const { api } = throttledOnce(store);

    const started = Date.now();
    await expect(api.get('/v1/customers')).resolves.toMatchObject({ status: 200 });
    // One timed-out read (100 ms), then memory for the rest of the call; plus the 100 ms Retry-After.
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(errors.filter((e) => e.timedOut)).toHaveLength(1);
  });
});

describe('Redis going down and coming back', () => {
  /** A Redis the test may stop and restart: its own redis-server when possible, else a proxy to the shared one. */
  async function outageTarget(): Promise<
    { host: string; port: number; down(): Promise<void>; up(): Promise<void> } | undefined
  > {
    const own: TestRedis | undefined = await spawnRedisServer();
    if (own) {
      let current: TestRedis | undefined = own;
      cleanups.push(() => current?.stop());
      return {
        host: own.host,
        port: own.port,
        async down() {
          await current?.stop();
          current = undefined;
        },
        async up() {
          current = await spawnRedisServer(own.port);
          if (!current) throw new Error('redis-server did not restart');
        },
      };
    }
    const shared = fixture.get();
    if (!shared) return undefined;
    const proxy: RedisProxy = await startRedisProxy(shared);
    cleanups.push(() => proxy.close());
    return proxy;
  }

  it.skipIf(fixture.skip)(
    'falls back while Redis is down and shares state again once it is back',
    async () => {
      if (!fixture.get()) return;
      const target = await outageTarget();
      if (!target) return;
      const keyPrefix = `pcr-down-${Date.now()}:`;
      const clientA = await connectClient(target);
      const clientB = await connectClient(target);
      cleanups.push(
        () => clientA.disconnect(),
        () => clientB.disconnect(),
      );
      const a = recorder();
      const options = { keyPrefix, retryAfterFailureMs: 100, commandTimeoutMs: 200 };
      const storeA = createRedisScopeStore({ client: clientA, onError: a.onError, ...options });
      const storeB = createRedisScopeStore({ client: clientB, ...options });

      // Up: shared.
      await storeA.extendThrottleDeadline('scope-1', Date.now() + 2_000);
      expect(await storeB.getThrottleDeadline('scope-1')).toBeGreaterThan(Date.now() + 1_000);

      // Down: a call through A is not blocked, A keeps its own state in memory, B cannot see it.
      await target.down();
      await waitUntil(() => clientA.status !== 'ready' && clientB.status !== 'ready');
      const { api, server } = throttledOnce(storeA);
      const started = Date.now();
      await expect(api.get('/v1/customers')).resolves.toMatchObject({ status: 200 });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(server.hits).toHaveLength(2);
      expect(a.errors.length).toBeGreaterThanOrEqual(1);
      await storeA.extendThrottleDeadline('scope-2', Date.now() + 5_000);
      expect(await storeA.getThrottleDeadline('scope-2')).toBeGreaterThan(Date.now() + 4_000);
      expect(await storeB.getThrottleDeadline('scope-2')).toBeUndefined();

      // Back: the clients reconnect, the stores use Redis again and share state.
      await target.up();
      await waitUntil(() => clientA.status === 'ready' && clientB.status === 'ready');
      await new Promise((r) => setTimeout(r, 150)); // past retryAfterFailureMs
      const errorsBefore = a.errors.length;
      await storeA.extendThrottleDeadline('scope-3', Date.now() + 3_000);
      await waitUntil(async () => ((await storeB.getThrottleDeadline('scope-3')) ?? 0) > Date.now() + 2_000);
      expect(await storeA.takeRetryToken('scope-3', { maxTokens: 1, refundPerSuccess: 0 })).toBe(true);
      expect(await storeB.takeRetryToken('scope-3', { maxTokens: 1, refundPerSuccess: 0 })).toBe(false);
      expect(a.errors.length).toBe(errorsBefore);
      expect(storeA.degraded).toBe(false);
      expect(await clientA.pttl(storeA.keys('scope-3').throttle)).toBeGreaterThan(0);
    },
  );
});
