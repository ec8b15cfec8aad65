import { describe, expect, it } from 'vitest';
import { normalizeError } from '../../../src/errors/normalizeError.js';
import {
  parseScenario,
  quotaLimited,
  type Scenario,
  ScenarioValidationError,
} from '../../../src/testing/index.js';
import { harness } from './helpers.js';

const GATEWAY_BODY = (seconds: number) => ({
  statusCode: 429,
  message: `Rate limit is exceeded. Try again in ${seconds} seconds.`,
});

function issuesOf(input: unknown): string[] {
  try {
    parseScenario(input);
  } catch (error) {
    if (error instanceof ScenarioValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('simulator quotas (sliding windows)', () => {
  it('slides: a hit leaves the window exactly windowMs after it arrived', async () => {
    const { sim, api, clock } = await harness({
      scenario: { quotas: [{ scope: 'partner', limit: 2, windowMs: 1_000 }] },
    });
    expect((await api.get('/v1/customers')).status).toBe(200); // t=0
    clock.advance(600);
    expect((await api.get('/v1/customers')).status).toBe(200); // t=600
    clock.advance(399);
    const rejected = await api.get('/v1/customers'); // t=999: both still in (−1, 999]
    expect(rejected.status).toBe(429);
    // The next hit needs the t=0 and t=600 hits gone (the rejected one counts): 600 + 1000 − 999 = 601 ms.
    expect(rejected.headers['retry-after']).toBe('1');
    expect(rejected.data).toEqual(GATEWAY_BODY(1));
    clock.advance(1); // t=1000: the t=0 hit left, but 600 and 999 are in the window
    expect((await api.get('/v1/customers')).status).toBe(429);
    clock.advance(1_000); // t=2000: the 1000 hit leaves at 2000 exactly, 999 left at 1999
    expect((await api.get('/v1/customers')).status).toBe(200);
    const stats = sim.stats();
    expect(stats.quotas).toEqual({ 'quotas[0]': { hits: 5, throttled: 2 } });
    expect(stats.log.map((entry) => entry.reason)).toEqual(['ok', 'ok', 'quotas[0]', 'quotas[0]', 'ok']);
  });

  it('counts throttled hits: a client that keeps retrying stays throttled', async () => {
    const { sim, api, clock } = await harness({
      scenario: { quotas: [{ name: 'p', scope: 'partner', limit: 1, windowMs: 1_000 }] },
    });
    await api.get('/v1/customers'); // t=0
    for (let i = 0; i < 3; i++) {
      clock.advance(500); // t=500, 1000, 1500: each rejected hit keeps the window full
      expect((await api.get('/v1/customers')).status).toBe(429);
    }
    clock.advance(999); // t=2499: the t=1500 hit is still in the window
    expect((await api.get('/v1/customers')).status).toBe(429);
    clock.advance(1_000); // t=3499: the t=2499 hit left exactly now
    expect((await api.get('/v1/customers')).status).toBe(200);
    expect(sim.stats().quotas).toEqual({ p: { hits: 6, throttled: 4 } });
  });

  it('answers Retry-After until the slot frees, rounded up, at least 1', async () => {
    const { api, clock } = await harness({
      scenario: { quotas: [{ scope: 'partner', limit: 2, windowMs: 10_000 }] },
    });
    await api.get('/v1/customers'); // t=0
    clock.advance(2_000);
    await api.get('/v1/customers'); // t=2000
    clock.advance(500);
    const first = await api.get('/v1/customers'); // t=2500: needs t=2000 gone, at 12000: 9.5 s
    expect(first.headers['retry-after']).toBe('10');
    expect(first.data).toEqual(GATEWAY_BODY(10));
    clock.advance(9_000);
    const second = await api.get('/v1/customers'); // t=11500: needs t=2500 gone, at 12500: 1 s
    expect(second.headers['retry-after']).toBe('1');
    clock.advance(999);
    const third = await api.get('/v1/customers'); // t=12499: needs t=11500 gone, at 21500: 9.001 s
    expect(third.headers['retry-after']).toBe('10');
  });

  it('applies partner, customer and operation quotas together; the first exceeded answers', async () => {
    const scenario: Scenario = {
      customers: 2,
      quotas: [
        { name: 'partner', scope: 'partner', limit: 5, windowMs: 1_000 },
        { name: 'customer', scope: 'customer', limit: 2, windowMs: 1_000 },
        {
          name: 'subscriptions',
          scope: 'operation',
          limit: 1,
          windowMs: 1_000,
          match: { method: 'get', template: '/v1/customers/{id}/subscriptions' },
        },
      ],
    };
    const { sim, api, clock } = await harness({ scenario });
    const [a, b] = sim.customerIds;
    const statusOf = async (path: string) => (await api.get(path)).status;
    expect(await statusOf(`/v1/customers/${a}/subscriptions`)).toBe(200); // p1 a1 s1
    expect(await statusOf(`/v1/customers/${b}/subscriptions`)).toBe(429); // p2 b1 s2: one for the partner
    expect(await statusOf(`/v1/customers/${a}`)).toBe(200); // p3 a2
    expect(await statusOf(`/v1/customers/${a}`)).toBe(429); // p4 a3
    expect(await statusOf('/v1/customers')).toBe(200); // p5: the partner quota counts every request
    // p6 b2 s3: partner and operation both exceeded, the first in scenario order answers.
    const last = await api.get(`/v1/customers/${b}/subscriptions`);
    expect(last.status).toBe(429);
    expect(last.data).toEqual(GATEWAY_BODY(1));
    clock.advance(1_000);
    expect(await statusOf(`/v1/customers/${a}/orders`)).toBe(200);
    const stats = sim.stats();
    expect(stats.quotas).toEqual({
      partner: { hits: 7, throttled: 1 },
      customer: { hits: 6, throttled: 1 },
      subscriptions: { hits: 3, throttled: 1 },
    });
    expect(stats.log.map((entry) => entry.reason)).toEqual([
      'ok',
      'subscriptions',
      'ok',
      'customer',
      'ok',
      'partner',
      'ok',
    ]);
    expect(stats.throttledResponses).toBe(3);
    expect(stats.acceptedHits).toBe(4);
    expect(stats.acceptedPerSecond).toBe(4);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it("gives a 429 the library's normaliser reads as throttled with its Retry-After", async () => {
    const { api, clock } = await harness({
      scenario: { quotas: [{ scope: 'customer', limit: 2, windowMs: 5_000 }] },
    });
    const path = `/v1/customers/${(await api.get('/v1/customers')).data.items[0].id}`;
    await api.get(path);
    await api.get(path);
    clock.advance(1_200);
    const error: unknown = await api.get(path, { validateStatus: (status) => status < 400 }).catch((e) => e);
    expect(normalizeError(error)).toMatchObject({
      kind: 'throttled',
      status: 429,
      retryAfterMs: 4_000, // the second t=0 hit leaves at 5000: 3.8 s, rounded up
    });
  });

  it('keys an operation quota without match per route', async () => {
    const { sim, api } = await harness({
      scenario: { quotas: [{ scope: 'operation', limit: 1, windowMs: 1_000 }] },
    });
    const [a, b] = sim.customerIds;
    expect((await api.get(`/v1/customers/${a}`)).status).toBe(200);
    expect((await api.get(`/v1/customers/${b}`)).status).toBe(429); // same route, other customer
    expect((await api.get(`/v1/customers/${a}/orders`)).status).toBe(200);
    expect((await api.post(`/v1/customers/${a}/orders`, { lineItems: [] })).status).toBe(201);
    expect((await api.get('/v1/nothing-here')).status).toBe(404); // unmatched: not counted
    expect((await api.get('/v1/nothing-here')).status).toBe(404);
  });

  it('keeps the fixed-window throttle working and checks it first', async () => {
    const { sim, api } = await harness({
      scenario: {
        throttle: { partner: { limit: 1, windowMs: 1_000 } },
        quotas: [{ scope: 'partner', limit: 1, windowMs: 1_000 }],
      },
    });
    await api.get('/v1/customers');
    expect((await api.get('/v1/customers')).status).toBe(429);
    expect(sim.stats().log.map((entry) => entry.reason)).toEqual(['ok', 'throttled']);
    // The throttled request never reached the quota check.
    expect(sim.stats().quotas).toEqual({ 'quotas[0]': { hits: 1, throttled: 0 } });
  });

  it('reset() clears the windows and the counters; setScenario() clears the windows', async () => {
    const { sim, api } = await harness({ scenario: quotaLimited({ partnerPerSecond: 1 }) });
    await api.get('/v1/customers');
    expect((await api.get('/v1/customers')).status).toBe(429);
    sim.reset();
    expect(sim.stats().quotas).toEqual({});
    expect(sim.stats().acceptedHits).toBe(0);
    expect((await api.get('/v1/customers')).status).toBe(200);
    sim.setScenario(quotaLimited({ partnerPerSecond: 1 }));
    expect((await api.get('/v1/customers')).status).toBe(200);
    expect(sim.stats().quotas).toEqual({ partner: { hits: 2, throttled: 0 } });
  });

  it('quotaLimited() builds frozen, valid scenarios and rejects bad rates', () => {
    const scenario = quotaLimited({ partnerPerSecond: 20, customerPerSecond: 5 });
    expect(parseScenario(scenario)).toEqual(scenario);
    expect(Object.isFrozen(scenario.quotas)).toBe(true);
    expect(scenario.quotas).toEqual([
      { name: 'partner', scope: 'partner', limit: 20, windowMs: 1000 },
      { name: 'customer', scope: 'customer', limit: 5, windowMs: 1000 },
    ]);
    expect(quotaLimited().quotas).toEqual([{ name: 'partner', scope: 'partner', limit: 20, windowMs: 1000 }]);
    expect(() => quotaLimited({ partnerPerSecond: 0 })).toThrow(RangeError);
    expect(() => quotaLimited({ customerPerSecond: 1.5 })).toThrow(/customerPerSecond must be an integer/);
  });

  it('validates quotas strictly with clear messages', () => {
    expect(issuesOf({ quotas: [{ scope: 'tenant', limit: 0, windowMs: 1000, extra: 1 }] })).toEqual([
      'scenario.quotas[0].scope: Expected a quota scope: partner, customer, operation',
      'scenario.quotas[0].limit: Too small: expected number to be >=1',
      'scenario.quotas[0]: Unrecognized key: "extra"',
    ]);
    expect(issuesOf({ quotas: [{ scope: 'partner', limit: 1 }] })).toEqual([
      expect.stringMatching(/^scenario\.quotas\[0\]\.windowMs: /),
    ]);
    expect(
      issuesOf({
        quotas: [{ scope: 'operation', limit: 1, windowMs: 1, match: { template: '/v1/customer' } }],
      }),
    ).toEqual([expect.stringMatching(/^scenario\.quotas\[0\]\.match\.template: Expected a route template/)]);
    expect(
      issuesOf({
        quotas: [
          {
            scope: 'operation',
            limit: 1,
            windowMs: 1,
            match: { method: 'POST', template: '/v1/customers' },
          },
        ],
      }),
    ).toEqual([
      'scenario.quotas[0].match: No route serves POST /v1/customers, so the quota would never count a request',
    ]);
    expect(
      issuesOf({
        quotas: [
          { name: 'a', scope: 'partner', limit: 1, windowMs: 1 },
          { name: 'a', scope: 'customer', limit: 1, windowMs: 1 },
        ],
      }),
    ).toEqual(['scenario.quotas[1].name: Quota name "a" is used twice']);
  });
});
