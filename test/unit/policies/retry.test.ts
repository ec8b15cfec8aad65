import axios, { type AxiosInstance } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachResilience, type PartnerCenterError, type ResilienceOptions } from '../../../src/index.js';
import type { RetryEvent } from '../../../src/observability/events.js';
import { type Step, scriptedAdapter } from '../../helpers/scriptedAdapter.js';
import { settle } from '../../helpers/settle.js';

const BASE = 'https://api.partnercenter.microsoft.com';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-25T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(steps: Step[], options: ResilienceOptions = {}) {
  const scripted = scriptedAdapter(steps);
  const instance: AxiosInstance = axios.create({ adapter: scripted.adapter, baseURL: BASE });
  const handle = attachResilience(instance, options);
  return { ...scripted, instance, handle };
}

describe('retry', () => {
  it('retries 503, 503 then succeeds: 3 hits sharing one MS-RequestId and MS-CorrelationId', async () => {
    const { instance, hits } = setup([
      { status: 503 },
      { status: 503 },
      { status: 200, data: { items: [] } },
    ]);
    const { value } = await settle(instance.get('/v1/customers'));
    expect(value?.status).toBe(200);
    expect(hits).toHaveLength(3);
    const ids = new Set(hits.map((h) => h.headers['ms-requestid']));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(hits.map((h) => h.headers['ms-correlationid'])).size).toBe(1);
  });

  it('uses a new MS-RequestId for each logical call', async () => {
    const { instance, hits } = setup([{ status: 200 }]);
    await settle(instance.get('/v1/customers'));
    await settle(instance.get('/v1/customers'));
    expect(hits[0]?.headers['ms-requestid']).not.toBe(hits[1]?.headers['ms-requestid']);
    expect(hits[0]?.headers['ms-correlationid']).not.toBe(hits[1]?.headers['ms-correlationid']);
  });

  it("gives back the request config with the caller's own signal and timeout", async () => {
    const { instance } = setup([{ status: 503 }, { status: 200 }]);
    const controller = new AbortController();
    const { value } = await settle(
      instance.get('/v1/customers', { timeout: 9_000, signal: controller.signal }),
    );
    expect(value?.config.timeout).toBe(9_000);
    expect(value?.config.signal).toBe(controller.signal);
  });

  it('never overwrites caller-set MS-RequestId and MS-CorrelationId', async () => {
    const { instance, hits } = setup([{ status: 503 }, { status: 200 }]);
    await settle(
      instance.get('/v1/customers', {
        headers: { 'MS-RequestId': 'caller-req', 'MS-CorrelationId': 'caller-corr' },
      }),
    );
    expect(hits.map((h) => h.headers['ms-requestid'])).toEqual(['caller-req', 'caller-req']);
    expect(hits.map((h) => h.headers['ms-correlationid'])).toEqual(['caller-corr', 'caller-corr']);
  });

  it('honours Retry-After (seconds) to the millisecond', async () => {
    const { instance, hits } = setup([{ status: 429, headers: { 'retry-after': '7' } }, { status: 200 }]);
    const pending = instance.get('/v1/customers');
    await vi.advanceTimersByTimeAsync(6_999);
    expect(hits).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(hits).toHaveLength(2);
    expect((hits[1]?.at ?? 0) - (hits[0]?.at ?? 0)).toBe(7_000);
    await expect(pending).resolves.toMatchObject({ status: 200 });
  });

  it('honours Retry-After as an HTTP-date', async () => {
    const at = new Date(Date.now() + 12_000).toUTCString();
    const { instance, hits } = setup([{ status: 503, headers: { 'retry-after': at } }, { status: 200 }]);
    const pending = instance.get('/v1/customers');
    await vi.advanceTimersByTimeAsync(11_999);
    expect(hits).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(hits).toHaveLength(2);
    await pending;
  });

  it('prefers retry-after-ms and x-ms-retry-after-ms over Retry-After', async () => {
    const { instance, hits } = setup([
      { status: 429, headers: { 'retry-after': '30', 'x-ms-retry-after-ms': '1500' } },
      { status: 200 },
    ]);
    const pending = instance.get('/v1/customers');
    await vi.advanceTimersByTimeAsync(1_500);
    expect(hits).toHaveLength(2);
    await pending;
  });

  it('fails at once with a throttled error when Retry-After passes maxRetryAfterMs', async () => {
    const { instance, hits } = setup([{ status: 429, headers: { 'retry-after': '86400' } }, { status: 200 }]);
    const { error } = await settle(instance.get('/v1/customers'));
    expect(hits).toHaveLength(1);
    expect(error?.kind).toBe('throttled');
    expect(error?.retryAfterMs).toBe(86_400_000);
    expect(error?.message).toContain('86400 s');
    expect(error?.message).toContain('maxRetryAfterMs');
  });

  it('does not retry 400, 401, 403, 404 or 409 without a transient code', async () => {
    for (const status of [400, 401, 403, 404, 409]) {
      const { instance, hits } = setup([
        { status, data: { code: 2000, description: 'bad' } },
        { status: 200 },
      ]);
      const { error } = await settle(instance.get('/v1/customers'));
      expect(hits, `status ${status}`).toHaveLength(1);
      expect(error?.status).toBe(status);
      expect(error?.attempts).toBe(1);
    }
  });

  it('retries a 409 whose code the table marks transient (800064)', async () => {
    const { instance, hits } = setup([
      { status: 409, data: { code: 800064, description: 'being processed by another request' } },
      { status: 200 },
    ]);
    await settle(instance.get('/v1/customers'));
    expect(hits).toHaveLength(2);
  });

  it('retries 500 only when the code table or the body says so', async () => {
    const plain = setup([{ status: 500, data: { code: 1, description: 'boom' } }, { status: 200 }]);
    await settle(plain.instance.get('/v1/customers'));
    expect(plain.hits).toHaveLength(1);
    const transient = setup([
      { status: 500, data: { code: 900130, description: 'try later' } },
      { status: 200 },
    ]);
    await settle(transient.instance.get('/v1/customers'));
    expect(transient.hits).toHaveLength(2);
    const flagged = setup([{ status: 500, data: { code: 1, isRetryable: true } }, { status: 200 }]);
    await settle(flagged.instance.get('/v1/customers'));
    expect(flagged.hits).toHaveLength(2);
  });

  it('retries 408 and network faults, gives up after maxAttempts with the attempt count', async () => {
    const { instance, hits } = setup([
      { status: 408 },
      { fault: 'ECONNRESET' },
      { fault: 'ETIMEDOUT' },
      { status: 502 },
    ]);
    const { error } = await settle(instance.get('/v1/customers'));
    expect(hits).toHaveLength(4);
    expect(error?.attempts).toBe(4);
    expect(error?.status).toBe(502);
    expect(error?.message).toContain('after 4 attempts');
  });

  it('maxAttempts counts attempts, the first included', async () => {
    const { instance, hits } = setup([{ status: 503 }], { retry: { maxAttempts: 2 } });
    await settle(instance.get('/v1/customers'));
    expect(hits).toHaveLength(2);
  });

  it('backs off exponentially with jitter, capped by maxDelayMs', async () => {
    const delays: number[] = [];
    const { instance } = setup([{ status: 503 }], {
      retry: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1_000 },
      hooks: { onRetry: (e: RetryEvent) => void delays.push(e.delayMs) },
    });
    await settle(instance.get('/v1/customers'));
    expect(delays).toHaveLength(5);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(1_000);
    }
    const none = setup([{ status: 503 }], {
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250, jitter: 'none' },
      hooks: { onRetry: (e: RetryEvent) => void delays.push(e.delayMs) },
    });
    delays.length = 0;
    await settle(none.instance.get('/v1/customers'));
    expect(delays).toEqual([100, 200, 250]);
  });

  it('per-request retry: false makes one attempt', async () => {
    const { instance, hits } = setup([{ status: 503 }, { status: 200 }]);
    const { error } = await settle(instance.get('/v1/customers', { partnerCenter: { retry: false } }));
    expect(hits).toHaveLength(1);
    expect(error?.reason).toContain('retries are off');
  });

  it('never replays a stream body', async () => {
    const { Readable } = await import('node:stream');
    const { instance, hits } = setup([{ status: 503 }, { status: 200 }]);
    const { error } = await settle(instance.put('/v1/customers/x', Readable.from(['a'])));
    expect(hits).toHaveLength(1);
    expect(error?.reason).toContain('stream');
  });
});

