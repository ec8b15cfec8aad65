import { describe, expect, it, vi } from 'vitest';
import { PartnerCenterError, type PartnerCenterErrorInit } from '../../../src/errors/PartnerCenterError.js';
import { EventHub } from '../../../src/observability/EventHub.js';
import type { RetryEvent } from '../../../src/observability/events.js';
import type { ResilienceOptions } from '../../../src/options/ResilienceOptions.js';
import type { Call } from '../../../src/policies/call.js';
import type { AttemptSpec, Outcome } from '../../../src/policies/pipeline.js';
import { type RetryPermit, retryPolicy } from '../../../src/policies/retry.js';
import { backoffOf } from '../../../src/policies/scopePolicy.js';
import { useFakeClock } from '../../helpers/attachScripted.js';
import { OK } from '../../helpers/outcomes.js';
import { type CallSetup, makeCall } from '../../helpers/roomCall.js';

const START = Date.parse('2026-11-25T12:00:00Z');
useFakeClock('2026-11-25T12:00:00Z');

const OPTIONS: ResilienceOptions = {
  retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 10_000, jitter: 'none' },
  timeout: { totalMs: 60_000 },
};

function failure(init: Partial<PartnerCenterErrorInit> = {}): PartnerCenterError {
  return new PartnerCenterError({ kind: 'server', retryable: true, status: 503, ...init });
}

/** A 429 asking for `ms` (a delay that does not depend on the backoff). */
const throttled = (ms: number) => failure({ kind: 'throttled', status: 429, retryAfterMs: ms });

/**
 * The retry policy over a scripted rest of the list: each pass counts an attempt (as the attempt count policy
 * below it does) and returns the next outcome of `outcomes` (the last repeats); every spec passed down and
 * every time it was called are kept.
 */
function setup(outcomes: Outcome[], permit: RetryPermit = async () => undefined, setupCall: CallSetup = {}) {
  const retries: RetryEvent[] = [];
  const hub = new EventHub({ onRetry: (event) => void retries.push(event) }, undefined);
  const permits = vi.fn(permit);
  const policy = retryPolicy({ hub, log: undefined, backoffOf, permit: permits });
  const call: Call = makeCall({ options: OPTIONS, ...setupCall });
  const specs: AttemptSpec[] = [];
  const at: number[] = [];
  const next = vi.fn(async (spec: AttemptSpec) => {
    specs.push(spec);
    at.push(Date.now() - START);
    call.attempts += 1;
    return outcomes[Math.min(specs.length - 1, outcomes.length - 1)] as Outcome;
  });
  const run = () => policy.run(call, { retry: false }, next);
  return { call, run, next, specs, at, permits, retries };
}

