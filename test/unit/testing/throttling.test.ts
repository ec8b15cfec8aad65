import { describe, expect, it } from 'vitest';
import { harness } from './helpers.js';

describe('simulator throttling', () => {
  it('limits the partner scope per fixed window with the gateway 429 body and Retry-After', async () => {
    const { sim, api, clock } = await harness({
      scenario: { throttle: { partner: { limit: 2, windowMs: 10_000 } } },
    });
    expect((await api.get('/v1/customers')).status).toBe(200);
    clock.advance(1_000);
    expect((await api.get('/v1/customers')).status).toBe(200);
    clock.advance(500);
    const throttled = await api.get('/v1/customers');
    expect(throttled.status).toBe(429);
    // 8.5 s left in the window, rounded up.
    expect(throttled.headers['retry-after']).toBe('9');
    expect(throttled.data).toEqual({
      statusCode: 429,
      message: 'Rate limit is exceeded. Try again in 9 seconds.',
    });
    expect(throttled.headers['ms-requestid']).toBeDefined();

    // Customer-scope requests are not in the partner window.
    expect((await api.get(`/v1/customers/${sim.customerIds[0]}`)).status).toBe(200);

    clock.advance(9_000); // waits the 9 s it was told
    expect((await api.get('/v1/customers')).status).toBe(200);
    const stats = sim.stats();
    expect(stats.throttledResponses).toBe(1);
    expect(stats.statusCounts).toEqual({ '200': 4, '429': 1 });
    expect(stats.hitsBeforeDeadline).toBe(0);
  });

  it('limits each partner+customer scope on its own', async () => {
    const { sim, api } = await harness({
      scenario: { customers: 2, throttle: { customer: { limit: 1, windowMs: 2_000 } } },
    });
    const [a, b] = sim.customerIds;
    expect((await api.get(`/v1/customers/${a}`)).status).toBe(200);
    const second = await api.get(`/v1/customers/${a}/subscriptions`);
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('2');
    expect((await api.get(`/v1/customers/${b}/subscriptions`)).status).toBe(200);
    expect((await api.get('/v1/customers')).status).toBe(200);
    const stats = sim.stats();
    expect(stats.hitsPerScope).toEqual({ [a as string]: 2, [b as string]: 1, partner: 1 });
    expect(stats.log.map((entry) => entry.reason)).toEqual(['ok', 'throttled', 'ok', 'ok']);
  });

  it('counts hits before the announced deadline for a client that retries at once', async () => {
    const { sim, api, clock } = await harness({
      scenario: { throttle: { partner: { limit: 1, windowMs: 1_000 } } },
    });
    await api.get('/v1/customers');
    const throttled = await api.get('/v1/customers');
    expect(throttled.headers['retry-after']).toBe('1');
    // A hit in the same millisecond was already in flight: counted apart, not as a violation.
    expect((await api.get('/v1/customers')).status).toBe(429);
    clock.advance(999);
    expect((await api.get('/v1/customers')).status).toBe(429);
    const stats = sim.stats();
    expect(stats.inFlightAtDeadline).toBe(1);
    expect(stats.hitsBeforeDeadline).toBe(1);
    expect(stats.hitsBeforeDeadlinePerScope).toEqual({ partner: 1 });
    expect(stats.log.map((entry) => entry.beforeDeadline)).toEqual([false, false, false, true]);
  });

  it('counts every hit under a deadline with deadlineGraceMs 0, and early retries by MS-RequestId', async () => {
    const { sim, api, clock } = await harness({
      scenario: { deadlineGraceMs: 0, throttle: { partner: { limit: 1, windowMs: 1_000 } } },
    });
    await api.get('/v1/customers');
    const headers = { 'MS-RequestId': '11111111-1111-4111-8111-111111111111' };
    expect((await api.get('/v1/customers', { headers })).status).toBe(429);
    expect((await api.get('/v1/customers')).status).toBe(429);
    clock.advance(500);
    expect((await api.get('/v1/customers', { headers })).status).toBe(429);
    const stats = sim.stats();
    expect(stats.hitsBeforeDeadline).toBe(2);
    expect(stats.inFlightAtDeadline).toBe(0);
    expect(stats.earlyRetries).toBe(1);
  });

  it('does not count a client that waits for Retry-After', async () => {
    const { sim, api, clock } = await harness({
      scenario: { throttle: { customer: { limit: 1, windowMs: 1_500 } } },
    });
    const customer = sim.customerIds[0];
    await api.get(`/v1/customers/${customer}`);
    const throttled = await api.get(`/v1/customers/${customer}`);
    expect(throttled.status).toBe(429);
    const seconds = Number(throttled.headers['retry-after']);
    expect(seconds).toBe(2);
    // Another customer is a different scope: not under the deadline.
    await api.get(`/v1/customers/${sim.customerIds[1]}`);
    clock.advance(seconds * 1000);
    expect((await api.get(`/v1/customers/${customer}`)).status).toBe(200);
    expect(sim.stats().hitsBeforeDeadline).toBe(0);
  });

  it('counts a hit after the window reset but before the announced (rounded-up) deadline', async () => {
    const { sim, api, clock } = await harness({
      scenario: { throttle: { partner: { limit: 1, windowMs: 1_200 } } },
    });
    await api.get('/v1/customers');
    clock.advance(100);
    expect((await api.get('/v1/customers')).headers['retry-after']).toBe('2');
    clock.advance(1_500); // window reset at 1200 ms, deadline at 2100 ms
    expect((await api.get('/v1/customers')).status).toBe(200);
    expect(sim.stats().hitsBeforeDeadline).toBe(1);
  });
});
