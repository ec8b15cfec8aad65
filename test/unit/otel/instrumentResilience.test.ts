import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ResilienceHandle } from '../../../src/index.js';
import type { ResilienceEventSource } from '../../../src/otel/index.js';
import { HTTP_DURATION_BUCKETS, instrumentResilience, RESILIENCE_METRICS } from '../../../src/otel/index.js';
import { BASE, type Point, settle, setupClient, setupOtel } from '../../helpers/otel.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-25T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('call spans', () => {
  it('a ResilienceHandle is a ResilienceEventSource', () => {
    const fits = (handle: ResilienceHandle): ResilienceEventSource => handle;
    expect(typeof fits).toBe('function');
  });

  it('503, 503, 200: one CLIENT span with resend_count 2, two retry events, status UNSET', async () => {
    const { instance, spans } = setupClient([{ status: 503 }, { status: 503 }, { status: 200 }]);
    const { value } = await settle(instance.get('/v1/customers?size=10'));
    expect(value?.status).toBe(200);

    const all = spans();
    expect(all).toHaveLength(1);
    const span = all[0];
    if (!span) throw new Error('no span');
    expect(span.name).toBe('GET');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.full': `${BASE}/v1/customers?size=10`,
      'server.address': 'api.partnercenter.microsoft.com',
      'server.port': 443,
      'http.response.status_code': 200,
      'http.request.resend_count': 2,
      'partner_center.scope': 'partner',
      'partner_center.attempts': 3,
    });
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.attributes['partner_center.request_id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(span.attributes['partner_center.correlation_id']).toMatch(/^[0-9a-f-]{36}$/);

    const retries = span.events.filter((e) => e.name === 'retry');
    expect(retries.map((e) => e.attributes?.['partner_center.attempt'])).toEqual([1, 2]);
    expect(retries[0]?.attributes).toMatchObject({
      'partner_center.delay_source': 'backoff',
      'partner_center.error_kind': 'server',
      'http.response.status_code': 503,
    });
    expect(typeof retries[0]?.attributes?.['partner_center.delay_ms']).toBe('number');
  });

  it('a give-up ends the span with status ERROR and error.type', async () => {
    const { instance, spans } = setupClient([
      { status: 404, data: { code: 600002, description: 'Customer not found', source: 'PartnerFD' } },
    ]);
    const { error } = await settle(instance.get('/v1/customers/aaaaaaaa-0000-0000-0000-00000000000a'));
    expect(error?.kind).toBe('not-found');

    const [span] = spans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes).toMatchObject({
      'error.type': '404',
      'http.response.status_code': 404,
      'partner_center.error_kind': 'not-found',
      'partner_center.error_code': '600002',
      'partner_center.scope': 'customer:aaaaaaaa-0000-0000-0000-00000000000a',
    });
    expect(span?.attributes['http.request.resend_count']).toBeUndefined();
  });

  it('error.type is the error kind when no status came back', async () => {
    const { instance, spans } = setupClient([{ fault: 'ECONNREFUSED' }], { retry: { maxAttempts: 2 } });
    const { error } = await settle(instance.get('/v1/customers'));
    expect(error?.kind).toBe('network');
    const [span] = spans();
    expect(span?.attributes['error.type']).toBe('network');
    expect(span?.attributes['http.response.status_code']).toBeUndefined();
    expect(span?.attributes['http.request.resend_count']).toBe(1);
  });

  it('a call refused before any request (breaker open) still gets a span, back-dated to its start', async () => {
    const { instance, spans, handle } = setupClient([{ status: 500 }], {
      retry: { maxAttempts: 1 },
      circuitBreaker: { strategy: { type: 'consecutive', threshold: 1 } },
    });
    await settle(instance.get('/v1/customers'));
    expect(handle.breakerState('partner')).toBe('open');
    const { error } = await settle(instance.get('/v1/customers'));
    expect(error?.kind).toBe('circuit-open');

    const all = spans();
    expect(all).toHaveLength(2);
    expect(all[0]?.events.map((e) => e.name)).toEqual(['circuit_opened']);
    expect(all[1]?.attributes).toMatchObject({ 'error.type': 'circuit-open', 'partner_center.attempts': 1 });
    expect(all[1]?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('uses scopeLabel on spans', async () => {
    const { instance, spans } = setupClient(
      [{ status: 200 }],
      {},
      { scopeLabel: (s) => s.split(':')[0] ?? s },
    );
    await settle(instance.get('/v1/customers/aaaaaaaa-0000-0000-0000-00000000000a/subscriptions'));
    expect(spans()[0]?.attributes['partner_center.scope']).toBe('customer');
  });

  it('dispose() ends open spans as incomplete and records nothing afterwards', async () => {
    const { instance, spans, instrumentation, points } = setupClient([{ hang: true }], {
      timeout: { attemptMs: 0, totalMs: 0 },
    });
    const pending = instance.get('/v1/customers').catch(() => undefined);
    await vi.advanceTimersByTimeAsync(10);
    expect(spans()).toHaveLength(0);

    instrumentation.dispose();
    instrumentation.dispose();
    const [span] = spans();
    expect(spans()).toHaveLength(1);
    expect(span?.attributes['partner_center.span.incomplete']).toBe(true);

    const before = (await points()).length;
    const again = setupClient([{ status: 200 }]);
    again.instrumentation.dispose();
    await settle(again.instance.get('/v1/customers'));
    expect(again.spans()).toHaveLength(0);
    expect(await again.points()).toHaveLength(0);
    expect((await points()).length).toBe(before);
    void pending;
  });

  it('bounds open spans: past maxOpenSpans the oldest is ended as incomplete', async () => {
    const { instance, spans } = setupClient(
      [{ hang: true }],
      { timeout: { attemptMs: 0, totalMs: 0 } },
      {
        maxOpenSpans: 2,
      },
    );
    for (let i = 0; i < 3; i++) void instance.get(`/v1/customers?size=${i}`).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(10);
    const ended = spans();
    expect(ended).toHaveLength(1);
    expect(ended[0]?.attributes['url.full']).toBe(`${BASE}/v1/customers?size=0`);
    expect(ended[0]?.attributes['partner_center.span.incomplete']).toBe(true);
  });

  it('rejects invalid caps', () => {
    const otel = setupOtel();
    const { handle } = setupClient([{ status: 200 }]);
    expect(() => instrumentResilience(handle, { ...otel, maxScopeLabels: -1 })).toThrow(RangeError);
    expect(() => instrumentResilience(handle, { ...otel, maxOpenSpans: 0 })).toThrow(/maxOpenSpans/);
  });
});

describe('reconcile', () => {
  it('adds a reconcile event with its outcome to the call span, and counts OnReconcile', async () => {
    const found = { status: 200, statusText: 'OK', headers: {}, data: { id: 'order-1' }, config: {} };
    const { instance, spans } = setupClient([{ status: 504 }], {
      reconcile: () => found as never,
    });
    const { value } = await settle(
      instance.post('/v1/customers/aaaaaaaa-0000-0000-0000-00000000000a/orders', {}),
    );
    expect(value?.status).toBe(200);
    const span = spans()[0];
    const events = span?.events.filter((e) => e.name === 'reconcile') ?? [];
    expect(events).toHaveLength(1);
    expect(events[0]?.attributes?.['partner_center.reconcile.outcome']).toBe('found');
  });

  it('adds a rate_limit event for each wait for a slot to the call span', async () => {
    const { instance, spans } = setupClient([{ status: 200 }], {
      rateLimit: { defaultRules: false, rules: [{ scope: 'partner', perMinute: 60, burst: 1 }] },
    });
    await settle(instance.get('/v1/customers?size=10'));
    await settle(instance.get('/v1/customers?size=10'));
    const waited = spans()[1];
    const events = waited?.events.filter((e) => e.name === 'rate_limit') ?? [];
    expect(events).toHaveLength(1);
    expect(events[0]?.attributes?.['partner_center.attempt']).toBe(1);
    expect(events[0]?.attributes?.['partner_center.wait_ms']).toBeGreaterThan(900);
  });
});

const named = (points: Point[], name: string) => points.filter((p) => p.name === name);
const total = (points: Point[]) =>
  points.reduce((sum, p) => sum + (typeof p.value === 'number' ? p.value : 0), 0);
const eventCounts = (points: Point[]) =>
  Object.fromEntries(
    named(points, RESILIENCE_METRICS.events).map((p) => [String(p.attributes['event.name']), p.value]),
  );

interface HistogramValue {
  readonly count: number;
  readonly sum?: number;
  readonly buckets: { readonly boundaries: number[] };
}

describe('metrics', () => {
  it('503, 503, 200: one duration point in seconds with semconv buckets, three attempts, two OnRetry', async () => {
    const { instance, points } = setupClient([{ status: 503 }, { status: 503 }, { status: 200 }]);
    await settle(instance.get('/v1/customers'));
    const all = await points();

    const durations = named(all, RESILIENCE_METRICS.requestDuration);
    expect(durations).toHaveLength(1);
    expect(durations[0]?.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': 'api.partnercenter.microsoft.com',
      'server.port': 443,
      'http.response.status_code': 200,
    });
    const histogram = durations[0]?.value as HistogramValue;
    expect(histogram.count).toBe(1);
    // jitter 'none', base 100 ms: waits of 100 ms and 200 ms
    expect(histogram.sum).toBeCloseTo(0.3, 5);
    expect(histogram.buckets.boundaries).toEqual([...HTTP_DURATION_BUCKETS]);

    const attempts = named(all, RESILIENCE_METRICS.attempts);
    expect(total(attempts)).toBe(3);
    expect(attempts.map((p) => p.attributes['partner_center.attempt']).sort()).toEqual([1, 2, 3]);
    expect(attempts[0]?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'partner_center.scope': 'partner',
    });
    expect(eventCounts(all)).toEqual({ OnRetry: 2 });
  });

  it('throttle then break: events in order on the span, counters tagged event.name and scope', async () => {
    const { instance, points, spans } = setupClient(
      [{ status: 429, headers: { 'retry-after': '1' } }, { status: 503 }, { status: 503 }],
      {
        retry: { maxAttempts: 4 },
        circuitBreaker: { strategy: { type: 'consecutive', threshold: 2 } },
        // The rate limiter's waits after the 429 have a test of their own (rate_limit span events).
        rateLimit: false,
      },
    );
    const { error } = await settle(instance.get('/v1/customers'));
    expect(error?.kind).toBe('circuit-open');

    const [span] = spans();
    expect(span?.events.map((e) => e.name)).toEqual([
      'throttle',
      'retry',
      'retry',
      'circuit_opened',
      'retry',
    ]);
    expect(span?.events[0]?.attributes).toEqual({
      'partner_center.retry_after_ms': 1000,
      'partner_center.throttle_source': 'retry-after',
    });
    expect(span?.attributes).toMatchObject({ 'error.type': 'circuit-open', 'http.request.resend_count': 2 });

    const all = await points();
    expect(eventCounts(all)).toEqual({ OnThrottle: 1, OnRetry: 3, OnCircuitOpened: 1, OnGiveUp: 1 });
    for (const p of named(all, RESILIENCE_METRICS.events)) {
      expect(p.attributes['partner_center.scope']).toBe('partner');
    }
    const [duration] = named(all, RESILIENCE_METRICS.requestDuration);
    expect(duration?.attributes['error.type']).toBe('circuit-open');
  });

  it('half-open and reset are counted', async () => {
    const { instance, points } = setupClient([{ status: 500 }, { status: 200 }], {
      retry: { maxAttempts: 1 },
      circuitBreaker: { strategy: { type: 'consecutive', threshold: 1 }, halfOpenAfterMs: 1000 },
    });
    await settle(instance.get('/v1/customers'));
    vi.advanceTimersByTime(1500);
    await settle(instance.get('/v1/customers'));
    expect(eventCounts(await points())).toEqual({
      OnCircuitOpened: 1,
      OnGiveUp: 1,
      OnCircuitHalfOpened: 1,
      OnCircuitClosed: 1,
    });
  });

  it('token refreshes are counted with reason and outcome', async () => {
    let n = 0;
    const { instance, points, spans } = setupClient(
      [{ status: 401, headers: { 'www-authenticate': 'OAuth realm=urn:cpsvc:cpid:1' } }, { status: 200 }],
      {
        tokenProvider: {
          async getToken() {
            n += 1;
            return { token: `tok-${n}`, expiresOnTimestamp: Date.now() + 3_600_000 };
          },
        },
      },
    );
    await settle(instance.get('/v1/customers'));
    const refreshes = named(await points(), RESILIENCE_METRICS.tokenRefreshes);
    expect(
      refreshes.map((p) => [
        p.attributes['partner_center.token.reason'],
        p.attributes['partner_center.token.outcome'],
        p.value,
      ]),
    ).toEqual([
      ['initial', 'success', 1],
      ['forced', 'success', 1],
    ]);
    const [span] = spans();
    expect(span?.events.map((e) => e.name)).toEqual(['token_refresh', 'token_refresh']);
    // the 401 replay is a resend, as the semantic conventions count them
    expect(span?.attributes['http.request.resend_count']).toBe(1);
    expect(span?.attributes['partner_center.attempts']).toBe(1);
  });

  it('caps scope labels: beyond maxScopeLabels every scope is "other"', async () => {
    const { instance, points } = setupClient(
      (_hit, index) => (index % 2 === 0 ? { status: 503 } : { status: 200 }),
      { retry: { maxAttempts: 2 } },
      { maxScopeLabels: 3 },
    );
    for (let i = 0; i < 6; i++) {
      await settle(instance.get(`/v1/customers/aaaaaaaa-0000-0000-0000-00000000000${i}/orders`));
    }
    const labels = named(await points(), RESILIENCE_METRICS.events).map(
      (p) => p.attributes['partner_center.scope'],
    );
    expect(new Set(labels)).toEqual(
      new Set([
        'customer:aaaaaaaa-0000-0000-0000-000000000000',
        'customer:aaaaaaaa-0000-0000-0000-000000000001',
        'customer:aaaaaaaa-0000-0000-0000-000000000002',
        'other',
      ]),
    );
  });

  it('a throwing scopeLabel yields "other"', async () => {
    const { instance, points, spans } = setupClient(
      [{ status: 503 }, { status: 200 }],
      {},
      {
        scopeLabel: () => {
          throw new Error('boom');
        },
      },
    );
    const { value } = await settle(instance.get('/v1/customers'));
    expect(value?.status).toBe(200);
    expect(spans()[0]?.attributes['partner_center.scope']).toBe('other');
    const [retry] = named(await points(), RESILIENCE_METRICS.events);
    expect(retry?.attributes['partner_center.scope']).toBe('other');
  });
});
