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
import { attachResilience, type ResilienceHandle } from '../../src/index.js';
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
      const a = attached(sim.url);
      const b = attached(sim.url);
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

      // Again, with the same sweep id: nothing is added, nothing runs again.
      await queue.enqueue(ids);
      expect(await queue.progress()).toEqual({ done: 23, failed: 1, pending: 0, running: 0, total: 24 });
      expect(runs).toHaveLength(25);
    },
  );
});
