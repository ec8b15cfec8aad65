import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HTTP_DURATION_BUCKETS, RESILIENCE_METRICS } from '../../../src/otel/index.js';
import { type Point, settle, setupClient } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-25T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
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
