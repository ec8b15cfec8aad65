import { readFileSync } from 'node:fs';
import axios, { type AxiosInstance } from 'axios';
import { describe, expect, it } from 'vitest';
import { type Scenario, scenarios } from '../../../src/testing/index.js';
import { harness } from './helpers.js';

const html502 = JSON.parse(
  readFileSync(
    new URL('../../fixtures/partner-center-errors/502-html-gateway.json', import.meta.url),
    'utf8',
  ),
) as { rawBody: string };

async function statuses(api: AxiosInstance, count: number, path = '/v1/customers'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await api.get(path)).status);
  return out;
}

describe('simulator fault rules', () => {
  it('fires on the first `times` matching hits only, with a Partner Center body', async () => {
    const { sim, api } = await harness({
      scenario: {
        faults: [
          { name: 'burst', times: 2, respond: { status: 503, code: 900101, description: 'Try later' } },
        ],
      },
    });
    const first = await api.get('/v1/customers');
    expect(first.status).toBe(503);
    expect(first.data).toEqual({ code: 900101, description: 'Try later', data: [], source: 'PartnerFD' });
    expect(first.headers['ms-serverid']).toBeDefined();
    expect(await statuses(api, 3)).toEqual([503, 200, 200]);
    expect(sim.stats().faultsFired).toEqual({ burst: 2 });
  });

  it('fires on every n-th matching hit and respects method, path and customer matches', async () => {
    const { sim, api } = await harness({
      scenario: {
        customers: 2,
        faults: [
          { every: 3, match: { method: 'get', path: '^/v1/customers$' }, respond: { status: 504 } },
          { match: { customer: '00000000-0000-4000-8000-000000000000' }, respond: { status: 500 } },
        ],
      },
    });
    expect(await statuses(api, 6)).toEqual([200, 200, 504, 200, 200, 504]);
    // Other paths neither match nor advance the counter.
    expect(await statuses(api, 2, `/v1/customers/${sim.customerIds[0]}`)).toEqual([200, 200]);
    expect((await api.get('/v1/customers')).status).toBe(200);
    expect(sim.stats().faultsFired).toEqual({ 'faults[0]': 2 });
  });

  it('draws probabilities from the seed: same seed, same answers; another seed, other answers', async () => {
    const scenario: Scenario = { faults: [{ probability: 0.5, respond: { status: 503 } }] };
    const run = async (seed: number | string) => {
      const { api } = await harness({ scenario, seed });
      return statuses(api, 40);
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run('another seed');
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const failures = a.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(35);
  });

  it('applies fromMs/untilMs relative to the scenario start on the injected clock', async () => {
    const { api, clock } = await harness({
      scenario: { faults: [{ fromMs: 1_000, untilMs: 2_000, respond: { status: 502 } }] },
    });
    expect((await api.get('/v1/customers')).status).toBe(200);
    clock.advance(1_000);
    expect((await api.get('/v1/customers')).status).toBe(502);
    clock.advance(999);
    expect((await api.get('/v1/customers')).status).toBe(502);
    clock.advance(1);
    expect((await api.get('/v1/customers')).status).toBe(200);
  });

  it('answers the real HTML 502 gateway page', async () => {
    const { api } = await harness({
      scenario: { faults: [{ times: 1, respond: { status: 502, html: true } }] },
    });
    const res = await api.get('/v1/customers', { responseType: 'text' });
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.data).toBe(html502.rawBody);
    expect(res.headers['ms-requestid']).toBeDefined();
  });

  it('answers a fault 429 with the gateway body, Retry-After and a deadline for the scope', async () => {
    const { sim, api, clock } = await harness({
      scenario: { faults: [{ times: 1, respond: { status: 429, retryAfterSeconds: 3 } }] },
    });
    const res = await api.get('/v1/customers');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.data).toEqual({ statusCode: 429, message: 'Rate limit is exceeded. Try again in 3 seconds.' });
    clock.advance(100);
    await api.get('/v1/customers');
    expect(sim.stats()).toMatchObject({ throttledResponses: 1, hitsBeforeDeadline: 1 });
  });

  it('hangs up without answering after reading the request', async () => {
    const { sim, api } = await harness({
      scenario: { faults: [{ times: 1, name: 'reset', respond: { hangUp: 'before-response' } }] },
    });
    const error: unknown = await api
      .post(`/v1/customers/${sim.customerIds[0]}/orders`, { lineItems: [] })
      .catch((e: unknown) => e);
    expect(axios.isAxiosError(error)).toBe(true);
    expect(axios.isAxiosError(error) && error.response).toBeUndefined();
    expect(axios.isAxiosError(error) && error.code).toBe('ECONNRESET');
    expect((await api.get('/v1/customers')).status).toBe(200);
    const stats = sim.stats();
    expect(stats.hangUps).toBe(1);
    expect(stats.ordersCreated).toBe(0);
    expect(stats.statusCounts).toEqual({ 'hang-up': 1, '200': 1 });
    expect(stats.log[0]).toMatchObject({ status: null, reason: 'reset', method: 'POST' });
  });

  it('delays an answer (normal or faulted) without changing it', async () => {
    const { sim, api } = await harness({
      scenario: {
        faults: [
          { times: 1, name: 'slow', respond: { delayMs: 30 } },
          { times: 1, respond: { status: 503, delayMs: 30 } },
        ],
      },
    });
    expect((await api.get('/v1/customers')).status).toBe(200);
    expect((await api.get('/v1/customers')).status).toBe(503);
    expect(sim.stats().log.map((entry) => entry.reason)).toEqual(['slow', 'faults[1]']);
  });

  it('rules are tried in order and only the first that fires counts', async () => {
    const { sim, api } = await harness({
      scenario: {
        faults: [
          { name: 'first', every: 2, respond: { status: 500 } },
          { name: 'second', times: 10, respond: { status: 503 } },
        ],
      },
    });
    expect(await statuses(api, 4)).toEqual([503, 500, 503, 500]);
    expect(sim.stats().faultsFired).toEqual({ first: 2, second: 2 });
  });
});

