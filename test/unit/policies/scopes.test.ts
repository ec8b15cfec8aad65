import axios, { type AxiosInstance } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  attachResilience,
  InMemoryScopeStateStore,
  isPartnerCenterError,
  type ResilienceOptions,
  ResilienceOptionsError,
  type ScopeStateStore,
  type StoreFailure,
} from '../../../src/index.js';
import type { BreakerEvent, StoreErrorEvent, ThrottleEvent } from '../../../src/observability/events.js';
import { noSlowStart } from '../../helpers/noSlowStart.js';
import { type Hit, type Step, scriptedAdapter } from '../../helpers/scriptedAdapter.js';
import { capture } from '../../helpers/settle.js';

const BASE = 'https://api.partnercenter.microsoft.com';
const A = '/v1/customers/aaaaaaaa-0000-0000-0000-00000000000a/subscriptions';
const B = '/v1/customers/bbbbbbbb-0000-0000-0000-00000000000b/subscriptions';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-25T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(steps: Step[] | ((hit: Hit, index: number) => Step), options: ResilienceOptions = {}) {
  const scripted = scriptedAdapter(steps);
  const instance: AxiosInstance = axios.create({ adapter: scripted.adapter, baseURL: BASE });
  const handle = attachResilience(instance, noSlowStart(options));
  return { ...scripted, instance, handle };
}

/** The gate alone: the rate limiter (which also learns from these 429s) has tests of its own. */
function gateSetup(steps: Parameters<typeof setup>[0], options: ResilienceOptions = {}) {
  return setup(steps, { rateLimit: false, ...options });
}

describe('throttle gate', () => {
  it('makes the other calls of a throttled scope wait for the Retry-After deadline', async () => {
    const throttles: ThrottleEvent[] = [];
    const { instance, hits } = gateSetup(
      (_hit, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '10' } } : { status: 200 }),
      { hooks: { onThrottle: (e) => void throttles.push(e) } },
    );
    const first = capture(instance.get(A));
    await vi.advanceTimersByTimeAsync(0);
    expect(hits).toHaveLength(1);
    const start = Date.now();
    const second = capture(instance.get(A));
    const otherScope = capture(instance.get(B));
    await vi.advanceTimersByTimeAsync(0);
    // The other scope is not slowed; the same scope waits.
    expect(hits.map((h) => h.url)).toEqual([BASE + A, BASE + B]);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(hits).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(hits).toHaveLength(4);
    for (const hit of hits.slice(2)) expect(hit.at - start).toBeGreaterThanOrEqual(10_000);
    expect((await first).value?.status).toBe(200);
    expect((await second).value?.status).toBe(200);
    expect((await otherScope).value?.status).toBe(200);
    expect(throttles.map((t) => t.source)).toEqual(['retry-after', 'gate']);
    expect(throttles[1]?.retryAfterMs).toBe(10_000);
  });

  it('after the deadline the scope comes back in slow start: 1 call, then 2, then 4 at a time', async () => {
    const { instance, hits } = gateSetup((_hit, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '5' } } : { status: 200, delayMs: 100 },
    );
    const first = capture(instance.get(A));
    await vi.advanceTimersByTimeAsync(0);
    const waiting = Array.from({ length: 5 }, () => capture(instance.get(A)));
    // The deadline passes at 5 000 ms: one call (the probe) goes, answered at 5 100.
    await vi.advanceTimersByTimeAsync(5_050);
    expect(hits).toHaveLength(2);
    // Its success lets 2 go (answered at 5 200), then 4: the 3 left.
    await vi.advanceTimersByTimeAsync(60);
    expect(hits).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(100);
    expect(hits).toHaveLength(7);
    await vi.runAllTimersAsync();
    for (const r of await Promise.all([first, ...waiting])) expect(r.value?.status).toBe(200);
  });

  it('leaves slow start once the cap passes 16: then no cap', async () => {
    const { instance, hits } = gateSetup((_hit, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200, delayMs: 10 },
    );
    const first = capture(instance.get(A));
    await vi.advanceTimersByTimeAsync(1_100);
    await first; // its retry was the probe: the cap is now 2
    const early = Array.from({ length: 10 }, () => capture(instance.get(A)));
    await vi.advanceTimersByTimeAsync(0);
    expect(hits).toHaveLength(4);
    // Each success doubles the cap (4, 8, 16, 32): past 16 the scope has recovered.
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(early);
    const burst = Array.from({ length: 100 }, () => capture(instance.get(A)));
    await vi.advanceTimersByTimeAsync(0);
    expect(hits).toHaveLength(112);
    await vi.runAllTimersAsync();
    for (const r of await Promise.all(burst)) expect(r.value?.status).toBe(200);
  });

  it('a probe answered 429 holds the others for the new deadline', async () => {
    const { instance, hits } = gateSetup((_hit, index) =>
      index <= 1 ? { status: 429, headers: { 'retry-after': '5' } } : { status: 200 },
    );
    const first = capture(instance.get(A));
    await vi.advanceTimersByTimeAsync(0);
    const waiting = Array.from({ length: 3 }, () => capture(instance.get(A)));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(hits).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(hits).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    // At the new deadline every call goes (the probe first, then slow start): the three that waited and the
    // retry of the call answered 429. (0.1 counted 5 here: cockatiel's retry loop added a 0 ms timer that
    // fake timers run 1 ms later when it is set during a tick.)
    expect(hits).toHaveLength(6);
    expect(hits.slice(2).every((h) => h.at === hits[2]?.at)).toBe(true);
    await vi.runAllTimersAsync();
    for (const r of await Promise.all([first, ...waiting])) expect(r.value?.status).toBe(200);
  });

  it('fails at once, sending nothing, when the deadline is beyond the call budget', async () => {
    const { instance, hits } = gateSetup((_, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '100' } } : { status: 200 },
    );
    const first = capture(instance.get(A));
    await vi.advanceTimersByTimeAsync(0);
    const { error } = await capture(instance.get(A, { timeout: 5_000 }));
    expect(hits).toHaveLength(1);
    expect(error?.kind).toBe('throttled');
    expect(error?.reason).toContain('no request was sent');
    expect(error?.retryAfterMs).toBeGreaterThan(99_000);
    await vi.runAllTimersAsync();
    await first;
  });
});

