import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { type AccessToken, InMemoryScopeStateStore, isPartnerCenterError } from '../../../src/index.js';
import type { RetryEvent, StoreErrorEvent } from '../../../src/observability/events.js';
import { attachScripted, useFakeClock } from '../../helpers/attachScripted.js';
import { capture } from '../../helpers/settle.js';

// Faults found in the engine from outside, each fixed in one of the new rooms.

useFakeClock();

const HOUR = 3_600_000;

const setup = attachScripted;

/** A store whose reads never settle (a hung connection), and whose writes succeed. */
function hungStore() {
  const store = new InMemoryScopeStateStore();
  const never = () => new Promise<never>(() => undefined);
  store.getThrottleDeadline = never as unknown as typeof store.getThrottleDeadline;
  store.getOpenUntil = never as unknown as typeof store.getOpenUntil;
  store.takeRetryToken = never as unknown as typeof store.takeRetryToken;
  return store;
}

describe('a store whose promises never settle', () => {
  it('holds a call no longer than the store timeout per read, and reports it', async () => {
    const failures: StoreErrorEvent[] = [];
    const { instance, hits } = setup([{ status: 200 }], {
      store: hungStore(),
      hooks: { onStoreError: (e) => void failures.push(e) },
    });
    const pending = capture(instance.get('/v1/customers'));
    await vi.advanceTimersByTimeAsync(5_000);
    const { value } = await pending;
    expect(value?.status).toBe(200);
    expect(hits).toHaveLength(1);
    expect(failures.map((f) => f.operation)).toEqual(['getThrottleDeadline', 'getOpenUntil']);
    expect(failures[0]?.reason).toMatch(/no answer within 1000 ms/);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("never holds a call past its total budget: it ends at the budget with kind 'timeout'", async () => {
    const { instance, hits } = setup([{ status: 200 }], { store: hungStore() });
    const pending = capture(instance.get('/v1/customers', { timeout: 300 }));
    await vi.advanceTimersByTimeAsync(300);
    const { error } = await pending;
    expect(error?.kind).toBe('timeout');
    expect(error?.reason).toContain('300 ms');
    expect(hits).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("never holds a call past its caller's abort", async () => {
    const { instance, hits } = setup([{ status: 200 }], { store: hungStore() });
    const controller = new AbortController();
    const pending = capture(instance.get('/v1/customers', { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(50);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    const { error } = await pending;
    expect(error?.kind).toBe('cancelled');
    expect(hits).toHaveLength(0);
  });
});

describe('a token provider slower than attemptMs', () => {
  it('is an attempt timeout, retried: the call succeeds once the token arrives', async () => {
    let calls = 0;
    const provider = {
      getToken(): Promise<AccessToken> {
        calls += 1;
        return new Promise((resolve) =>
          setTimeout(
            () => resolve({ token: 'slow-token-0123456789', expiresOnTimestamp: Date.now() + HOUR }),
            1_500,
          ),
        );
      },
    };
    const retries: RetryEvent[] = [];
    const { instance, hits } = setup([{ status: 200 }], {
      tokenProvider: provider,
      timeout: { attemptMs: 1_000, totalMs: 60_000 },
      retry: { baseDelayMs: 10, maxDelayMs: 10 },
      hooks: { onRetry: (e) => void retries.push(e) },
    });
    const pending = capture(instance.get('/v1/customers'));
    await vi.advanceTimersByTimeAsync(3_000);
    const { value, error } = await pending;
    expect(error).toBeUndefined();
    expect(value?.status).toBe(200);
    expect(retries.map((r) => r.errorKind)).toEqual(['timeout']);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.headers.authorization).toBe('Bearer slow-token-0123456789');
    expect(calls).toBe(1);
  });
});

describe('the breaker opening in the middle of a call', () => {
  it("keeps kind 'circuit-open' and the last answer: status, code, description, cause, attempts sent", async () => {
    const { instance, hits } = setup(
      [
        {
          status: 503,
          data: { code: 800064, description: 'Service unavailable, try later', source: 'PartnerFD' },
        },
      ],
      {
        retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 10 },
        circuitBreaker: { strategy: { type: 'consecutive', threshold: 2 }, halfOpenAfterMs: 30_000 },
      },
    );
    const pending = capture(instance.get('/v1/customers'));
    await vi.runAllTimersAsync();
    const { error } = await pending;
    expect(hits).toHaveLength(2);
    expect(error?.kind).toBe('circuit-open');
    expect(error?.status).toBe(503);
    expect(error?.code).toBe('800064');
    expect(error?.description).toBe('Service unavailable, try later');
    expect(error?.reason).toMatch(/2 attempts were sent/);
    expect(error?.reason).not.toMatch(/no request was sent/);
    const cause = (error as { cause?: unknown } | undefined)?.cause;
    expect(isPartnerCenterError(cause) && cause.status).toBe(503);
  });

  it('still says no request was sent when the breaker refused the first attempt', async () => {
    const { instance } = setup([{ status: 500 }], {
      retry: { maxAttempts: 1 },
      circuitBreaker: { strategy: { type: 'consecutive', threshold: 1 } },
      // The breaker, not the slow start: the second call is not paced (the clock does not move here).
      rateLimit: { slowStart: false },
    });
    await capture(instance.get('/v1/customers'));
    const { error } = await capture(instance.get('/v1/customers'));
    expect(error?.kind).toBe('circuit-open');
    expect(error?.status).toBeUndefined();
    expect(error?.reason).toMatch(/no request was sent/);
  });
});

describe('a 401 whose token refresh cannot help', () => {
  const fixture = JSON.parse(
    readFileSync(
      new URL('../../fixtures/partner-center-errors/401-token-missing-realm.json', import.meta.url),
      'utf8',
    ),
  ) as { status: number; headers: Record<string, string>; body: unknown };

  it("keeps the 401's status and Partner Center code when the provider hands back the rejected token", async () => {
    const provider = {
      async getToken(): Promise<AccessToken> {
        return { token: 'same-token-0123456789', expiresOnTimestamp: Date.now() + HOUR };
      },
    };
    const { instance, hits } = setup([{ status: 401, headers: fixture.headers, data: fixture.body }], {
      tokenProvider: provider,
    });
    const pending = capture(instance.get('/v1/customers'));
    await vi.runAllTimersAsync();
    const { error } = await pending;
    expect(hits).toHaveLength(1);
    expect(error?.kind).toBe('unauthorized');
    expect(error?.status).toBe(401);
    expect(error?.code).toBe('800001');
    expect(error?.reason).toMatch(/token refresh after this 401 failed/);
    expect(JSON.stringify(error)).not.toContain('same-token-0123456789');
  });

  it('keeps them when the provider fails outright', async () => {
    let n = 0;
    const provider = {
      async getToken(): Promise<AccessToken> {
        n += 1;
        if (n > 1) throw new Error('AADSTS700016: application not found');
        return { token: 'first-token-0123456789', expiresOnTimestamp: Date.now() + HOUR };
      },
    };
    const { instance } = setup([{ status: 401, headers: fixture.headers, data: fixture.body }], {
      tokenProvider: provider,
    });
    const pending = capture(instance.get('/v1/customers'));
    await vi.runAllTimersAsync();
    const { error } = await pending;
    expect(error?.status).toBe(401);
    expect(error?.code).toBe('800001');
    expect(error?.retryable).toBe(false);
  });
});