describe('idempotency', () => {
  it('POST + 504 -> 1 hit, outcome unknown', async () => {
    const { instance, hits } = setup([{ status: 504 }, { status: 201 }]);
    const { error } = await settle(instance.post('/v1/customers/c1/orders', { lineItems: [] }));
    expect(hits).toHaveLength(1);
    expect(error?.outcomeUnknown).toBe(true);
    expect(error?.message).toContain('outcome unknown');
  });

  it.each([
    ['502', { status: 502 }],
    ['a reset after sending', { fault: 'ECONNRESET' }],
    ['a client timeout', { fault: 'ECONNABORTED', message: 'timeout of 10ms exceeded' }],
    ['a 500 with a transient code', { status: 500, data: { code: 900130 } }],
  ] as Array<[string, Step]>)('POST is not retried after %s', async (_, step) => {
    const { instance, hits } = setup([step, { status: 201 }]);
    const { error } = await settle(instance.post('/v1/customers/c1/orders', {}));
    expect(hits).toHaveLength(1);
    expect(error?.outcomeUnknown).toBe(true);
  });

  it.each([
    ['429', { status: 429, headers: { 'retry-after': '1' } }],
    ['503', { status: 503 }],
    ['connection refused', { fault: 'ECONNREFUSED' }],
    ['DNS failure (EAI_AGAIN)', { fault: 'EAI_AGAIN' }],
  ] as Array<[string, Step]>)('POST is retried after %s (surely not processed)', async (_, step) => {
    const { instance, hits } = setup([step, { status: 201 }]);
    const { value } = await settle(instance.post('/v1/customers/c1/orders', {}));
    expect(hits).toHaveLength(2);
    expect(value?.status).toBe(201);
  });

  it('a POST the caller aborts while in flight is cancelled with its outcome unknown', async () => {
    const { instance, hits } = setup([{ hang: true }]);
    const controller = new AbortController();
    const pending = instance
      .post('/v1/customers/c1/orders', {}, { signal: controller.signal })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    const error = (await pending) as PartnerCenterError;
    expect(hits).toHaveLength(1);
    expect(error?.kind).toBe('cancelled');
    expect(error?.outcomeUnknown).toBe(true);
    const get = setup([{ hang: true }]);
    const c2 = new AbortController();
    const p2 = get.instance.get('/v1/customers', { signal: c2.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    c2.abort();
    const getError = (await p2) as PartnerCenterError;
    expect(getError.kind).toBe('cancelled');
    expect(getError.outcomeUnknown).toBe(false);
  });

  it('PATCH follows the POST rules', async () => {
    const { instance, hits } = setup([{ status: 504 }, { status: 200 }]);
    await settle(instance.patch('/v1/customers/c1/subscriptions/s1', {}));
    expect(hits).toHaveLength(1);
  });

  it('POST is retried with idempotent: true or retryUnsafeMethods, keeping one MS-RequestId', async () => {
    const perRequest = setup([{ status: 504 }, { status: 201 }]);
    await settle(
      perRequest.instance.post('/v1/carts/c/checkout', {}, { partnerCenter: { idempotent: true } }),
    );
    expect(perRequest.hits).toHaveLength(2);
    expect(perRequest.hits[0]?.headers['ms-requestid']).toBe(perRequest.hits[1]?.headers['ms-requestid']);
    const instanceWide = setup([{ status: 504 }, { status: 201 }], { retry: { retryUnsafeMethods: true } });
    await settle(instanceWide.instance.post('/v1/customers/c1/orders', {}));
    expect(instanceWide.hits).toHaveLength(2);
  });

  it('sends the same, already-transformed body on every attempt', async () => {
    const { instance, hits } = setup([{ status: 503 }, { status: 503 }, { status: 200 }]);
    await settle(instance.put('/v1/customers/c1/x', { a: 1, nested: { b: 'é' } }));
    expect(hits.map((h) => h.data)).toEqual(Array(3).fill('{"a":1,"nested":{"b":"é"}}'));
  });
});