describe('circuit breaker', () => {
  it('opens per scope: one failing tenant never opens the breaker of another', async () => {
    const breaks: BreakerEvent[] = [];
    const { instance, hits, handle } = setup(
      (hit) => (hit.url.includes('aaaaaaaa') ? { status: 503 } : { status: 200 }),
      {
        retry: { maxAttempts: 1 },
        circuitBreaker: { strategy: { type: 'consecutive', threshold: 3 }, halfOpenAfterMs: 1_000 },
        hooks: { onBreak: (e) => void breaks.push(e) },
      },
    );
    for (let i = 0; i < 3; i++) await capture(instance.get(A));
    expect(handle.breakerState('customer:aaaaaaaa-0000-0000-0000-00000000000a')).toBe('open');
    expect(breaks).toHaveLength(1);
    expect(breaks[0]?.scope).toBe('customer:aaaaaaaa-0000-0000-0000-00000000000a');
    expect(breaks[0]?.requestId).toMatch(/-/);
    const before = hits.length;
    const { error } = await capture(instance.get(A));
    expect(error?.kind).toBe('circuit-open');
    expect(hits.length).toBe(before);
    const other = await capture(instance.get(B));
    expect(other.value?.status).toBe(200);
    expect(handle.breakerState('customer:bbbbbbbb-0000-0000-0000-00000000000b')).toBe('closed');
  });

  it('half-opens after halfOpenAfterMs and closes on a successful test call', async () => {
    let healthy = false;
    const events: string[] = [];
    const { instance, handle } = setup(
      () => (healthy ? { status: 200 } : { status: 500, data: { code: 1 } }),
      {
        retry: { maxAttempts: 1 },
        circuitBreaker: { strategy: { type: 'consecutive', threshold: 2 }, halfOpenAfterMs: 5_000 },
        hooks: {
          onBreak: () => void events.push('break'),
          onHalfOpen: () => void events.push('half-open'),
          onReset: (e) => void events.push(`reset:${e.requestId !== ''}`),
        },
      },
    );
    await capture(instance.get('/v1/customers'));
    await capture(instance.get('/v1/customers'));
    expect(handle.breakerState('partner')).toBe('open');
    await vi.advanceTimersByTimeAsync(4_999);
    expect((await capture(instance.get('/v1/customers'))).error?.kind).toBe('circuit-open');
    await vi.advanceTimersByTimeAsync(1);
    healthy = true;
    expect((await capture(instance.get('/v1/customers'))).value?.status).toBe(200);
    expect(handle.breakerState('partner')).toBe('closed');
    expect(events).toEqual(['break', 'half-open', 'reset:true']);
  });

  it('does not count 4xx, 401, 403 or 429 as breaker failures', async () => {
    const statuses = [400, 401, 403, 404, 409, 429];
    // The breaker alone: the rate limiter would pace the calls after the 429.
    const { instance, handle } = setup((_, i) => ({ status: statuses[i % statuses.length] ?? 400 }), {
      rateLimit: false,
      retry: { maxAttempts: 1 },
      circuitBreaker: { strategy: { type: 'consecutive', threshold: 2 } },
    });
    for (let i = 0; i < 12; i++) {
      await capture(instance.get('/v1/customers'));
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(handle.breakerState('partner')).toBe('closed');
  });

  it('supports a sampling breaker', async () => {
    const { instance, handle } = setup([{ status: 503 }], {
      retry: { maxAttempts: 1 },
      timeout: { attemptMs: 1_000 },
      circuitBreaker: { strategy: { type: 'sampling', threshold: 0.5, durationMs: 10_000, minimumRps: 0.1 } },
    });
    for (let i = 0; i < 10; i++) await capture(instance.get('/v1/customers'));
    expect(handle.breakerState('partner')).toBe('open');
  });

  it('can be disabled', async () => {
    const { instance, handle, hits } = setup([{ status: 503 }], {
      retry: { maxAttempts: 1 },
      circuitBreaker: { enabled: false },
    });
    for (let i = 0; i < 20; i++) await capture(instance.get('/v1/customers'));
    expect(hits).toHaveLength(20);
    expect(handle.breakerState('partner')).toBe('closed');
  });
});

describe('retry budget', () => {
  it('stops retry storms: retries cost a token, successes refund', async () => {
    const { instance, hits } = setup([{ status: 503 }], {
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1 },
      retryBudget: { maxTokens: 3, refundPerSuccess: 1 },
      circuitBreaker: { enabled: false },
    });
    const first = capture(instance.get('/v1/customers'));
    await vi.runAllTimersAsync();
    expect((await first).error?.attempts).toBe(4);
    const second = capture(instance.get('/v1/customers'));
    await vi.runAllTimersAsync();
    const { error } = await second;
    expect(error?.attempts).toBe(1);
    expect(error?.reason).toContain('retry budget');
    expect(hits).toHaveLength(5);
  });
});

