import { describe, expect, it, vi } from 'vitest';
import { PartnerCenterError, type PartnerCenterErrorInit } from '../../../src/errors/PartnerCenterError.js';
import type { Call } from '../../../src/policies/call.js';
import type { AttemptSpec, Outcome } from '../../../src/policies/pipeline.js';
import { type AttemptAuth, authPolicy } from '../../../src/policies/unauthorized.js';
import { useFakeClock } from '../../helpers/attachScripted.js';
import { OK } from '../../helpers/outcomes.js';
import { type CallSetup, makeCall } from '../../helpers/roomCall.js';

useFakeClock('2026-11-25T12:00:00Z');

function unauthorized(init: Partial<PartnerCenterErrorInit> = {}): PartnerCenterError {
  return new PartnerCenterError({
    kind: 'unauthorized',
    retryable: false,
    status: 401,
    code: '401',
    description: 'token expired',
    ...init,
  });
}

/** An attempt answered 401 after sending `authorization`. */
const rejected = (authorization: string, failure = unauthorized()): Outcome => ({
  failure,
  sent: true,
  authorization,
});

/**
 * The auth policy over a token seam whose 401 handling is `onUnauthorized`, and a rest of the list answering
 * `outcomes` in turn (the last repeats).
 */
function setup(
  outcomes: Outcome[],
  onUnauthorized: AttemptAuth['onUnauthorized'] = async () => true,
  setupCall: CallSetup = {},
) {
  const auth: AttemptAuth = {
    authorization: () => 'Bearer now',
    onUnauthorized: vi.fn(onUnauthorized),
  };
  const policy = authPolicy(auth);
  const specs: AttemptSpec[] = [];
  const next = vi.fn(async (spec: AttemptSpec) => {
    specs.push(spec);
    return outcomes[Math.min(specs.length - 1, outcomes.length - 1)] as Outcome;
  });
  const call: Call = makeCall({ options: { timeout: { attemptMs: 1_000, totalMs: 60_000 } }, ...setupCall });
  return { auth, policy, next, specs, call };
}

describe('authPolicy', () => {
  it('hands the token seam down with every attempt (the attempt sets its own Authorization)', async () => {
    const { auth, policy, next, specs, call } = setup([OK]);
    const last = unauthorized({ status: 503, kind: 'server' });
    await expect(policy.run(call, { retry: true, last }, next)).resolves.toBe(OK);
    expect(specs).toEqual([{ retry: true, last, authorize: auth }]);
    expect(auth.onUnauthorized).not.toHaveBeenCalled();
  });

  it('after a 401, refreshes the token that attempt sent and replays the attempt once', async () => {
    const first = unauthorized();
    const { auth, policy, next, specs, call } = setup([rejected('Bearer stale', first), OK]);
    const last = unauthorized({ status: 502, kind: 'server' });
    await expect(policy.run(call, { retry: true, last }, next)).resolves.toBe(OK);
    expect(next).toHaveBeenCalledTimes(2);
    expect(auth.onUnauthorized).toHaveBeenCalledTimes(1);
    expect(auth.onUnauthorized).toHaveBeenCalledWith(first, call, 'Bearer stale', expect.any(AbortSignal));
    // The replay keeps the attempt's own fields and says it is a replay (not counted as an attempt).
    expect(specs[1]).toEqual({ retry: true, last, authorize: auth, replay: true });
  });

  it("replays once only: the replay's own 401 is the outcome", async () => {
    const second = unauthorized({ description: 'still expired' });
    const secondOutcome = rejected('Bearer fresh', second);
    const { auth, policy, next, call } = setup([rejected('Bearer stale'), secondOutcome]);
    const outcome = await policy.run(call, { retry: false }, next);
    expect(outcome).toBe(secondOutcome);
    expect(next).toHaveBeenCalledTimes(2);
    expect(auth.onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('does not refresh after the 401 of a replay passed down from above', async () => {
    const answer = rejected('Bearer fresh');
    const { auth, policy, next, call } = setup([answer]);
    await expect(policy.run(call, { retry: false, replay: true }, next)).resolves.toBe(answer);
    expect(auth.onUnauthorized).not.toHaveBeenCalled();
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('returns the 401 as it is when the seam says a refresh cannot help (MFA required)', async () => {
    const mfa = rejected('Bearer now', unauthorized({ code: '900419', description: 'MFA required' }));
    const { policy, next, call } = setup([mfa, OK], async () => false);
    await expect(policy.run(call, { retry: false }, next)).resolves.toBe(mfa);
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('keeps the 401 (status, code) when the refresh throws, with the reason and the refresh error as cause', async () => {
    const first = unauthorized();
    const refreshError = new PartnerCenterError({
      kind: 'unauthorized',
      retryable: false,
      reason: 'AADSTS7000215: bad secret',
    });
    const { policy, next, call } = setup([rejected('Bearer stale', first), OK], async () => {
      throw refreshError;
    });
    const outcome = await policy.run(call, { retry: false }, next);
    expect(next).toHaveBeenCalledTimes(1);
    const failure = outcome.failure;
    expect(failure?.status).toBe(401);
    expect(failure?.code).toBe('401');
    expect(failure?.retryable).toBe(false);
    expect(failure?.reason).toBe('the token refresh after this 401 failed: AADSTS7000215: bad secret');
    expect((failure as { cause?: unknown } | undefined)?.cause).toBe(refreshError);
    expect(outcome.failure !== undefined && outcome.sent).toBe(true);
  });

  it('passes any other outcome through without a refresh (a 403, a 503)', async () => {
    for (const status of [403, 503]) {
      const answer = rejected(
        'Bearer now',
        unauthorized({ status, kind: status === 403 ? 'forbidden' : 'server' }),
      );
      const { auth, policy, next, call } = setup([answer]);
      await expect(policy.run(call, { retry: false }, next)).resolves.toBe(answer);
      expect(auth.onUnauthorized).not.toHaveBeenCalled();
    }
  });

  it('bounds the refresh by the attempt limit: a refresh that heeds its signal ends as an attempt timeout', async () => {
    const { policy, next, call } = setup(
      [rejected('Bearer stale'), OK],
      (_error, _call, _sent, signal) =>
        new Promise<boolean>((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    );
    const outcome = policy.run(call, { retry: false }, next);
    await vi.advanceTimersByTimeAsync(999);
    expect(next).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    const ended = await outcome;
    expect(ended.failure?.kind).toBe('timeout');
    expect(ended.failure?.reason).toBe('the attempt timed out after 1000 ms');
    expect(next).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("ends with 'cancelled' when the caller aborts during the refresh", async () => {
    const controller = new AbortController();
    const { policy, next, call } = setup(
      [rejected('Bearer stale'), OK],
      (_error, _call, _sent, signal) =>
        new Promise<boolean>((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
      { config: { signal: controller.signal } },
    );
    const outcome = policy.run(call, { retry: false }, next);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    const ended = await outcome;
    expect(ended.failure?.kind).toBe('cancelled');
    expect(next).toHaveBeenCalledTimes(1);
  });
});
