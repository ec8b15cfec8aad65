import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PartnerCenterError, type PartnerCenterErrorInit } from '../../../src/errors/PartnerCenterError.js';
import type { ResilienceOptions } from '../../../src/options/ResilienceOptions.js';
import type { Call } from '../../../src/policies/call.js';
import { decideRetry, type RetryPolicyView } from '../../../src/policies/decideRetry.js';
import { backoffOf } from '../../../src/policies/scopePolicy.js';
import { type CallSetup, makeCall } from '../../helpers/roomCall.js';

const START = Date.parse('2026-11-25T12:00:00Z');

const OPTIONS: ResilienceOptions = {
  retry: { jitter: 'none', baseDelayMs: 100, maxDelayMs: 10_000, maxRetryAfterMs: 5_000, maxAttempts: 4 },
  timeout: { attemptMs: 10_000, totalMs: 60_000 },
};

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

/** A call that has made `attempts` attempts, with the policy view decideRetry reads. */
function setup(attempts = 1, extra: Omit<CallSetup, 'options'> & { options?: ResilienceOptions } = {}) {
  const options: ResilienceOptions = {
    ...OPTIONS,
    ...extra.options,
    retry: { ...OPTIONS.retry, ...extra.options?.retry },
    timeout: { ...OPTIONS.timeout, ...extra.options?.timeout },
  };
  const call: Call = makeCall({ ...extra, options });
  call.attempts = attempts;
  const policy: RetryPolicyView = { options: call.options, backoff: backoffOf(call.options) };
  return { call, policy };
}

function failure(init: Partial<PartnerCenterErrorInit> = {}): PartnerCenterError {
  return new PartnerCenterError({ kind: 'server', retryable: true, status: 503, ...init });
}

