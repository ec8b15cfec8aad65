import { describe, expect, it } from 'vitest';
import type { BreakerEvent } from '../../../src/observability/events.js';
import { InMemoryScopeStateStore } from '../../../src/tenancy/InMemoryScopeStateStore.js';
import { attachScripted, useFakeClock } from '../../helpers/attachScripted.js';
import { settle } from '../../helpers/settle.js';

useFakeClock();

const UNAVAILABLE = { status: 503, data: { code: 3000, description: 'Service unavailable' } };
const OK = { status: 200, data: { items: [] } };
/** Each request gets one attempt: the breaker counts one failure per call. */
const ONCE = { partnerCenter: { retry: false } };

function setup(steps: Parameters<typeof attachScripted>[0]) {
  const resets: BreakerEvent[] = [];
  const breaks: BreakerEvent[] = [];
  const store = new InMemoryScopeStateStore();
  const scripted = attachScripted(steps, {
    store,
    circuitBreaker: { strategy: { type: 'consecutive', threshold: 5 }, halfOpenAfterMs: 30_000 },
    hooks: { onReset: (event) => void resets.push(event), onBreak: (event) => void breaks.push(event) },
  });
  return { ...scripted, store, resets, breaks };
}

describe('handle.breaker(scope)', () => {
  it('isolate() makes calls of the scope fail with circuit-open, nothing sent, until dispose()', async () => {
    const { instance, hits, handle } = setup([OK]);
    const control = handle.breaker('partner');
    expect(control?.state).toBe('closed');
    const isolation = control?.isolate();
    expect(control?.state).toBe('isolated');
    for (let i = 0; i < 3; i++) {
      const { error } = await settle(instance.get('/v1/customers'));
      expect(error?.kind).toBe('circuit-open');
      // With a shared store, the isolation's open hint is read first (`... open for another 30000 ms; ...`).
      expect(error?.reason).toMatch(/^the circuit breaker of scope partner is open.*; no request was sent$/);
    }
    expect(hits).toHaveLength(0);
    isolation?.dispose();
    expect(control?.state).toBe('closed');
    const { value } = await settle(instance.get('/v1/customers'));
    expect(value?.status).toBe(200);
    expect(hits).toHaveLength(1);
  });

  it('leaves other scopes alone while one is isolated', async () => {
    const { instance, hits, handle } = setup([OK]);
    const isolation = handle.breaker('partner')?.isolate();
    const { value } = await settle(
      instance.get('/v1/customers/c0ffee00-0000-4000-8000-000000000001/subscriptions'),
    );
    expect(value?.status).toBe(200);
    expect(hits).toHaveLength(1);
    isolation?.dispose();
  });

  it('reset() closes a breaker opened by 5 consecutive 503s: the next call is sent, the hint cleared, onReset once', async () => {
    const { instance, hits, handle, store, resets, breaks } = setup((_hit, index) =>
      index < 5 ? UNAVAILABLE : OK,
    );
    for (let i = 0; i < 5; i++) {
      const { error } = await settle(instance.get('/v1/customers', ONCE));
      expect(error?.status).toBe(503);
    }
    expect(breaks).toHaveLength(1);
    expect(handle.breakerState('partner')).toBe('open');
    expect(store.getOpenUntil('partner')).toBeGreaterThan(Date.now());
    const refused = await settle(instance.get('/v1/customers', ONCE));
    expect(refused.error?.kind).toBe('circuit-open');
    expect(hits).toHaveLength(5);

    handle.breaker('partner')?.reset();
    expect(handle.breakerState('partner')).toBe('closed');
    expect(store.getOpenUntil('partner')).toBeUndefined();
    expect(resets).toHaveLength(1);
    expect(resets[0]?.scope).toBe('partner');
    expect(resets[0]?.reason).toBe('reset by hand');

    const { value } = await settle(instance.get('/v1/customers', ONCE));
    expect(value?.status).toBe(200);
    expect(hits).toHaveLength(6);
    expect(resets).toHaveLength(1);
  });

  it('reset() forgets the failures counted so far', async () => {
    const { instance, hits, handle } = setup((_hit, index) => (index < 8 ? UNAVAILABLE : OK));
    for (let i = 0; i < 4; i++) await settle(instance.get('/v1/customers', ONCE));
    handle.breaker('partner')?.reset();
    // Four more failures do not reach the threshold of five: the breaker stays closed.
    for (let i = 0; i < 4; i++) await settle(instance.get('/v1/customers', ONCE));
    expect(handle.breakerState('partner')).toBe('closed');
    expect(hits).toHaveLength(8);
  });

  it('reset() lifts an isolation, and a reset of a closed breaker reports nothing', async () => {
    const { instance, hits, handle, resets } = setup([OK]);
    const control = handle.breaker('partner');
    control?.reset();
    expect(resets).toEqual([]);
    control?.isolate();
    control?.reset();
    expect(control?.state).toBe('closed');
    expect(resets).toHaveLength(1);
    const { value } = await settle(instance.get('/v1/customers'));
    expect(value?.status).toBe(200);
    expect(hits).toHaveLength(1);
  });

  it('is undefined when breakers are off', () => {
    const { handle } = attachScripted([OK], { circuitBreaker: { enabled: false } });
    expect(handle.breaker('partner')).toBeUndefined();
    expect(handle.breaker('customer:c0ffee00-0000-4000-8000-000000000001')).toBeUndefined();
  });
});

describe('handle.breaker(scope) with the instance own store', () => {
  it('isolate() refuses without sending, and dispose() lets calls through', async () => {
    const { instance, hits, handle } = attachScripted([OK]);
    const isolation = handle.breaker('partner')?.isolate();
    const { error } = await settle(instance.get('/v1/customers'));
    expect(error?.kind).toBe('circuit-open');
    expect(error?.reason).toBe('the circuit breaker of scope partner is open; no request was sent');
    expect(hits).toHaveLength(0);
    isolation?.dispose();
    const { value } = await settle(instance.get('/v1/customers'));
    expect(value?.status).toBe(200);
    expect(hits).toHaveLength(1);
  });
});
