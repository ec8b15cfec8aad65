import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import axios from 'axios';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  createSweepQueue,
  type SweepQueue,
  type SweepWorker,
  startSweepWorker,
} from '../../src/bullmq/index.js';
import { attachResilience, type ResilienceHandle, type TokenRequest } from '../../src/index.js';
import type { SweepTaskContext } from '../../src/sweep.js';
import { type Scenario, startPartnerCenterSimulator } from '../../src/testing/index.js';
import { RedisFixture } from '../unit/stores/helpers/redisServer.js';

/*
 * Sweeps through BullMQ on a real redis-server (PCR_REDIS_URL, else one spawned; skipped outside CI when there
 * is none), with the Partner Center simulator answering: two workers in this process, each with its own
 * attached instance. Short locks and stalled checks keep the takeover test under a second or two.
 */

const fixture = new RedisFixture('the BullMQ sweep tests');
await fixture.start();
afterAll(() => fixture.stop());

const PREFIX = 'pcr-sweep-test';
const open: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

function connection() {
  const redis = fixture.get();
  if (!redis) throw new Error('no redis');
  return { host: redis.host, port: redis.port };
}

function tenants(count: number): string[] {
  return Array.from({ length: count }, () => randomUUID());
}

async function simulator(scenario: Scenario) {
  const sim = await startPartnerCenterSimulator({ scenario, seed: 5 });
  open.push(() => sim.close());
  return sim;
}

/** An attached instance on the simulator: no retries of its own (the sweep's attempts are BullMQ's). */
function attached(url: string, extra: Parameters<typeof attachResilience>[1] = {}): ResilienceHandle {
  const agent = new Agent({ keepAlive: true });
  open.push(() => agent.destroy());
  return attachResilience(axios.create({ baseURL: url, httpAgent: agent, proxy: false }), {
    retry: { maxAttempts: 1 },
    ...extra,
  });
}

function queueOf(sweepId: string, extra: Partial<Parameters<typeof createSweepQueue>[0]> = {}): SweepQueue {
  const queue = createSweepQueue({
    sweepId,
    connection: connection(),
    prefix: PREFIX,
    retryDelayMs: 10,
    ...extra,
  });
  open.push(async () => {
    await queue.remove();
    await queue.close();
  });
  return queue;
}

type Task = (tenantId: string, context: SweepTaskContext) => Promise<unknown>;

async function workerOf(
  handle: ResilienceHandle,
  sweepId: string,
  task: Task,
  extra: Partial<Parameters<typeof startSweepWorker>[1]> = {},
): Promise<SweepWorker> {
  const worker = startSweepWorker(handle, {
    sweepId,
    connection: connection(),
    prefix: PREFIX,
    task,
    ...extra,
  });
  open.push(() => worker.close({ stop: 'cancel' }));
  await worker.worker.waitUntilReady();
  return worker;
}

/** The two reads of a tenant (its record and its subscriptions), through `handle`'s instance. */
function reads(
  handle: ResilienceHandle,
  runs: Array<{ tenantId: string; attempt: number; by: string }>,
  by: string,
) {
  return async (tenantId: string, context: SweepTaskContext) => {
    runs.push({ tenantId, attempt: context.attempt, by });
    await handle.instance.get(`/v1/customers/${tenantId}`, { signal: context.signal });
    await handle.instance.get(`/v1/customers/${tenantId}/subscriptions`, { signal: context.signal });
  };
}

const SUBSCRIPTIONS = '^/v1/customers/[^/]+/subscriptions$';

