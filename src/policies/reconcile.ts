import type { AxiosResponse } from 'axios';
import type { IBackoff } from 'cockatiel';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import { isResponse } from '../http/isResponse.js';
import type { EventHub } from '../observability/events.js';
import { requestUrl } from '../observability/requestUrl.js';
import type { Reconcile } from '../options/Reconcile.js';
import { type Call, callInfo } from './call.js';
import { failureOf } from './callErrors.js';
import {
  decideRetry,
  type RetryAfterDelay,
  type RetryCall,
  type RetryPolicyView,
  type StopRetrying,
} from './decideRetry.js';
import { linkedSignal, untilAborted } from './sleep.js';

/** What `reconcile` decided about a call whose outcome was unknown. */
export type ReconcileVerdict =
  | { readonly outcome: 'found'; readonly response: AxiosResponse }
  | { readonly outcome: 'absent' }
  /** `error`: the call's unknown-outcome error, with why reconcile could not decide. */
  | { readonly outcome: 'failed'; readonly error: PartnerCenterError };

/** The call's reconcile function: the request's own, else the instance's; `undefined` when there is none. */
export function reconcilerOf(call: Call, instanceWide: Reconcile | undefined): Reconcile | undefined {
  const own = call.request.reconcile;
  if (own === false) return undefined;
  return typeof own === 'function' ? own : instanceWide;
}

/**
 * Asks `reconcile` about `call`, which ended with the unknown-outcome `error`. Bounded by the caller's abort,
 * the call's remaining budget and the attempt limit (`timeout.attemptMs`), whether or not `reconcile` heeds
 * its signal. Never throws: a reconcile that throws, answers something else or runs out of time gives
 * `failed`, keeping the unknown-outcome error (with the reason and what was thrown as its `cause`).
 * Reported through `onReconcile`.
 */
export async function askReconcile(
  call: Call,
  error: PartnerCenterError,
  reconcile: Reconcile,
  hub: EventHub,
): Promise<ReconcileVerdict> {
  const started = Date.now();
  const abort = call.ensureAbort();
  const attemptMs = call.options.timeout.attemptMs;
  const left = call.deadline - started;
  const limit = attemptMs > 0 && attemptMs < left ? attemptMs : left;
  let timedOut = false;
  const linked = linkedSignal(abort, Math.max(0, limit), () => {
    timedOut = true;
  });
  const failed = (reason: string, cause?: PartnerCenterError): ReconcileVerdict => ({
    outcome: 'failed',
    error: error.with({
      reason: `${error.reason ?? 'the outcome is unknown'}; reconcile could not decide: ${reason}`,
      ...(cause === undefined ? {} : { cause }),
    }),
  });
  let verdict: ReconcileVerdict;
  try {
    const request = {
      requestId: call.requestId,
      correlationId: call.correlationId,
      scope: call.scope,
      method: call.method,
      startedAt: call.startedAt,
      url: requestUrl(call.config) ?? '',
      data: call.config.data as unknown,
      error,
      signal: linked.signal,
    };
    // Bounded even when reconcile ignores its signal.
    const answer = await untilAborted(
      Promise.resolve().then(() => reconcile(request)),
      linked.signal,
      () => new Error('aborted'),
    );
    if (answer === null) verdict = { outcome: 'absent' };
    else if (isResponse(answer)) verdict = { outcome: 'found', response: answer };
    else verdict = failed('it returned neither a response nor null');
  } catch (thrown: unknown) {
    verdict = abort.aborted
      ? failed('the call was aborted while it was deciding')
      : timedOut
        ? failed(`it did not answer within ${Math.round(limit)} ms`)
        : failed('it threw', failureOf(call, thrown));
  } finally {
    linked.dispose();
  }
  if (hub.has('onReconcile')) {
    hub.emit('onReconcile', {
      ...callInfo(call),
      outcome: verdict.outcome,
      attempts: call.attempts,
      durationMs: Date.now() - started,
    });
  }
  return verdict;
}

/**
 * What follows a decision to stop: when the call is unsafe, its outcome unknown and it has a reconcile
 * function (the request's own, else `instanceWide`), reconcile decides. Resolves the response to answer with (`found`), or a decision to resend with
 * the same MS-RequestId (`absent`, within `retry.maxAttempts` and the budget). Otherwise throws the error
 * the call fails with: the stop's own, or, when reconcile found nothing but the call cannot be resent, that
 * error with `outcomeUnknown: false`.
 */
export async function reconcileStop(
  call: Call,
  stop: StopRetrying,
  policy: RetryPolicyView,
  backoff: IBackoff<unknown> | undefined,
  instanceWide: Reconcile | undefined,
  hub: EventHub,
): Promise<RetryAfterDelay | { readonly retry: 'answered'; readonly response: AxiosResponse }> {
  const error = stop.error;
  const reconcile = reconcilerOf(call, instanceWide);
  if (
    reconcile === undefined ||
    !call.unsafe ||
    !error.outcomeUnknown ||
    error.kind === 'cancelled' ||
    error.kind === 'circuit-open'
  ) {
    throw error;
  }
  const verdict = await askReconcile(call, error, reconcile, hub);
  if (verdict.outcome === 'found') return { retry: 'answered', response: verdict.response };
  if (verdict.outcome === 'failed') throw verdict.error;
  // Surely not processed: as safe to resend as an idempotent request.
  const known = error.with({ outcomeUnknown: false, retryable: true });
  const resend: RetryCall = {
    attempts: call.attempts,
    maxAttempts: call.maxAttempts,
    singleAttemptReason: call.singleAttemptReason,
    idempotent: true,
    unsafe: false,
    method: call.method,
    deadline: call.deadline,
  };
  const again = decideRetry(known, resend, policy, Date.now(), backoff);
  if (again.retry) return again;
  // decideRetry names why it stopped (the budget, a long Retry-After, retries off), except for spent
  // attempts, where the error keeps the failure's own reason (e.g. `network fault ECONNRESET`).
  const why = again.error.reason;
  throw again.error.with({
    outcomeUnknown: false,
    retryable: false,
    reason: `reconcile found that the request was not processed, but it cannot be resent: ${why !== undefined && why !== known.reason ? why : `all ${call.maxAttempts} attempts are spent`}`,
  });
}