describe('timeouts and cancellation', () => {
  it('aborting during a backoff sleep rejects at once with kind cancelled and leaves no timer', async () => {
    const { instance, hits } = setup([{ status: 503 }, { status: 200 }], {
      retry: { baseDelayMs: 10_000, maxDelayMs: 10_000, jitter: 'none' },
    });
    const controller = new AbortController();
    const pending = capture(instance.get('/v1/customers', { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(100);
    expect(hits).toHaveLength(1);
    controller.abort();
    const { error } = await pending;
    expect(error?.kind).toBe('cancelled');
    expect(hits).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an already aborted signal sends nothing', async () => {
    const { instance, hits } = setup([{ status: 200 }]);
    const { error } = await capture(instance.get('/v1/customers', { signal: AbortSignal.abort() }));
    expect(error?.kind).toBe('cancelled');
    expect(hits).toHaveLength(0);
  });

  it('a per-attempt timeout is a retryable timeout, never cancelled', async () => {
    const { instance, hits } = setup([{ hang: true }, { status: 200 }], {
      timeout: { attemptMs: 1_000, totalMs: 60_000 },
      retry: { baseDelayMs: 10, maxDelayMs: 10 },
    });
    const pending = capture(instance.get('/v1/customers'));
    await vi.advanceTimersByTimeAsync(999);
    expect(hits).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(hits).toHaveLength(2);
    expect((await pending).value?.status).toBe(200);
  });

  it("the request's axios timeout is the total budget across retries", async () => {
    const { instance, hits } = setup([{ hang: true }], {
      timeout: { attemptMs: 1_000, totalMs: 0 },
      retry: { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 10 },
    });
    const pending = capture(instance.get('/v1/customers', { timeout: 2_500 }));
    await vi.advanceTimersByTimeAsync(2_500);
    const { error } = await pending;
    expect(error?.kind).toBe('timeout');
    expect(error?.retryable).toBe(false);
    expect(error?.reason).toContain('2500 ms');
    expect(hits.length).toBeLessThanOrEqual(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not sleep in vain: a backoff past the total budget fails at once', async () => {
    const { instance, hits } = setup([{ status: 503 }], {
      timeout: { attemptMs: 1_000, totalMs: 5_000 },
      retry: { baseDelayMs: 8_000, maxDelayMs: 8_000, jitter: 'none', maxRetryAfterMs: 5_000 },
    });
    const { error } = await capture(instance.get('/v1/customers'));
    expect(hits).toHaveLength(1);
    expect(error?.reason).toContain('total time budget');
  });
});

describe('tenant scopes', () => {
  it('resolves customer scopes from paths, per-request tenant and scope, and a resolver', async () => {
    const seen: string[] = [];
    const { instance } = setup([{ status: 200 }], {
      hooks: { onSuccess: (e) => void seen.push(e.scope) },
      tenants: { resolve: (config) => (config.url?.includes('/invoices') ? 'billing' : undefined) },
    });
    await capture(instance.get('/v1/customers/ABC-1/subscriptions'));
    await capture(instance.get('/v1/customers'));
    await capture(instance.get('/v1/customers', { partnerCenter: { tenant: 'T2' } }));
    await capture(instance.get('/v1/customers/x', { partnerCenter: { scope: 'custom' } }));
    await capture(instance.get('/v1/invoices'));
    expect(seen).toEqual(['customer:abc-1', 'partner', 'customer:t2', 'custom', 'billing']);
  });

  it('applies per-scope policy overrides', async () => {
    const { instance, hits } = setup([{ status: 503 }], {
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      tenants: { policies: { 'customer:vip': { retry: { maxAttempts: 5 } } } },
    });
    const p = capture(instance.get('/v1/customers/VIP/orders'));
    await vi.runAllTimersAsync();
    await p;
    expect(hits).toHaveLength(5);
  });

  it('keeps memory bounded: at most maxScopes scopes', async () => {
    const { instance, handle } = setup([{ status: 200 }], { tenants: { maxScopes: 100 } });
    for (let i = 0; i < 1_000; i++) await capture(instance.get(`/v1/customers/t${i}/orders`));
    expect(handle.scopeCount).toBe(100);
  });

  it('evicts idle scopes', async () => {
    const { instance, handle } = setup([{ status: 200 }], { tenants: { idleEvictionMs: 60_000 } });
    for (let i = 0; i < 4; i++) await capture(instance.get(`/v1/customers/t${i}/orders`));
    expect(handle.scopeCount).toBe(4);
    vi.setSystemTime(Date.now() + 61_000);
    await capture(instance.get('/v1/customers/fresh/orders'));
    expect(handle.scopeCount).toBe(1);
  });
});

describe('options', () => {
  it('are validated at attach time with clear messages', () => {
    const instance = axios.create();
    expect(() => attachResilience(instance, { timeout: { attemptMs: 10_000, totalMs: 5_000 } })).toThrow(
      /timeout.attemptMs \(10000\) must not exceed timeout.totalMs \(5000\)/,
    );
    expect(() => attachResilience(instance, { retry: { maxAttempts: 0 } })).toThrow(ResilienceOptionsError);
    expect(() => attachResilience(instance, { retry: { maxAttempts: 0 } })).toThrow(/retry.maxAttempts/);
    expect(() =>
      attachResilience(instance, { retry: { maxRetryAfterMs: 600_000 }, timeout: { totalMs: 60_000 } }),
    ).toThrow(/maxRetryAfterMs/);
    expect(() =>
      attachResilience(instance, {
        circuitBreaker: { strategy: { type: 'sampling', threshold: 0.5, durationMs: 1_000 } },
        timeout: { attemptMs: 1_000 },
      }),
    ).toThrow(/at least twice timeout.attemptMs/);
    expect(() => attachResilience(instance, { retyr: {} } as unknown as ResilienceOptions)).toThrow(/retyr/);
    expect(() =>
      attachResilience(instance, {
        tenants: { policies: { vip: { timeout: { attemptMs: 9, totalMs: 1 } } } },
      }),
    ).toThrow(/tenants\.policies\.vip\.timeout\.attemptMs/);
    // Nothing was attached by the failed calls.
    expect(instance.interceptors.request.handlers?.filter(Boolean) ?? []).toHaveLength(0);
  });

  it('allowedQueryParameters keeps extra query values in errors and events; others are redacted', async () => {
    const urls: string[] = [];
    const { instance } = setup([{ status: 400, data: { code: 2000 } }], {
      allowedQueryParameters: ['customerTenantId'],
      hooks: { onGiveUp: (e) => void urls.push(e.url) },
    });
    const { error } = await capture(
      instance.get('/v1/x', { params: { customerTenantId: 'abc', token: 'hush' } }),
    );
    expect(error?.url).toBe(`${BASE}/v1/x?customerTenantId=abc&token=REDACTED`);
    expect(urls).toEqual([`${BASE}/v1/x?customerTenantId=abc&token=REDACTED`]);
  });

  it('never mutates the caller options', () => {
    const options = Object.freeze({ retry: Object.freeze({ maxAttempts: 3 }) });
    expect(() => attachResilience(axios.create(), options)).not.toThrow();
  });
});

describe('hooks', () => {
  it('a hook that throws or rejects never changes the outcome and is reported once', async () => {
    const reported: string[] = [];
    const { instance } = setup([{ status: 503 }, { status: 200 }], {
      retry: { baseDelayMs: 1, maxDelayMs: 1 },
      hooks: {
        onRetry: () => {
          throw new Error('hook bug');
        },
        onSuccess: () => Promise.reject(new Error('async hook bug')),
        onHookError: (e) => void reported.push(`${e.hook}:${(e.error as Error).message}`),
      },
    });
    const pending = capture(instance.get('/v1/customers'));
    await vi.runAllTimersAsync();
    expect((await pending).value?.status).toBe(200);
    expect(reported).toEqual(['onRetry:hook bug', 'onSuccess:async hook bug']);
  });

  it("hooks never run inside the caller's own call stack", async () => {
    const sources: string[] = [];
    const { instance } = setup(
      (_hit, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }),
      { hooks: { onThrottle: (e) => void sources.push(e.source) } },
    );
    const first = capture(instance.get('/v1/customers'));
    await vi.advanceTimersByTimeAsync(0);
    expect(sources).toEqual(['retry-after']);
    // The scope is throttled: this call waits at the gate, but its hook fires only after get() returned.
    const second = capture(instance.get('/v1/customers'));
    expect(sources).toEqual(['retry-after']);
    await vi.advanceTimersByTimeAsync(0);
    expect(sources).toEqual(['retry-after', 'gate']);
    await vi.runAllTimersAsync();
    await Promise.all([first, second]);
  });

  it('handle events subscribe and dispose cockatiel style', async () => {
    const { instance, handle } = setup([{ status: 200 }]);
    const seen: number[] = [];
    const sub = handle.onSuccess((e) => void seen.push(e.attempts));
    await capture(instance.get('/v1/customers'));
    sub.dispose();
    await capture(instance.get('/v1/customers'));
    expect(seen).toEqual([1]);
  });
});

describe('detach', () => {
  it('restores the instance: no retry, plain axios errors', async () => {
    const { instance, handle, hits } = setup([{ status: 503 }]);
    handle.detach();
    handle.detach();
    const error = await instance.get('/v1/customers').catch((e: unknown) => e);
    expect(hits).toHaveLength(1);
    expect(axios.isAxiosError(error)).toBe(true);
    expect(isPartnerCenterError(error)).toBe(false);
  });
});

describe('store failures', () => {
  it('a store that throws never blocks calls and is reported through onStoreError, redacted', async () => {
    const failures: StoreErrorEvent[] = [];
    const broken = new InMemoryScopeStateStore();
    broken.getThrottleDeadline = () => {
      throw new Error('connect ECONNREFUSED redis://user:s3cret-canary@127.0.0.1:6390');
    };
    const { instance, hits } = setup([{ status: 200 }], {
      store: broken,
      hooks: { onStoreError: (e) => void failures.push(e) },
    });
    const { value } = await capture(instance.get(A));
    expect(value?.status).toBe(200);
    expect(hits).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      operation: 'getThrottleDeadline',
      scope: 'customer:aaaaaaaa-0000-0000-0000-00000000000a',
    });
    expect(JSON.stringify(failures)).not.toContain('s3cret-canary');
  });

  it('a subclass of the in-memory store whose read throws is reported too, not read around', async () => {
    const failures: StoreErrorEvent[] = [];
    class Flaky extends InMemoryScopeStateStore {
      override getOpenUntil(): number | undefined {
        throw new Error('flaky open-until');
      }
    }
    const { instance, hits } = setup([{ status: 200 }], {
      store: new Flaky(),
      hooks: { onStoreError: (e) => void failures.push(e) },
    });
    const { value } = await capture(instance.get(A));
    expect(value?.status).toBe(200);
    expect(hits).toHaveLength(1);
    await Promise.resolve();
    expect(failures.map((f) => f.operation)).toContain('getOpenUntil');
  });

  it('failures a store absorbs itself (onFailure) reach onStoreError until detach', () => {
    const failures: StoreErrorEvent[] = [];
    const listeners = new Set<(failure: StoreFailure) => void>();
    const store: ScopeStateStore = Object.assign(new InMemoryScopeStateStore(), {
      onFailure(listener: (failure: StoreFailure) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
    const handle = attachResilience(axios.create(), {
      store,
      hooks: { onStoreError: (e) => void failures.push(e) },
    });
    for (const l of listeners)
      l({ operation: 'takeRetryToken', scope: 'partner', error: new Error('Redis timed out') });
    expect(failures).toEqual([{ operation: 'takeRetryToken', scope: 'partner', reason: 'Redis timed out' }]);
    handle.detach();
    expect(listeners.size).toBe(0);
  });
});

describe('attaching twice', () => {
  it('is refused with a clear error until the first handle is detached', () => {
    const instance = axios.create();
    const first = attachResilience(instance);
    expect(() => attachResilience(instance)).toThrow(/already attached/);
    first.detach();
    expect(() => attachResilience(instance).detach()).not.toThrow();
  });
});

describe('load', () => {
  it('1,000 concurrent calls settle with no unhandled rejection and no timer left', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // Every third logical call fails its first attempt.
      const seen = new Set<string>();
      const { instance, hits } = setup(
        (hit, i) => {
          const id = hit.headers['ms-requestid'] ?? '';
          const first = !seen.has(id);
          seen.add(id);
          return first && seen.size % 3 === 0 ? { status: 503 } : { status: 200, delayMs: i % 7 };
        },
        {
          retry: { baseDelayMs: 5, maxDelayMs: 50 },
          // Every budget lifted: the test is about settling, not about budgets.
          retryBudget: { maxTokens: 10_000 },
          partnerRetryBudget: false,
          circuitBreaker: { enabled: false },
        },
      );
      const calls = Array.from({ length: 1_000 }, (_, i) =>
        capture(instance.get(`/v1/customers/t${i % 50}/orders`)),
      );
      await vi.runAllTimersAsync();
      const results = await Promise.all(calls);
      expect(results.filter((r) => r.value?.status === 200).length).toBe(1_000);
      expect(hits).toHaveLength(1_333);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
