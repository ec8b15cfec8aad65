import type { AxiosResponse } from 'axios';
import type { IBackoffFactory } from 'cockatiel';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import { isResponse } from '../http/response.js';
import { callInfoOf } from '../observability/callInfo.js';
import type { EventHub } from '../observability/EventHub.js';
import { requestUrl } from '../observability/requestUrl.js';
import type { Reconcile } from '../options/Reconcile.js';
import type { ResolvedScopePolicy } from '../options/ScopePolicyOptions.js';
import type { Call } from './call.js';
import { failureOf } from './callErrors.js';
import { decideRetry, type RetryCall, type RetryPolicyView } from './decideRetry.js';
import type { AttemptSpec, CallPolicy, Next, Outcome } from './pipeline.js';
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
  if (hub.listening.onReconcile) {
    hub.emit('onReconcile', {
      ...callInfoOf(call),
      outcome: verdict.outcome,
      attempts: call.attempts,
      durationMs: Date.now() - started,
    });
  }
  return verdict;
}

/** What the reconcile policy needs. */
export interface ReconcileDeps {
  readonly hub: EventHub;
  /** The instance-wide reconcile function, when given. */
  readonly reconcile: Reconcile | undefined;
  /** cockatiel's exponential backoff for a scope's options. */
  readonly backoffOf: (options: ResolvedScopePolicy) => IBackoffFactory<unknown>;
}

/**
 * The reconcile policy, inside the retry policy: when an attempt of a non-idempotent call fails and the retry
 * policy would stop with the outcome unknown, and the call has a reconcile function (the request's own, else
 * the instance's), reconcile decides: a response it found answers the call; `null` (surely not processed)
 * makes the failure a known one the retry policy may resend with the same MS-RequestId (within
 * `retry.maxAttempts` and the budget; if it cannot, the error says so with `outcomeUnknown: false`); anything
 * else keeps the unknown-outcome error.
 */
export function reconcilePolicy(deps: ReconcileDeps): CallPolicy {
  return {
    name: 'reconcile',
    async run(call: Call, spec: AttemptSpec, next: Next): Promise<Outcome> {
      const outcome = await next(spec);
      const failure = outcome.failure;
      if (failure === undefined || !call.unsafe) return outcome;
      const reconcile = reconcilerOf(call, deps.reconcile);
      if (reconcile === undefined || failure.kind === 'cancelled' || failure.kind === 'circuit-open') {
        return outcome;
      }
      const policy: RetryPolicyView = { options: call.options, backoff: deps.backoffOf(call.options) };
      // Would the retry policy stop here? (Asked without the request's own shouldRetry: the retry policy asks
      // that once, and it never makes an unknown outcome retried.)
      const view = { ...resendView(call), idempotent: call.idempotent, unsafe: true, shouldRetry: undefined };
      const decision = decideRetry(failure, view, policy, Date.now(), undefined);
      const error = decision.error;
      if (decision.retry || !error.outcomeUnknown) return outcome;
      const verdict = await askReconcile(call, error, reconcile, deps.hub);
      if (verdict.outcome === 'found') return { response: verdict.response };
      if (verdict.outcome === 'failed') return { failure: verdict.error, sent: outcome.sent, final: true };
      // Surely not processed: as safe to resend as an idempotent request.
      const known = error.with({ outcomeUnknown: false, retryable: true });
      const again = decideRetry(
        known,
        { ...resendView(call), shouldRetry: undefined },
        policy,
        Date.now(),
        undefined,
      );
      if (again.retry) return { failure: known, sent: outcome.sent, notProcessed: true };
      // decideRetry names why it stopped (the budget, a long Retry-After, retries off), except for spent
      // attempts, where the error keeps the failure's own reason (e.g. `network fault ECONNRESET`).
      const why = again.error.reason;
      return {
        failure: again.error.with({
          outcomeUnknown: false,
          retryable: false,
          reason: `reconcile found that the request was not processed, but it cannot be resent: ${why !== undefined && why !== known.reason ? why : `all ${call.maxAttempts} attempts are spent`}`,
        }),
        sent: outcome.sent,
        final: true,
      };
    },
  };
}

/** The call as the retry decision sees it once reconcile found its request was not processed. */
export function resendView(call: Call): RetryCall {
  return {
    attempts: call.attempts,
    maxAttempts: call.maxAttempts,
    singleAttemptReason: call.singleAttemptReason,
    idempotent: true,
    unsafe: false,
    method: call.method,
    deadline: call.deadline,
    shouldRetry: call.shouldRetry,
  };
}