describe('simulator outage', () => {
  it('answers 503 to everything in the window and counts the hits', async () => {
    const { sim, api, clock } = await harness({
      scenario: { auth: { required: true }, outage: { fromMs: 100, untilMs: 300, retryAfterSeconds: 1 } },
    });
    expect((await api.get('/v1/customers')).status).toBe(401);
    clock.advance(100);
    const res = await api.get('/v1/customers');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.data).toMatchObject({ code: 503, data: [], source: 'PartnerFD' });
    clock.advance(150);
    expect((await api.get(`/v1/customers/${sim.customerIds[0]}`)).status).toBe(503);
    clock.advance(50);
    expect((await api.get('/v1/customers')).status).toBe(401);
    const stats = sim.stats();
    expect(stats.hitsDuringOutage).toBe(2);
    expect(stats.statusCounts).toEqual({ '401': 2, '503': 2 });
  });

  it('can hang up instead of answering', async () => {
    const { sim, api } = await harness({ scenario: { outage: { fromMs: 0, untilMs: 10, hangUp: true } } });
    await expect(api.get('/v1/customers')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(sim.stats()).toMatchObject({ hitsDuringOutage: 1, hangUps: 1 });
  });
});

describe('ready scenarios', () => {
  it('mixedFaults: the first order is processed then answered 504, GET faults follow the seed', async () => {
    const run = async () => {
      const { sim, api } = await harness({ scenario: scenarios.mixedFaults, seed: 3 });
      const customer = sim.customerIds[0];
      const order = await api.post(`/v1/customers/${customer}/orders`, { lineItems: [] });
      const gets: (number | string)[] = [];
      for (let i = 0; i < 30; i++) {
        const res = await api.get(`/v1/customers/${sim.customerIds[i % 5]}`).catch((e: unknown) => e);
        gets.push(axios.isAxiosError(res) ? String(res.code) : (res as { status: number }).status);
      }
      return {
        order: order.status,
        created: sim.stats().ordersCreated,
        gets,
        fired: sim.stats().faultsFired,
      };
    };
    const first = await run();
    expect(first.order).toBe(504);
    expect(first.created).toBe(1);
    expect(first.gets).toContain(503);
    expect(first.gets).toContain(502);
    expect(await run()).toEqual(first);
  });

  it('throttled and outage scenarios do what their docs say', async () => {
    const throttled = await harness({ scenario: scenarios.throttled });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await throttled.api.get('/v1/customers')).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);

    const outage = await harness({ scenario: scenarios.outage });
    expect((await outage.api.get('/v1/customers')).status).toBe(200);
    outage.clock.advance(500);
    expect((await outage.api.get('/v1/customers')).status).toBe(503);
    outage.clock.advance(2_000);
    expect((await outage.api.get('/v1/customers')).status).toBe(200);
  });
});
