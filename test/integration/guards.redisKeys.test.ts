import { randomUUID } from 'node:crypto';
import axios from 'axios';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { attachResilience, isPartnerCenterError, type ResilienceHandle } from '../../src/index.js';
import {
  createRedisScopeStore,
  type RedisScopeStore,
  type RedisScriptClient,
} from '../../src/stores/redis.js';
import { scriptedAdapter } from '../helpers/scriptedAdapter.js';
import { connectClient, RedisFixture } from '../unit/stores/helpers/redisServer.js';

/*
 * Issue 29: hostile customer tenant ids with the Redis store. Each id keeps a key space of its own (no two ids
 * share a key, so one tenant's 429 never throttles another), every script touches keys of one Redis Cluster
 * slot (no CROSSSLOT error), and keys stay bounded and single-line. Ids with a control character are not
 * tenants: they use the partner scope (documented), never a key with a line break in it.
 */

const fixture = new RedisFixture('the hostile tenant id tests');
const clients: Redis[] = [];
await fixture.start();

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await fixture.stop();
});

/** CRC16/XMODEM, as Redis Cluster hashes keys. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The Redis Cluster slot of `key`: the hash tag (first `{...}` with something inside) if any, else the key. */
function slotOf(key: string): number {
  const open = key.indexOf('{');
  let hashed = key;
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) hashed = key.slice(open + 1, close);
  }
  return crc16(Buffer.from(hashed, 'utf8')) % 16_384;
}

const TEN_KB = 'k'.repeat(10 * 1024);

/** Ids that are tenants: each must get a scope, and keys, of its own. */
const CUSTOMER_IDS = [
  'a}b{c',
  'a',
  '}',
  '{',
  '{}',
  '}{',
  'a{b}c',
  'customer:a',
  '*',
  '?',
  '[ab]',
  'pcr:{x}',
  `${TEN_KB}1`,
  `${TEN_KB}2`,
  'café',
  '\u{1F600}',
  'a\u202Eb',
  '\u0130',
  '\u4E2D\u6587',
];
/** Ids with a control character: not tenants, the partner scope. */
const CONTROL_IDS = ['\n', 'a\nb', '\r\n', 'x\u2028y', '\u0000'];
/** Never called in the first process: shares the hash tag prefix of `a}b{c` (`{customer:a}`). */
const UNSEEN_ID = 'a}b{d';

/** What a call ended with, and the scope its event named. */
interface Outcome {
  readonly status: number | undefined;
  readonly kind?: string | undefined;
  readonly scope: string | undefined;
}

interface Process {
  readonly handle: ResilienceHandle;
  readonly store: RedisScopeStore;
  readonly hits: { headers: Record<string, string> }[];
  readonly scripts: string[][];
  readonly storeErrors: unknown[];
  call(id: string): Promise<Outcome>;
}

/**
 * One process: its own Redis connection and store, sharing `prefix`. Its server answers a call whose request
 * carries `x-throttle` with a 429 (Retry-After 10 min), else 200.
 */
async function startProcess(prefix: string): Promise<Process> {
  const redis = fixture.get();
  if (!redis) throw new Error('no redis');
  const client = await connectClient(redis, { commandTimeout: 5_000 });
  clients.push(client);
  const scripts: string[][] = [];
  const recording: RedisScriptClient = {
    evalsha(sha1, numkeys, ...args) {
      scripts.push(args.slice(0, numkeys).map(String));
      return client.evalsha(sha1, numkeys, ...args);
    },
    eval(script, numkeys, ...args) {
      scripts.push(args.slice(0, numkeys).map(String));
      return client.eval(script, numkeys, ...args);
    },
  };
  const storeErrors: unknown[] = [];
  const store = createRedisScopeStore({
    client: recording,
    keyPrefix: prefix,
    commandTimeoutMs: 5_000,
    onError: (error) => storeErrors.push(error),
  });
  const server = scriptedAdapter((hit) =>
    hit.headers['x-throttle'] === '1'
      ? {
          status: 429,
          headers: { 'retry-after-ms': '600000' },
          data: { statusCode: 429, message: 'slow down' },
        }
      : { status: 200, data: { ok: true } },
  );
  const api = axios.create({ baseURL: 'https://api.partnercenter.microsoft.com', adapter: server.adapter });
  const handle = attachResilience(api, {
    store,
    storeTimeoutMs: 5_000,
    retry: { maxAttempts: 1 },
    timeout: { attemptMs: 5_000, totalMs: 10_000 },
    rateLimit: { throttleLevel: 'customer' },
  });
  const scopes: string[] = [];
  handle.onGiveUp((event) => void scopes.push(event.scope));
  handle.onSuccess((event) => void scopes.push(event.scope));
  return {
    handle,
    store,
    hits: server.hits,
    scripts,
    storeErrors,
    async call(id) {
      const before = scopes.length;
      const throttle = CONTROL_IDS.includes(id) ? '0' : '1';
      const outcome = await api
        .get('/v1/subscriptions', { partnerCenter: { tenant: id }, headers: { 'x-throttle': throttle } })
        .then(
          (response) => ({ status: response.status }),
          (error: unknown) => {
            if (!isPartnerCenterError(error)) throw error;
            return { status: error.status, kind: error.kind };
          },
        );
      expect(scopes.length).toBe(before + 1);
      return { ...outcome, scope: scopes[before] };
    },
  };
}

