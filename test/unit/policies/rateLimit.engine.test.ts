import axios, { type AxiosInstance } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachResilience, InMemoryScopeStateStore, type ResilienceOptions } from '../../../src/index.js';
import type { RateLimitEvent, RetryEvent } from '../../../src/observability/events.js';
import { noSlowStart } from '../../helpers/noSlowStart.js';
import { type Hit, type Step, scriptedAdapter } from '../../helpers/scriptedAdapter.js';
import { capture, settle } from '../../helpers/settle.js';

const BASE = 'https://api.partnercenter.microsoft.com';
const CUSTOMER = 'aaaaaaaa-0000-4000-8000-00000000000a';
const ORDERS = `/v1/customers/${CUSTOMER}/orders`;
const INVOICES = '/v1/invoices';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-12-02T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(
  steps: Step[] | ((hit: Hit, index: number) => Step),
  options: ResilienceOptions = {},
  store = new InMemoryScopeStateStore(),
) {
  const scripted = scriptedAdapter(steps);
  const instance: AxiosInstance = axios.create({ adapter: scripted.adapter, baseURL: BASE });
  const waits: RateLimitEvent[] = [];
  const retries: RetryEvent[] = [];
  // These tests are about rules, learnt rates and waits: a partner with no rule is not slow-started here (the
  // slow start has tests of its own).
  const handle = attachResilience(instance, {
    store,
    ...noSlowStart(options),
    hooks: {
      onRateLimit: (event) => void waits.push(event),
      onRetry: (event) => void retries.push(event),
      ...options.hooks,
    },
  });
  return { ...scripted, instance, handle, waits, retries, store };
}

/** The times (ms from the start) at which the hits were sent. */
const times = (hits: Hit[], start: number) => hits.map((hit) => hit.at - start);

