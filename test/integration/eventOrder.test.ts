import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachResilience, type CallInfo, type ResilienceOptions } from '../../src/index.js';
import { PARTNER_CENTER as BASE } from '../helpers/attachScripted.js';
import { type Step, scriptedAdapter } from '../helpers/scriptedAdapter.js';
import { settle } from '../helpers/settle.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-25T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

type Recorded = { readonly name: string; readonly event: CallInfo & { readonly attempt?: number } };

/** Records every handle event, in order, with its payload. */
function record(steps: Step[], options: ResilienceOptions) {
  const scripted = scriptedAdapter(steps);
  const instance = axios.create({ adapter: scripted.adapter, baseURL: BASE });
  const handle = attachResilience(instance, {
    ...options,
    retry: { jitter: 'none', baseDelayMs: 100, ...options.retry },
  });
  const seen: Recorded[] = [];
  const names = [
    'onRequest',
    'onRetry',
    'onThrottle',
    'onBreak',
    'onHalfOpen',
    'onReset',
    'onTokenRefresh',
    'onGiveUp',
    'onSuccess',
  ] as const;
  for (const name of names) {
    (handle[name] as (listener: (event: Recorded['event']) => void) => unknown)((event) => {
      seen.push({ name, event });
    });
  }
  const label = (r: Recorded) => (r.event.attempt === undefined ? r.name : `${r.name}(${r.event.attempt})`);
  return { instance, seen, labels: () => seen.map(label) };
}

const callOf = (e: CallInfo) => ({
  requestId: e.requestId,
  correlationId: e.correlationId,
  scope: e.scope,
  method: e.method,
  url: e.url,
});

describe('event order', () => {
  it('retry then success: onRequest(1), onRetry(1), onRequest(2), onSuccess, all with the same call fields', async () => {
    const { instance, seen, labels } = record([{ status: 503 }, { status: 200 }], {});
    await settle(instance.get('/v1/customers?size=5'));
    expect(labels()).toEqual(['onRequest(1)', 'onRetry(1)', 'onRequest(2)', 'onSuccess']);
    const first = seen[0]?.event;
    if (!first) throw new Error('no event');
    expect(callOf(first)).toEqual({
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      scope: 'partner',
      method: 'GET',
      url: `${BASE}/v1/customers?size=5`,
    });
    for (const r of seen) expect(callOf(r.event)).toEqual(callOf(first));
  });

  it('throttle then break: the 429 throttles and retries, the 503s open the breaker, the call gives up', async () => {
    const { instance, seen, labels } = record(
      [{ status: 429, headers: { 'retry-after': '1' } }, { status: 503 }, { status: 503 }],
      { retry: { maxAttempts: 4 }, circuitBreaker: { strategy: { type: 'consecutive', threshold: 2 } } },
    );
    const { error } = await settle(instance.get('/v1/customers'));
    expect(error?.kind).toBe('circuit-open');
    expect(labels()).toEqual([
      'onRequest(1)',
      'onThrottle',
      'onRetry(1)',
      'onRequest(2)',
      'onRetry(2)',
      'onRequest(3)',
      'onBreak',
      'onRetry(3)',
      'onGiveUp',
    ]);
    const first = seen[0]?.event;
    if (!first) throw new Error('no event');
    for (const r of seen) expect(callOf(r.event)).toEqual(callOf(first));
  });

  it('half-open then reset: the test call carries onHalfOpen and onReset', async () => {
    const { instance, seen, labels } = record([{ status: 500 }, { status: 200 }], {
      retry: { maxAttempts: 1 },
      circuitBreaker: { strategy: { type: 'consecutive', threshold: 1 }, halfOpenAfterMs: 1000 },
    });
    await settle(instance.get('/v1/customers'));
    vi.advanceTimersByTime(1500);
    seen.length = 0;
    await settle(instance.get('/v1/customers'));
    expect(labels()).toEqual(['onHalfOpen', 'onRequest(1)', 'onReset', 'onSuccess']);
    const first = seen[0]?.event;
    if (!first) throw new Error('no event');
    for (const r of seen) expect(callOf(r.event)).toEqual(callOf(first));
  });
});
