import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { attachResilience, type ResilienceHandle } from '../../src/index.js';
import { type SweepProgress, sweepTenants } from '../../src/sweep.js';
import {
  type PartnerCenterSimulator,
  type Scenario,
  startPartnerCenterSimulator,
} from '../../src/testing/index.js';

/*
 * sweepTenants over real HTTP against the Partner Center simulator: every customer of the partner (read from
 * GET /v1/customers), a task per tenant through the attached instance, a checkpoint file, and a resume.
 */

const open: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function simulator(scenario: Scenario): Promise<PartnerCenterSimulator> {
  const sim = await startPartnerCenterSimulator({ scenario, seed: 5 });
  open.push(() => sim.close());
  return sim;
}

function attach(sim: PartnerCenterSimulator): ResilienceHandle {
  const agent = new Agent({ keepAlive: true });
  open.push(() => agent.destroy());
  const instance = axios.create({ baseURL: sim.url, httpAgent: agent, proxy: false });
  return attachResilience(instance, { retry: { baseDelayMs: 1, maxDelayMs: 10 } });
}

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pcr-sweep-'));
  open.push(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'checkpoint.json');
}

describe('sweepTenants against the simulator', () => {
  it('runs the task once for every customer the partner has, and saves them all as done', async () => {
    const sim = await simulator({ name: 'customers', customers: 1200 });
    const handle = attach(sim);
    const file = await tempFile();
    const seen = new Map<string, number>();
    const progress: SweepProgress[] = [];
    const report = await sweepTenants(handle, {
      checkpoint: file,
      task: async (tenantId, { signal }) => {
        seen.set(tenantId, (seen.get(tenantId) ?? 0) + 1);
        await handle.instance.get(`/v1/customers/${tenantId}/subscriptions`, { signal });
      },
      onProgress: (p) => progress.push(p),
    });
    expect(report.outcome).toBe('completed');
    expect(report.done).toBe(1200);
    expect(report.failed).toBe(0);
    expect(report.pending).toBe(0);
    expect([...seen.keys()].sort()).toEqual([...sim.customerIds].sort());
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    // 1200 subscription reads and 3 pages of 500 customers.
    expect(report.calls).toBe(1203);
    expect(progress.at(-1)).toMatchObject({ done: 1200, pending: 0, totalKnown: true });
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.done).toHaveLength(1200);
    expect(saved.pending).toEqual([]);
    expect(saved.complete).toBe(true);
  });

  it('resumed with the same checkpoint, runs only what is not done', async () => {
    const sim = await simulator({ name: 'customers', customers: 300 });
    const handle = attach(sim);
    const file = await tempFile();
    const controller = new AbortController();
    let started = 0;
    const first = await sweepTenants(handle, {
      checkpoint: file,
      signal: controller.signal,
      task: async () => {
        started += 1;
        if (started === 100) controller.abort();
      },
    });
    expect(first.outcome).toBe('aborted');
    expect(first.done).toBeGreaterThanOrEqual(100);
    expect(first.done).toBeLessThan(300);
    const doneBefore = new Set<string>(JSON.parse(await readFile(file, 'utf8')).done);
    expect(doneBefore.size).toBe(first.done);

    const second: string[] = [];
    const report = await sweepTenants(handle, {
      checkpoint: file,
      task: async (tenantId) => {
        second.push(tenantId);
      },
    });
    expect(report.outcome).toBe('completed');
    expect(report.skipped).toBe(first.done);
    expect(report.done).toBe(300);
    expect(second.filter((id) => doneBefore.has(id))).toEqual([]);
    expect(second.length + doneBefore.size).toBe(300);
  });

  it('one tenant failing every request (its breaker open) fails alone; the others are all done', async () => {
    const guid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const customers = Array.from({ length: 60 }, (_, i) => guid(i + 1));
    const broken = guid(7);
    const sim = await simulator({
      name: 'one broken tenant',
      customers,
      faults: [{ name: 'broken', match: { customer: broken }, respond: { status: 503 } }],
    });
    const handle = attach(sim);
    const report = await sweepTenants(handle, {
      tenants: customers,
      retryDelayMs: 5,
      task: async (tenantId, { signal }) => {
        await handle.instance.get(`/v1/customers/${tenantId}/subscriptions`, { signal });
      },
    });
    expect(report).toMatchObject({ outcome: 'completed', done: 59, failed: 1, pending: 0 });
    expect(report.failures).toEqual([
      expect.objectContaining({
        tenantId: broken,
        attempts: 3,
        kind: expect.stringMatching(/^(server|circuit-open)$/),
      }),
    ]);
  });
});