describe('rate limiter in the engine', () => {
  it("paces a customer's orders to the documented 500/min: 8 at once, then one every 122 ms", async () => {
    const { instance, hits, waits } = setup([{ status: 200 }]);
    const start = Date.now();
    const calls = Array.from({ length: 12 }, () => capture(instance.get(ORDERS)));
    await vi.advanceTimersByTimeAsync(1_000);
    const results = await Promise.all(calls);
    expect(results.every((result) => result.value?.status === 200)).toBe(true);
    const sent = times(hits, start);
    expect(sent.slice(0, 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    // The next four, one token (122 ms at 492/min) apart.
    for (let i = 8; i < 12; i += 1) {
      expect(sent[i]).toBeGreaterThanOrEqual(122 * (i - 7));
      expect(sent[i]).toBeLessThan(122 * (i - 7) + 30);
    }
    // Every held-back attempt was reported, with its wait.
    expect(waits.length).toBeGreaterThanOrEqual(4);
    expect(waits[0]).toMatchObject({ scope: `customer:${CUSTOMER}`, method: 'GET', attempt: 1 });
    expect(waits[0]?.waitMs).toBeGreaterThan(0);
    expect(waits[0]?.waitMs).toBeLessThanOrEqual(122);
  });

  it('another customer, and a path with no rule, are not held back by it', async () => {
    const { instance, hits } = setup([{ status: 200 }]);
    const start = Date.now();
    const calls = [
      ...Array.from({ length: 10 }, () => capture(instance.get(ORDERS))),
      ...Array.from({ length: 10 }, () =>
        capture(instance.get('/v1/customers/bbbbbbbb-0000-4000-8000-00000000000b/orders')),
      ),
      ...Array.from({ length: 20 }, () => capture(instance.get(INVOICES))),
    ];
    await vi.advanceTimersByTimeAsync(0);
    // 8 + 8 orders and all 20 invoice reads at once.
    expect(times(hits, start).filter((t) => t === 0)).toHaveLength(36);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(calls);
  });

  it('one URL called for two tenants (the tenant option) is paced per tenant', async () => {
    const { instance, hits } = setup([{ status: 200 }], {
      rateLimit: { defaultRules: false, rules: [{ scope: 'customer', perMinute: 60, burst: 2 }] },
    });
    const start = Date.now();
    const calls = ['t-one', 't-two'].flatMap((tenant) =>
      Array.from({ length: 3 }, () => capture(instance.get(INVOICES, { partnerCenter: { tenant } }))),
    );
    await vi.advanceTimersByTimeAsync(0);
    // Two at once for each tenant; each tenant's third waits for its own bucket.
    expect(times(hits, start)).toEqual([0, 0, 0, 0]);
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all(calls);
    expect(hits).toHaveLength(6);
  });

  it('fails at once with kind throttled when the next slot is beyond the call budget; nothing is sent', async () => {
    const { instance, hits } = setup([{ status: 200 }], {
      rateLimit: { defaultRules: false, rules: [{ scope: 'customer', perMinute: 1, burst: 1 }] },
    });
    expect((await settle(instance.get(ORDERS))).value?.status).toBe(200);
    const { error } = await settle(instance.get(ORDERS, { timeout: 5_000 }));
    expect(hits).toHaveLength(1);
    expect(error?.kind).toBe('throttled');
    expect(error?.retryable).toBe(false);
    expect(error?.reason).toMatch(
      /rate limiter has no slot for scope customer:aaaaaaaa.* more than this call may wait/,
    );
    expect(error?.reason).toContain('no request was sent');
    expect(error?.retryAfterMs).toBeGreaterThan(5_000);
  });

  it('fails at once when the next slot is beyond rateLimit.maxWaitMs', async () => {
    const { instance, hits } = setup([{ status: 200 }], {
      rateLimit: {
        defaultRules: false,
        rules: [{ scope: 'partner', perMinute: 6, burst: 1 }],
        maxWaitMs: 1_000,
      },
    });
    await settle(instance.get(INVOICES));
    const { error } = await settle(instance.get(INVOICES));
    expect(hits).toHaveLength(1);
    expect(error?.kind).toBe('throttled');
    expect(error?.reason).toContain('rateLimit.maxWaitMs 1000');
  });

  it("a caller's abort ends the wait for a slot at once, with kind cancelled", async () => {
    const { instance, hits } = setup([{ status: 200 }], {
      rateLimit: { defaultRules: false, rules: [{ scope: 'partner', perMinute: 6, burst: 1 }] },
    });
    await settle(instance.get(INVOICES));
    const controller = new AbortController();
    const pending = capture(instance.get(INVOICES, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    const { error } = await pending;
    expect(error?.kind).toBe('cancelled');
    expect(hits).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('learns from a 429: the calls after it are paced, and the 429 is retried after its Retry-After', async () => {
    let throttled = false;
    const { instance, hits, waits } = setup(
      (_hit, index) => {
        if (index === 20 && !throttled) {
          throttled = true;
          return { status: 429, headers: { 'retry-after': '1' } };
        }
        return { status: 200 };
      },
      { rateLimit: { defaultRules: false } },
    );
    // 20 calls/s on the partner's own scope for 1 s, then a 429.
    for (let i = 0; i < 20; i += 1) {
      await settle(instance.get(INVOICES));
      await vi.advanceTimersByTimeAsync(50);
    }
    const beforeThrottle = waits.length;
    expect(beforeThrottle).toBe(0);
    const throttledCall = capture(instance.get(INVOICES));
    await vi.advanceTimersByTimeAsync(0);
    expect(hits).toHaveLength(21);
    // Ten more calls right away: now paced at about 0.7x the measured rate, none sent at once.
    const start = Date.now();
    const after = Array.from({ length: 10 }, () => capture(instance.get(INVOICES)));
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(after);
    expect((await throttledCall).value?.status).toBe(200);
    const sent = times(hits.slice(21), start).sort((a, b) => a - b);
    expect(waits.length).toBeGreaterThan(beforeThrottle);
    // The throttled call's retry went at its Retry-After (the gate), the rest were spread out.
    expect(sent.filter((t) => t < 100).length).toBeLessThanOrEqual(1);
    expect(sent[sent.length - 1]).toBeGreaterThan(500);
  });

  it('instances sharing one store share the buckets', async () => {
    const store = new InMemoryScopeStateStore();
    const options: ResilienceOptions = {
      rateLimit: { defaultRules: false, rules: [{ scope: 'partner', perMinute: 60, burst: 3 }] },
    };
    const one = setup([{ status: 200 }], options, store);
    const two = setup([{ status: 200 }], options, store);
    const calls = [
      ...Array.from({ length: 2 }, () => capture(one.instance.get(INVOICES))),
      ...Array.from({ length: 2 }, () => capture(two.instance.get(INVOICES))),
    ];
    await vi.advanceTimersByTimeAsync(0);
    expect(one.hits.length + two.hits.length).toBe(3);
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all(calls);
    expect(one.hits.length + two.hits.length).toBe(4);
  });

  it('rateLimit: false turns it off', async () => {
    const { instance, hits, waits } = setup([{ status: 200 }], { rateLimit: false });
    const calls = Array.from({ length: 30 }, () => capture(instance.get(ORDERS)));
    await vi.advanceTimersByTimeAsync(0);
    expect(hits).toHaveLength(30);
    await Promise.all(calls);
    expect(waits).toEqual([]);
  });

  it('rejects bad rateLimit options with their path', () => {
    const instance = axios.create();
    expect(() =>
      attachResilience(instance, { rateLimit: { rules: [{ scope: 'tenant', perMinute: 5 }] } } as never),
    ).toThrow(/rateLimit\.rules\.0\.scope/);
    expect(() => attachResilience(instance, { rateLimit: { maxWaitMs: -1 } })).toThrow(
      /rateLimit\.maxWaitMs/,
    );
    expect(() => attachResilience(instance, { rateLimit: { adaptive: { beta: 1.5 } } })).toThrow(
      /rateLimit\.adaptive\.beta/,
    );
    // A burst of a whole minute's calls could never refill without breaking "no 60 s window holds more than
    // perMinute calls".
    expect(() =>
      attachResilience(instance, {
        rateLimit: { rules: [{ scope: 'customer', perMinute: 30, burst: 30 }] },
      }),
    ).toThrow(/rateLimit\.rules\.0\.burst: must be less than perMinute \(30\), got 30/);
  });
});

describe('partner retry budget', () => {
  it('bounds retries across customers: 200 calls that all fail over 100 customers, at most 1.5x the hits', async () => {
    const { instance, hits } = setup([{ status: 503 }], {
      circuitBreaker: { enabled: false },
      retry: { baseDelayMs: 10, maxDelayMs: 50 },
    });
    const customer = (i: number) => `cccccccc-0000-4000-8000-${String(i % 100).padStart(12, '0')}`;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        settle(instance.get(`/v1/customers/${customer(i)}/subscriptions`)),
      ),
    );
    expect(results.every((result) => result.error?.status === 503)).toBe(true);
    expect(hits.length).toBeLessThanOrEqual(300);
    const refused = results.filter((result) =>
      /partner's (retry budget|retries in flight)/.test(result.error?.reason ?? ''),
    );
    expect(refused.length).toBeGreaterThan(0);
  });

  it('without it, the same calls cost every attempt (4 each)', async () => {
    const { instance, hits } = setup([{ status: 503 }], {
      circuitBreaker: { enabled: false },
      retry: { baseDelayMs: 10, maxDelayMs: 50 },
      partnerRetryBudget: false,
    });
    const customer = (i: number) => `cccccccc-0000-4000-8000-${String(i % 100).padStart(12, '0')}`;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        settle(instance.get(`/v1/customers/${customer(i)}/subscriptions`)),
      ),
    );
    expect(hits).toHaveLength(800);
  });

  it('the token bucket is kept in the store: a second instance on the same store finds it spent', async () => {
    const store = new InMemoryScopeStateStore();
    const options: ResilienceOptions = {
      circuitBreaker: { enabled: false },
      retry: { baseDelayMs: 10, maxDelayMs: 10, maxAttempts: 2 },
      // The concurrency cap out of the way: only the shared tokens count here.
      partnerRetryBudget: { maxTokens: 2, minConcurrency: 1_000 },
    };
    const one = setup([{ status: 503 }], options, store);
    for (let i = 0; i < 3; i += 1) await settle(one.instance.get(INVOICES));
    expect(one.hits).toHaveLength(5);
    const two = setup([{ status: 503 }, { status: 200 }], options, store);
    const { error } = await settle(two.instance.get(INVOICES));
    expect(two.hits).toHaveLength(1);
    expect(error?.reason).toContain("the partner's retry budget is spent");
  });

  it('successes give tokens back', async () => {
    const store = new InMemoryScopeStateStore();
    const { instance, hits } = setup(
      (_hit, index) => ({ status: index % 2 === 0 ? 503 : 200 }),
      {
        circuitBreaker: { enabled: false },
        retry: { baseDelayMs: 10, maxDelayMs: 10 },
        partnerRetryBudget: { maxTokens: 1, refundPerSuccess: 1, minConcurrency: 1_000 },
      },
      store,
    );
    // Each call: a 503, a retry (one token), a 200 (one token back). Ten in a row all succeed.
    for (let i = 0; i < 10; i += 1) expect((await settle(instance.get(INVOICES))).value?.status).toBe(200);
    expect(hits).toHaveLength(20);
  });
});