describe('decideRetry', () => {
  it('retries a retryable failure after the first backoff delay (source backoff)', () => {
    const { call, policy } = setup(1);
    const error = failure();
    const decision = decideRetry(error, call, policy, START, undefined);
    expect(decision.retry).toBe(true);
    if (!decision.retry) return;
    expect(decision.delayMs).toBe(100);
    expect(decision.source).toBe('backoff');
    expect(decision.backoff?.duration).toBe(100);
    // A 503 proves nothing was processed: the error passes through unchanged.
    expect(decision.error).toBe(error);
  });

  it("prefers the server's retryAfterMs, with the source the error names", () => {
    const { call, policy } = setup(1);
    const decision = decideRetry(
      failure({
        kind: 'throttled',
        status: 429,
        retryAfterMs: 2_500,
        retryAfterSource: 'x-ms-retry-after-ms',
      }),
      call,
      policy,
      START,
      undefined,
    );
    expect(decision).toMatchObject({ retry: true, delayMs: 2_500, source: 'x-ms-retry-after-ms' });
    // No backoff step is taken for a server hint.
    if (decision.retry) expect(decision.backoff).toBeUndefined();
  });

  it("defaults a hint's source to retry-after when the error names none", () => {
    const { call, policy } = setup(1);
    const decision = decideRetry(failure({ retryAfterMs: 700 }), call, policy, START, undefined);
    expect(decision).toMatchObject({ retry: true, delayMs: 700, source: 'retry-after' });
  });

  it('stops with a reason (retryable false) when Retry-After exceeds maxRetryAfterMs', () => {
    const { call, policy } = setup(1);
    const decision = decideRetry(
      failure({ kind: 'throttled', status: 429, retryAfterMs: 7_000, retryAfterSource: 'retry-after' }),
      call,
      policy,
      START,
      undefined,
    );
    expect(decision.retry).toBe(false);
    expect(decision.error.retryable).toBe(false);
    expect(decision.error.retryAfterMs).toBe(7_000);
    expect(decision.error.reason).toBe(
      'the server asked to wait 7 s (7000 ms), more than maxRetryAfterMs (5000 ms)',
    );
  });

  it('waits a Retry-After exactly at maxRetryAfterMs', () => {
    const { call, policy } = setup(1);
    const decision = decideRetry(failure({ retryAfterMs: 5_000 }), call, policy, START, undefined);
    expect(decision).toMatchObject({ retry: true, delayMs: 5_000 });
  });

  it('stops once attempts reach maxAttempts, passing the failure through', () => {
    const { call, policy } = setup(4);
    const error = failure();
    const decision = decideRetry(error, call, policy, START, undefined);
    expect(decision.retry).toBe(false);
    expect(decision.error).toBe(error);
    expect(decision.error.reason).toBeUndefined();
  });

  it('gives singleAttemptReason as the reason when maxAttempts is 1', () => {
    const { call, policy } = setup(1, { request: { retry: false } });
    expect(call.maxAttempts).toBe(1);
    const decision = decideRetry(failure(), call, policy, START, undefined);
    expect(decision.retry).toBe(false);
    expect(decision.error.reason).toBe('retries are off for this request');
  });

  it('gives no reason when maxAttempts is 1 by policy', () => {
    const { call, policy } = setup(1, { options: { retry: { maxAttempts: 1 } } });
    const decision = decideRetry(failure(), call, policy, START, undefined);
    expect(decision.retry).toBe(false);
    expect(decision.error.reason).toBeUndefined();
  });

  it('refuses a non-idempotent failure with an unknown outcome and marks outcomeUnknown', () => {
    const { call, policy } = setup(1, { config: { method: 'post' } });
    const timeout = new PartnerCenterError({ kind: 'timeout', retryable: true, reason: 'attempt timed out' });
    const decision = decideRetry(timeout, call, policy, START, undefined);
    expect(decision.retry).toBe(false);
    expect(decision.error.outcomeUnknown).toBe(true);
    expect(decision.error.kind).toBe('timeout');
    expect(decision.error.reason).toBe(
      'POST is not idempotent and the outcome is unknown: the request may have been processed; not retried (set idempotent: true or retryUnsafeMethods to allow)',
    );
  });

  it('retries a POST whose failure proves it was not processed (503), outcome known', () => {
    const { call, policy } = setup(1, { config: { method: 'post' } });
    const decision = decideRetry(failure(), call, policy, START, undefined);
    expect(decision.retry).toBe(true);
    expect(decision.error.outcomeUnknown).toBe(false);
  });

  it('retries an unknown-outcome POST under retryUnsafeMethods, still marking outcomeUnknown', () => {
    const { call, policy } = setup(1, {
      config: { method: 'post' },
      options: { retry: { retryUnsafeMethods: true } },
    });
    const decision = decideRetry(failure({ status: 502 }), call, policy, START, undefined);
    expect(decision.retry).toBe(true);
    expect(decision.error.outcomeUnknown).toBe(true);
  });

  it('retries an unknown-outcome POST declared idempotent, without marking it', () => {
    const { call, policy } = setup(1, { config: { method: 'post' }, request: { idempotent: true } });
    const decision = decideRetry(failure({ status: 504 }), call, policy, START, undefined);
    expect(decision.retry).toBe(true);
    expect(decision.error.outcomeUnknown).toBe(false);
  });

  it("stops when now + delay passes the call's deadline, naming the total time budget", () => {
    const { call, policy } = setup(1, { config: { timeout: 1_000 } });
    expect(call.deadline).toBe(START + 1_000);
    const decision = decideRetry(failure(), call, policy, START + 950, undefined);
    expect(decision.retry).toBe(false);
    expect(decision.error.reason).toBe(
      "the next attempt would start after the call's total time budget runs out (50 ms left, 100 ms to wait)",
    );
  });

  it('stops when the delay ends exactly at the deadline, retries when it ends just before', () => {
    const { call, policy } = setup(1, { config: { timeout: 1_000 } });
    expect(decideRetry(failure(), call, policy, START + 900, undefined).retry).toBe(false);
    expect(decideRetry(failure(), call, policy, START + 899, undefined).retry).toBe(true);
  });

  it.each([
    ['cancelled', { kind: 'cancelled', retryable: true, status: undefined }],
    ['circuit-open', { kind: 'circuit-open', retryable: true, status: undefined }],
    ['non-retryable', { kind: 'client', retryable: false, status: 400 }],
  ] as const)('never retries a %s failure', (_name, init) => {
    const { call, policy } = setup(1);
    const error = failure(init);
    const decision = decideRetry(error, call, policy, START, undefined);
    expect(decision.retry).toBe(false);
    expect(decision.error).toBe(error);
  });

  it('does not mark a cancelled POST as outcomeUnknown', () => {
    const { call, policy } = setup(1, { config: { method: 'post' } });
    const cancelled = new PartnerCenterError({ kind: 'cancelled', retryable: false });
    const decision = decideRetry(cancelled, call, policy, START, undefined);
    expect(decision.retry).toBe(false);
    expect(decision.error.outcomeUnknown).toBe(false);
  });

  it('passes the backoff state along: with jitter none the second delay doubles the first', () => {
    const { call, policy } = setup(1);
    const first = decideRetry(failure(), call, policy, START, undefined);
    if (!first.retry) throw new Error('expected a retry');
    call.attempts = 2;
    const second = decideRetry(failure(), call, policy, START, first.backoff);
    if (!second.retry) throw new Error('expected a retry');
    call.attempts = 3;
    const third = decideRetry(failure(), call, policy, START, second.backoff);
    if (!third.retry) throw new Error('expected a retry');
    expect([first.delayMs, second.delayMs, third.delayMs]).toEqual([100, 200, 400]);
  });

  it('caps the backoff at maxDelayMs', () => {
    const { call, policy } = setup(1, { options: { retry: { maxDelayMs: 150, maxAttempts: 10 } } });
    let previous: Parameters<typeof decideRetry>[4];
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      call.attempts = attempt;
      const decision = decideRetry(failure(), call, policy, START, previous);
      if (!decision.retry) throw new Error('expected a retry');
      delays.push(decision.delayMs);
      previous = decision.backoff;
    }
    expect(delays).toEqual([100, 150, 150]);
  });

  it('is pure: the same inputs give the same decision, and the input error is not mutated', () => {
    const { call, policy } = setup(1, { config: { method: 'post' } });
    const error = failure({ status: 502, kind: 'server' });
    const before = { ...error.toInit(), message: error.message };
    const a = decideRetry(error, call, policy, START, undefined);
    const b = decideRetry(error, call, policy, START, undefined);
    expect(a.retry).toBe(false);
    expect(b.retry).toBe(a.retry);
    expect(b.error.reason).toBe(a.error.reason);
    expect(b.error.outcomeUnknown).toBe(true);
    // The decision's error is a copy; the failure passed in is as it was.
    expect(a.error).not.toBe(error);
    expect(error.outcomeUnknown).toBe(false);
    expect(error.reason).toBeUndefined();
    expect({ ...error.toInit(), message: error.message }).toEqual(before);
    expect(call.attempts).toBe(1);

    const get = setup(2);
    const c = decideRetry(failure(), get.call, get.policy, START, undefined);
    const d = decideRetry(failure(), get.call, get.policy, START, undefined);
    expect(c).toMatchObject({ retry: true, delayMs: 100, source: 'backoff' });
    expect(d).toMatchObject({ retry: true, delayMs: 100, source: 'backoff' });
  });
});
