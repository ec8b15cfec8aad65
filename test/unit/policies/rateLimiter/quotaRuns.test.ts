import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachResilience, InMemoryScopeStateStore } from '../../../../src/index.js';
import { attachToQuotas, customerId, quotaServer, readPath, runLanes } from '../../../helpers/quotaRun.js';
import { scriptedAdapter } from '../../../helpers/scriptedAdapter.js';
import { capture } from '../../../helpers/settle.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-12-10T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

const PARTNER_QUOTA = (limit: number) => [
  { name: 'partner', scope: 'partner' as const, limit, windowMs: 1000 },
];

describe('the rate limiter in the engine against simulated quotas (fake clock, behaviour counts)', () => {
  it("a 429 storm on one customer's own quota lowers that customer, not the partner", async () => {
    const x = customerId(0);
    const healthy = [1, 2, 3, 4].map(customerId);
    // A partner quota of 20/s; customer x has a quota of 2/s of its own, which its 4 lanes overrun all along.
    const server = quotaServer({
      quotas: PARTNER_QUOTA(20),
      customerQuotas: { [x]: [{ name: 'x', scope: 'customer', limit: 2, windowMs: 1000 }] },
    });
    const { instance } = attachToQuotas(server);
    const run = await runLanes(instance, 16, 8_000, (lane, i) =>
      lane < 4 ? readPath(x) : readPath(healthy[(lane + i) % 4] as string),
    );
    const okPerSecond = (from: number, to: number) =>
      run.settled.filter((c) => c.ok && c.customer !== x && c.at >= from && c.at < to).length /
      ((to - from) / 1000);
    // The four healthy customers keep most of the partner's 20/s (less x's 2/s) in both halves of the run,
    // where x's 429s charged to the partner left them 12.25/s, then 4.75/s.
    expect(okPerSecond(0, 4000)).toBeGreaterThanOrEqual(12);
    expect(okPerSecond(4000, 8000)).toBeGreaterThanOrEqual(13);
    // Every 429 after first contact is x's own: the partner's slow start meets its 20/s quota once, at about
    // 1.2 s (an unpaced start met it within the first second).
    const late = server.answers.filter((a) => a.status === 429 && a.at - run.started >= 2000);
    expect(late.every((a) => a.customer === x)).toBe(true);
  });

  it('fair shares go to the customers waiting: a 16-lane sweep reading twice from 1,000 customers', async () => {
    const seconds: Record<string, number> = {};
    for (const fairness of [true, false]) {
      // A hidden partner quota of 100/s: 2,000 reads take 20 s at best.
      const server = quotaServer({ quotas: PARTNER_QUOTA(100) });
      const { instance } = attachToQuotas(server, { rateLimit: { fairness } });
      let next = 0;
      const run = await runLanes(instance, 16, 600_000, () => {
        const i = next++;
        return i < 2000 ? readPath(customerId(Math.floor(i / 2))) : undefined;
      });
      expect(run.settled.filter((c) => c.ok)).toHaveLength(2000);
      seconds[String(fairness)] = (run.endedAt - run.started) / 1000;
    }
    // Customers that have finished hold no share: fair shares cost (almost) nothing here, where a share of the
    // partner's rate for every customer called in the last 5 s took 37.4 s.
    expect(seconds['true']).toBeLessThanOrEqual(25);
    expect(seconds['true']).toBeLessThanOrEqual((seconds['false'] ?? 0) * 1.05);
  });

  it('work-conserving shares: a slow start ramps as fast with fair shares as without (1,000 customers x 2 reads)', async () => {
    const answered: Record<string, number> = {};
    for (const fairness of [true, false]) {
      // Hidden quotas of 100/s for the partner and 5/s per customer; each lane reads a customer, then its
      // subscriptions, then takes the next customer (p-limit style).
      const server = quotaServer({
        quotas: [...PARTNER_QUOTA(100), { name: 'customer', scope: 'customer', limit: 5, windowMs: 1000 }],
      });
      const { instance } = attachToQuotas(server, { rateLimit: { fairness, slowStart: true } });
      const queues: string[][] = Array.from({ length: 16 }, () => []);
      let nextCustomer = 0;
      const run = await runLanes(instance, 16, 600_000, (lane) => {
        const queue = queues[lane] as string[];
        if (queue.length === 0 && nextCustomer < 1000) {
          const id = customerId(nextCustomer++);
          queue.push(`/v1/customers/${id}`, readPath(id));
        }
        return queue.shift();
      });
      expect(run.settled.filter((c) => c.ok)).toHaveLength(2000);
      expect(server.answers.filter((a) => a.status === 429).length).toBeLessThanOrEqual(20);
      answered[String(fairness)] = run.settled.filter((c) => c.ok && c.at < 2000).length;
    }
    // The slow start grows with each success: a customer's second read, held back by a share of 1/16 of a
    // rate of 8-30/s, slowed it (49 answered in the first 2 s, against 87 without fair shares).
    expect(answered['true']).toBeGreaterThanOrEqual((answered['false'] ?? 0) * 0.9);
  });

  it('a partner rule holds when more customers than tenants.maxScopes are called', async () => {
    const server = quotaServer({ quotas: [] });
    const { instance } = attachToQuotas(server, {
      tenants: { maxScopes: 10 },
      rateLimit: { rules: [{ scope: 'partner', perMinute: 600, burst: 5 }] },
    });
    let next = 0;
    await runLanes(instance, 16, 2_000, () => readPath(customerId(next++ % 59)));
    // 5 at once, then 595 a minute: at most 5 + 9.9 x 2 s (and the calls already waiting at 2 s).
    const sent = server.answers.filter((a) => a.at - (server.answers[0]?.at ?? 0) < 2000);
    expect(sent.length).toBeLessThanOrEqual(25);
    expect(sent.length).toBeGreaterThanOrEqual(24);
  });

  it("the partner's learnt rate survives a sweep over more customers than tenants.maxScopes", async () => {
    const server = quotaServer({ quotas: PARTNER_QUOTA(50) });
    const store = new InMemoryScopeStateStore({ maxScopes: 200 });
    const { instance } = attachToQuotas(server, { store, tenants: { maxScopes: 200 } });
    let next = 0;
    const run = await runLanes(instance, 16, 600_000, () =>
      next < 1200 ? readPath(customerId(next++)) : undefined,
    );
    expect(run.settled.filter((c) => c.ok)).toHaveLength(1200);
    // The partner's rate is learnt in the first seconds; 1,000 customers later it still paces the calls.
    const throttled = server.answers.filter((a) => a.status === 429);
    const late = throttled.filter((a) => a.at - run.started > 5_000);
    expect(late.length).toBeLessThanOrEqual(3);
    expect(store.rateLimit.adaptiveState('p:partner')?.enabled).toBe(true);
  });

  it("three customers answering Retry-After: 86400 do not hold the partner's other calls", async () => {
    const blocked = [0, 1, 2].map(customerId);
    const scripted = scriptedAdapter((hit) =>
      blocked.some((id) => hit.url.includes(id))
        ? { status: 429, headers: { 'retry-after': '86400' } }
        : { status: 200, data: {} },
    );
    const instance = axios.create({
      adapter: scripted.adapter,
      baseURL: 'https://api.partnercenter.microsoft.com',
    });
    attachResilience(instance);
    for (const id of blocked) {
      // The partner's slow start may pace these first calls: the clock moves on while they wait.
      const outcome = capture(instance.get(readPath(id)));
      await vi.advanceTimersByTimeAsync(1000);
      expect((await outcome).error?.kind).toBe('throttled');
    }
    // A customer never throttled, and the partner's own calls, go at once.
    const other = capture(instance.get(readPath(customerId(3))));
    const own = capture(instance.get('/v1/customers'));
    await vi.advanceTimersByTimeAsync(1000);
    expect((await other).value?.status).toBe(200);
    expect((await own).value?.status).toBe(200);
    expect(scripted.hits).toHaveLength(5);
  });
});