describe('sweeps through BullMQ (real Redis, the simulator as Partner Center)', () => {
  it.skipIf(fixture.skip)(
    'two workers: every tenant once, a 404 fails at once, a 503 passes on its second attempt, re-enqueueing adds nothing',
    async () => {
      const ids = tenants(24);
      const [gone, flaky] = ids as [string, string];
      const sim = await simulator({
        name: 'two faults',
        customers: ids,
        faults: [
          { name: 'gone', match: { path: SUBSCRIPTIONS, customer: gone }, respond: { status: 404 } },
          {
            name: 'flaky',
            match: { path: SUBSCRIPTIONS, customer: flaky },
            times: 1,
            respond: { status: 503 },
          },
        ],
      });
      const sweepId = `two-workers-${randomUUID()}`;
      const queue = queueOf(sweepId);
      const runs: Array<{ tenantId: string; attempt: number; by: string }> = [];
      // No quota here: a slow start would hold the first calls, and the concurrency asserted below would not grow.
      const a = attached(sim.url, { rateLimit: { slowStart: false } });
      const b = attached(sim.url, { rateLimit: { slowStart: false } });
      const workers = [
        await workerOf(a, sweepId, reads(a, runs, 'a')),
        await workerOf(b, sweepId, reads(b, runs, 'b')),
      ];

      const enqueued = await queue.enqueue(ids.concat(ids.slice(0, 3)));
      expect(enqueued).toEqual({ tenants: 24, batches: 1 });
      const seen: number[] = [];
      const report = await queue.waitUntilFinished({
        intervalMs: 20,
        timeoutMs: 30_000,
        onProgress: (p) => seen.push(p.pending),
      });

      expect(report).toMatchObject({ sweepId, complete: true, done: 23, failed: 1, pending: 0, total: 24 });
      expect(report.failures).toEqual([
        expect.objectContaining({ tenantId: gone, kind: 'not-found', status: 404, attempts: 1 }),
      ]);
      expect(report.failures[0]?.reason).toMatch(/404|not found/i);
      expect(report.durationMs).toBeGreaterThan(0);
      expect(Date.parse(report.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(report.startedAt ?? ''));
      expect(seen.at(-1)).toBe(0);
      // The 404: one attempt. The 503: retried by BullMQ once. Every other tenant: one run.
      const attemptsOf = (id: string) => runs.filter((r) => r.tenantId === id).map((r) => r.attempt);
      expect(attemptsOf(gone)).toEqual([1]);
      expect(attemptsOf(flaky)).toEqual([1, 2]);
      for (const id of ids.slice(2)) expect(attemptsOf(id)).toEqual([1]);
      expect(new Set(runs.map((r) => r.by))).toEqual(new Set(['a', 'b']));
      expect(workers[0]?.counters.calls).toBeGreaterThan(0);
      // No 429 and no limiter hold: the adaptive concurrency grew past its start (4), in BullMQ's worker too.
      for (const w of workers) expect(w.worker.concurrency).toBe(w.concurrency);
      expect(Math.max(...workers.map((w) => w.concurrency))).toBeGreaterThan(4);

      // Again, with the same sweep id: nothing is added, nothing runs again.
      await queue.enqueue(ids);
      expect(await queue.progress()).toEqual({ done: 23, failed: 1, pending: 0, running: 0, total: 24 });
      expect(runs).toHaveLength(25);
    },
  );
});

/** Every string Redis holds under the sweep's keys (hash fields and values, strings, list and set members). */
async function everythingStored(pattern: string): Promise<string> {
  const redis = new Redis(connection());
  open.push(() => redis.quit());
  const parts: string[] = [];
  for (const key of await redis.keys(pattern)) {
    const type = await redis.type(key);
    if (type === 'hash') parts.push(key, ...Object.entries(await redis.hgetall(key)).flat());
    else if (type === 'string') parts.push(key, (await redis.get(key)) ?? '');
    else if (type === 'list') parts.push(key, ...(await redis.lrange(key, 0, -1)));
    else if (type === 'zset') parts.push(key, ...(await redis.zrange(key, 0, -1)));
    else if (type === 'set') parts.push(key, ...(await redis.smembers(key)));
    else if (type === 'stream') parts.push(key, JSON.stringify(await redis.xrange(key, '-', '+')));
  }
  return parts.join('\n');
}

describe('what a sweep keeps in Redis', () => {
  it.skipIf(fixture.skip)(
    'a failure that quotes the bearer token and the client secret is stored redacted',
    async () => {
      const [leaky, fine] = tenants(2) as [string, string];
      const sim = await simulator({ name: 'auth', customers: [leaky, fine], auth: { required: true } });
      const tokens: string[] = [];
      const provider = sim.tokenProvider();
      const secret = 'client-secret-8f3a1c9e77';
      const handle = attached(sim.url, {
        secrets: [secret],
        tokenProvider: {
          async getToken(request: TokenRequest) {
            const token = await provider.getToken(request);
            tokens.push(token.token);
            return token;
          },
        },
      });
      const sweepId = `secrets-${randomUUID()}`;
      const queue = queueOf(sweepId, { maxAttempts: 2 });
      await workerOf(handle, sweepId, async (tenantId, { signal }) => {
        await handle.instance.get(`/v1/customers/${tenantId}`, { signal });
        if (tenantId === leaky) {
          throw new Error(
            `upstream said: Authorization: Bearer ${tokens.at(-1)} client_secret=${secret} (${secret})`,
          );
        }
      });
      await queue.enqueue([leaky, fine]);
      const report = await queue.waitUntilFinished({ intervalMs: 20, timeoutMs: 30_000 });

      expect(report).toMatchObject({ done: 1, failed: 1 });
      expect(report.failures).toEqual([
        expect.objectContaining({ tenantId: leaky, kind: 'unknown', attempts: 2 }),
      ]);
      expect(report.failures[0]?.reason).toContain('upstream said');
      expect(tokens.length).toBeGreaterThan(0);
      const stored = await everythingStored(`${PREFIX}:${sweepId}:*`);
      expect(stored).toContain('upstream said');
      for (const token of tokens) expect(stored).not.toContain(token);
      expect(stored).not.toContain(secret);
    },
  );
});

describe('a worker that goes away', () => {
  it.skipIf(fixture.skip)(
    "a worker closed mid-task without finishing: its tenant's lock runs out and another worker takes it over",
    async () => {
      const [stuck, ...rest] = tenants(3) as [string, ...string[]];
      const sim = await simulator({ name: 'takeover', customers: [stuck, ...rest] });
      const sweepId = `takeover-${randomUUID()}`;
      const queue = queueOf(sweepId);
      const runs: Array<{ tenantId: string; attempt: number; by: string }> = [];
      const a = attached(sim.url);
      let started!: () => void;
      const stuckStarted = new Promise<void>((resolve) => {
        started = resolve;
      });
      let release!: () => void;
      const hung = new Promise<void>((resolve) => {
        release = resolve;
      });
      open.push(() => release());
      const locks = { lockDurationMs: 300, stalledIntervalMs: 100 };
      const dying = await workerOf(
        a,
        sweepId,
        async (tenantId, context) => {
          runs.push({ tenantId, attempt: context.attempt, by: 'dying' });
          started();
          await hung;
        },
        { ...locks, initialConcurrency: 1, maxConcurrency: 1 },
      );
      await queue.enqueue([stuck]);
      await stuckStarted;
      // As a killed process: no more lock renewals, the job left active in Redis with its lock.
      await dying.worker.close(true);

      const b = attached(sim.url);
      const stalled: string[] = [];
      const heir = await workerOf(b, sweepId, reads(b, runs, 'heir'), locks);
      heir.worker.on('stalled', (jobId) => stalled.push(jobId));
      await queue.enqueue(rest);
      const report = await queue.waitUntilFinished({ intervalMs: 20, timeoutMs: 30_000 });

      expect(report).toMatchObject({ complete: true, done: 3, failed: 0 });
      expect(stalled).toEqual([`${sweepId}.${stuck}`]);
      expect(runs.filter((r) => r.tenantId === stuck)).toEqual([
        { tenantId: stuck, attempt: 1, by: 'dying' },
        { tenantId: stuck, attempt: 2, by: 'heir' },
      ]);
    },
  );

  it.skipIf(fixture.skip)(
    "close with stop 'cancel': running tasks are aborted and their tenants wait again, no attempt counted",
    async () => {
      const ids = tenants(2);
      const sim = await simulator({ name: 'cancel', customers: ids });
      const sweepId = `cancel-${randomUUID()}`;
      const queue = queueOf(sweepId);
      const handle = attached(sim.url);
      const aborted: string[] = [];
      let running = 0;
      let bothRunning!: () => void;
      const both = new Promise<void>((resolve) => {
        bothRunning = resolve;
      });
      const first = await workerOf(handle, sweepId, (tenantId, { signal }) => {
        running += 1;
        if (running === 2) bothRunning();
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted.push(tenantId);
            reject(signal.reason);
          }),
        );
      });
      await queue.enqueue(ids);
      await both;
      await first.close({ stop: 'cancel' });

      expect(aborted.sort()).toEqual([...ids].sort());
      expect(await queue.progress()).toEqual({ done: 0, failed: 0, pending: 2, running: 0, total: 2 });
      // No failed attempt counted.
      for (const id of ids) expect((await queue.queue.getJob(`${sweepId}.${id}`))?.attemptsMade).toBe(0);
      const runs: Array<{ tenantId: string; attempt: number; by: string }> = [];
      await workerOf(handle, sweepId, reads(handle, runs, 'second'));
      const report = await queue.waitUntilFinished({ intervalMs: 20, timeoutMs: 30_000 });
      expect(report).toMatchObject({ done: 2, failed: 0 });
      // Started again (the context's attempt counts starts).
      for (const run of runs) expect(run.attempt).toBeGreaterThanOrEqual(2);
    },
  );
});