describe('retryPolicy', () => {
  it('returns a success at once, asking nothing', async () => {
    const { run, next, permits } = setup([OK]);
    await expect(run()).resolves.toBe(OK);
    expect(next).toHaveBeenCalledTimes(1);
    expect(permits).not.toHaveBeenCalled();
  });

  it("retries after the server's Retry-After, as decideRetry says, passing retry and the last failure down", async () => {
    const first = throttled(2_000);
    const { run, specs, at, retries, call } = setup([{ failure: first, sent: true }, OK]);
    const outcome = run();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(specs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toBe(OK);
    expect(at).toEqual([0, 2_000]);
    expect(specs).toEqual([{ retry: false }, { retry: true, last: first }]);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({
      requestId: call.requestId,
      attempt: 1,
      delayMs: 2_000,
      delaySource: 'retry-after',
      status: 429,
    });
  });

  it("waits cockatiel's backoff when there is no hint (no jitter: base, then doubled)", async () => {
    const { run, at, retries } = setup([
      { failure: failure(), sent: true },
      { failure: failure(), sent: true },
      OK,
    ]);
    const outcome = run();
    await vi.runAllTimersAsync();
    await expect(outcome).resolves.toBe(OK);
    expect(retries.map((r) => [r.delayMs, r.delaySource])).toEqual([
      [100, 'backoff'],
      [200, 'backoff'],
    ]);
    expect(at).toEqual([0, 100, 300]);
  });

  it('stops where decideRetry stops: a 400 is returned after one attempt, nothing asked', async () => {
    const bad = failure({ kind: 'client', status: 400, retryable: false });
    const { run, next, permits } = setup([{ failure: bad, sent: true }]);
    const outcome = await run();
    expect(outcome).toEqual({ failure: bad, sent: false });
    expect(next).toHaveBeenCalledTimes(1);
    expect(permits).not.toHaveBeenCalled();
  });

  it('stops after maxAttempts attempts', async () => {
    const { run, next } = setup([{ failure: throttled(10), sent: true }]);
    const outcome = run();
    await vi.runAllTimersAsync();
    expect((await outcome).failure?.status).toBe(429);
    expect(next).toHaveBeenCalledTimes(4);
  });

  it('asks permit after deciding and before the wait, with the decided error', async () => {
    const first = throttled(1_000);
    const asked: number[] = [];
    const { run, permits, call } = setup([{ failure: first, sent: true }, OK], async () => {
      asked.push(Date.now() - START);
      return undefined;
    });
    const outcome = run();
    await vi.runAllTimersAsync();
    await expect(outcome).resolves.toBe(OK);
    expect(asked).toEqual([0]);
    expect(permits).toHaveBeenCalledWith(call, first);
  });

  it("stops with permit's reason, without waiting or sending again", async () => {
    const first = throttled(1_000);
    const { run, next, retries } = setup(
      [{ failure: first, sent: true }, OK],
      async () => 'the budget is spent',
    );
    const outcome = await run();
    expect(Date.now()).toBe(START);
    expect(next).toHaveBeenCalledTimes(1);
    expect(outcome.failure?.reason).toBe('the budget is spent');
    expect(outcome.failure?.status).toBe(429);
    expect(outcome.failure !== undefined && outcome.sent).toBe(false);
    expect(retries).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts call.sent from the outcomes that were sent, not the refusals', async () => {
    const refusedOne = failure({ kind: 'throttled', status: undefined, retryAfterMs: 10, retryable: true });
    const { run, call } = setup([
      { failure: throttled(10), sent: true },
      { failure: refusedOne, sent: false },
      { failure: throttled(10), sent: true },
      OK,
    ]);
    const outcome = run();
    await vi.runAllTimersAsync();
    await expect(outcome).resolves.toBe(OK);
    expect(call.sent).toBe(2);
  });

  it("keeps the last failure that is not a breaker's refusal as `last`", async () => {
    const a = throttled(10);
    const b = failure({ status: 502, retryAfterMs: 10 });
    const { run, specs } = setup([{ failure: a, sent: true }, { failure: b, sent: true }, OK]);
    const outcome = run();
    await vi.runAllTimersAsync();
    await outcome;
    expect(specs.map((s) => s.last)).toEqual([undefined, a, b]);
  });

  it('returns a final outcome as it is (its reason kept, not retried), after counting it as sent', async () => {
    const unknown = failure({ status: 502, reason: 'reconcile could not decide' });
    const final: Outcome = { failure: unknown, sent: true, final: true };
    const { run, next, permits, call } = setup([final, OK]);
    const outcome = await run();
    expect(outcome).toBe(final);
    expect(next).toHaveBeenCalledTimes(1);
    expect(permits).not.toHaveBeenCalled();
    expect(call.sent).toBe(1);
  });

  it('decides a notProcessed outcome of a POST as a resend (retried), where the same failure alone stops', async () => {
    const gateway = failure({ status: 502, retryAfterMs: 10 });
    const post = { config: { method: 'post', data: '{}' } };
    const plain = setup([{ failure: gateway, sent: true }, OK], undefined, post);
    const stopped = await plain.run();
    expect(plain.next).toHaveBeenCalledTimes(1);
    expect(stopped.failure?.outcomeUnknown).toBe(true);

    const known = gateway.with({ outcomeUnknown: false, retryable: true });
    const resent = setup([{ failure: known, sent: true, notProcessed: true }, OK], undefined, post);
    const outcome = resent.run();
    await vi.runAllTimersAsync();
    await expect(outcome).resolves.toBe(OK);
    expect(resent.next).toHaveBeenCalledTimes(2);
  });

  it("ends with 'cancelled' when the caller aborts during the wait, sending nothing more", async () => {
    const controller = new AbortController();
    const { run, next } = setup([{ failure: throttled(5_000), sent: true }, OK], undefined, {
      config: { signal: controller.signal },
    });
    const outcome = run();
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort();
    const ended = await outcome;
    expect(ended.failure?.kind).toBe('cancelled');
    expect(next).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("ends with 'cancelled' when the caller aborted while permit was asked", async () => {
    const controller = new AbortController();
    const { run, next, retries } = setup(
      [{ failure: throttled(10), sent: true }, OK],
      async () => {
        controller.abort();
        return undefined;
      },
      { config: { signal: controller.signal } },
    );
    const ended = await run();
    expect(ended.failure?.kind).toBe('cancelled');
    expect(next).toHaveBeenCalledTimes(1);
    // No retry was announced for it.
    expect(retries).toEqual([]);
  });
});
