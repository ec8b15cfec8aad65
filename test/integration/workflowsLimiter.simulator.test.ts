import { Agent } from 'node:http';
import axios from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { attachResilience, paginate, pollOperation, type ResilienceOptions } from '../../src/index.js';
import type { RateLimitEvent } from '../../src/observability/events.js';
import { startPartnerCenterSimulator } from '../../src/testing/index.js';

/*
 * The workflows send through the attached instance, so the rate limiter paces their requests as it paces the
 * caller's: paginate's pages and pollOperation's polls wait for a slot of a rule (counted as onRateLimit
 * events, never timed).
 */

const open: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function setUp(rateLimit: NonNullable<ResilienceOptions['rateLimit']>, scenario = {}) {
  const sim = await startPartnerCenterSimulator({ scenario, seed: 3 });
  open.push(() => sim.close());
  const agent = new Agent({ keepAlive: true });
  open.push(() => agent.destroy());
  const held: RateLimitEvent[] = [];
  const api = axios.create({ baseURL: sim.url, httpAgent: agent, proxy: false });
  const handle = attachResilience(api, { rateLimit, hooks: { onRateLimit: (event) => held.push(event) } });
  return { sim, api, handle, held };
}

describe('the workflows go through the rate limiter', () => {
  it("paginate's pages wait for the partner rule's slots", async () => {
    // 10 pages a second at most, one at once: 5 pages, the 4 after the first held back.
    const { handle, held } = await setUp(
      { rules: [{ scope: 'partner', perMinute: 600, burst: 1 }] },
      { customers: 50 },
    );
    let pages = 0;
    for await (const _ of paginate(handle, '/v1/customers', { size: 10 }).pages()) pages += 1;
    expect(pages).toBe(5);
    const pageWaits = held.filter((event) => event.url.includes('/v1/customers') && event.method === 'GET');
    expect(pageWaits.length).toBeGreaterThanOrEqual(4);
  });

  it("pollOperation's polls wait for an operation rule's slots", async () => {
    // Status reads once every 2 s at most: polled each second (Retry-After: 1), the second poll waits.
    const { sim, api, handle, held } = await setUp(
      {
        // No slow start: the partner's first calls would wait for it too; only the rule's waits are counted.
        slowStart: false,
        rules: [
          {
            scope: 'operation',
            perMinute: 30,
            burst: 1,
            match: { method: 'GET', path: '/v1/customers/{id}/subscriptions/{id}/registrationstatus' },
          },
        ],
      },
      { customers: 1, operations: { durationMs: 2500, retryAfterSeconds: 1 } },
    );
    const customer = sim.customerIds[0] ?? '';
    const subscriptions = await api.get<{ items: { id: string }[] }>(
      `/v1/customers/${customer}/subscriptions`,
    );
    const subscriptionId = subscriptions.data.items[0]?.id ?? '';
    const accepted = await api.post(
      `/v1/customers/${customer}/subscriptions/${subscriptionId}/registrations`,
    );
    expect(accepted.status).toBe(202);
    const done = await pollOperation(handle, accepted);
    expect(done.status).toBe(200);
    expect(held.filter((event) => !event.url.includes('/registrationstatus'))).toEqual([]);
    expect(held.filter((event) => event.url.includes('/registrationstatus')).length).toBeGreaterThanOrEqual(
      1,
    );
  });
});