async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

describe('hostile tenant ids keep their own Redis keys (issue 29)', () => {
  it("the slot function is Redis Cluster's", () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3);
    expect(slotOf('foo')).toBe(12_182);
    expect(slotOf('{user1000}.following')).toBe(slotOf('{user1000}.followers'));
    expect(slotOf('foo{}{bar}')).toBe(crc16(Buffer.from('foo{}{bar}')) % 16_384);
    expect(slotOf('foo{{bar}}zap')).toBe(slotOf('{bar'));
  });

  it.skipIf(fixture.skip)(
    'each id has its own scope and keys, one slot per script, and a second process reads each back',
    async () => {
      if (!fixture.get()) return;
      const prefix = `pcr-guards-${randomUUID()}:`;
      const a = await startProcess(prefix);

      // Process A: every customer id is answered 429 (its own throttle key is written); control ids 200.
      const scopeOf = new Map<string, string>();
      for (const id of [...CUSTOMER_IDS, ...CONTROL_IDS]) {
        const outcome = await a.call(id);
        scopeOf.set(id, outcome.scope ?? '');
        if (CONTROL_IDS.includes(id)) expect(outcome).toMatchObject({ status: 200, scope: 'partner' });
        else expect(outcome).toMatchObject({ status: 429, kind: 'throttled' });
      }
      // No call was held back by another id's 429: every one reached the server.
      expect(a.hits).toHaveLength(CUSTOMER_IDS.length + CONTROL_IDS.length);

      const customerScopes = CUSTOMER_IDS.map((id) => scopeOf.get(id) ?? '');
      expect(new Set(customerScopes).size).toBe(CUSTOMER_IDS.length);
      for (const scope of customerScopes) {
        expect(scope).not.toBe('partner');
        expect(scope.length).toBeLessThanOrEqual(80);
        expect(scope).toMatch(/^[^\p{Cc}\u2028\u2029]+$/u);
      }

      // In Redis: one throttle key per customer id, each alive; every key bounded and single-line.
      const reader = clients[0] as Redis;
      const keys = await keysUnder(reader, prefix);
      const throttleKeys = keys.filter((key) => key.endsWith(':throttle'));
      expect(throttleKeys.sort()).toEqual(customerScopes.map((scope) => a.store.keys(scope).throttle).sort());
      for (const scope of customerScopes) {
        const key = a.store.keys(scope).throttle;
        expect(await reader.pttl(key), key).toBeGreaterThan(0);
        // The scope's keys share one slot.
        const { throttle, open, budget } = a.store.keys(scope);
        expect(new Set([slotOf(throttle), slotOf(open), slotOf(budget)]).size).toBe(1);
      }
      for (const key of keys) {
        expect(key.length, key).toBeLessThanOrEqual(prefix.length + 200);
        expect(key).toMatch(/^[^\p{Cc}\u2028\u2029]+$/u);
      }

      // Every script the store sent touched keys of one slot only (a Cluster would answer CROSSSLOT otherwise).
      expect(a.scripts.some((scriptKeys) => scriptKeys.length > 1)).toBe(true);
      for (const scriptKeys of a.scripts) {
        expect(new Set(scriptKeys.map(slotOf)).size, scriptKeys.join(' ')).toBe(1);
        for (const key of scriptKeys) expect(key.startsWith(prefix)).toBe(true);
      }
      expect(a.storeErrors).toEqual([]);

      // Process B (its own connection and store): each customer id is held back by its own deadline, read from
      // its own key, without reaching the server; an id never seen, sharing the hash tag prefix of `a}b{c`, and
      // the control ids are not.
      const b = await startProcess(prefix);
      for (const id of CUSTOMER_IDS) {
        const outcome = await b.call(id);
        expect(outcome.kind, JSON.stringify(id.slice(0, 20))).toBe('throttled');
        expect(outcome.scope).toBe(scopeOf.get(id));
      }
      expect(b.hits).toHaveLength(0);
      const unseen = await b.call(UNSEEN_ID);
      expect(unseen.status).toBe(429);
      expect(customerScopes).not.toContain(unseen.scope);
      expect(b.hits).toHaveLength(1);
      for (const id of CONTROL_IDS) expect(await b.call(id)).toMatchObject({ status: 200, scope: 'partner' });
      expect(b.hits).toHaveLength(1 + CONTROL_IDS.length);
      for (const scriptKeys of b.scripts) expect(new Set(scriptKeys.map(slotOf)).size).toBe(1);
      expect(b.storeErrors).toEqual([]);

      for (const key of await keysUnder(reader, prefix)) await reader.del(key);
    },
  );
});