describe('the producer', () => {
  it.skipIf(fixture.skip)(
    'enqueues from an async iterable in batches, refuses a bad tenant id, and a wait ends at its timeout',
    async () => {
      const ids = tenants(5);
      const sweepId = `producer-${randomUUID()}`;
      const queue = queueOf(sweepId, { batchSize: 2 });
      async function* source() {
        yield* ids;
        yield ids[0] as string;
      }
      expect(await queue.enqueue(source())).toEqual({ tenants: 5, batches: 3 });
      expect(await queue.progress()).toEqual({ done: 0, failed: 0, pending: 5, running: 0, total: 5 });
      expect((await queue.queue.getJob(`${sweepId}.${ids[1]}`))?.data).toEqual({ tenantId: ids[1] });

      await expect(queue.enqueue(['fine-one', 'not:this one'])).rejects.toThrow(
        /enqueue: a tenant id must be 1 to 128 letters/,
      );
      // The batch with the bad id was not sent: nothing of it is in the queue.
      expect((await queue.progress()).total).toBe(5);

      // No worker: the wait ends at its timeout with the sweep as it is.
      const report = await queue.waitUntilFinished({ intervalMs: 10, timeoutMs: 50 });
      expect(report).toMatchObject({ complete: false, pending: 5, failures: [], startedAt: undefined });
      const stop = new AbortController();
      stop.abort();
      expect((await queue.waitUntilFinished({ signal: stop.signal })).complete).toBe(false);
    },
  );

  it.skipIf(fixture.skip)(
    'a tenant taken over more than maxStalledCount times fails; the report says why (kind unknown)',
    async () => {
      const [stuck] = tenants(1) as [string];
      const sim = await simulator({ name: 'stalled', customers: [stuck] });
      const sweepId = `stalled-${randomUUID()}`;
      const queue = queueOf(sweepId);
      const handle = attached(sim.url);
      let release!: () => void;
      const hung = new Promise<void>((resolve) => {
        release = resolve;
      });
      open.push(() => release());
      let started!: () => void;
      const running = new Promise<void>((resolve) => {
        started = resolve;
      });
      const locks = { lockDurationMs: 300, stalledIntervalMs: 100, maxStalledCount: 0 };
      const dying = await workerOf(
        handle,
        sweepId,
        async () => {
          started();
          await hung;
        },
        locks,
      );
      await queue.enqueue([stuck]);
      await running;
      await dying.worker.close(true);
      await workerOf(handle, sweepId, async () => undefined, locks);
      const report = await queue.waitUntilFinished({ intervalMs: 20, timeoutMs: 30_000 });

      expect(report).toMatchObject({ complete: true, done: 0, failed: 1 });
      expect(report.failures).toEqual([
        expect.objectContaining({
          tenantId: stuck,
          kind: 'unknown',
          reason: expect.stringMatching(/stalled/),
        }),
      ]);
    },
  );
});
