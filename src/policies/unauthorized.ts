import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { Call } from './call.js';
import { abortedError, attemptTimeoutError, budgetSpentError, failureOf } from './callErrors.js';
import type { AttemptSpec, Authorizer, CallPolicy, Next, Outcome } from './pipeline.js';
import { linkedSignal } from './sleep.js';

/** The token seam: the Authorization value of each attempt, and what to do about a 401. */
export interface AttemptAuth extends Authorizer {
  /**
   * After a 401 answered to an attempt that sent `sent`: refreshes the token if that can help; true to replay
   * the attempt once.
   */
  onUnauthorized(error: PartnerCenterError, call: Call, sent: string, signal: AbortSignal): Promise<boolean>;
}

/**
 * A 401's token refresh, bounded by the caller's abort, the call's remaining budget and the attempt limit.
 * True to replay the attempt. A refresh that fails keeps the 401's status and code on the call's error.
 */
async function refreshAfter401(
  auth: AttemptAuth,
  call: Call,
  failure: PartnerCenterError,
  sent: string,
): Promise<boolean> {
  const abort = call.ensureAbort();
  const attemptMs = call.options.timeout.attemptMs;
  const left = call.deadline - Date.now();
  const limit = attemptMs > 0 && attemptMs < left ? attemptMs : left;
  let timedOut = false;
  const linked = linkedSignal(abort, limit, () => {
    timedOut = true;
  });
  try {
    return await auth.onUnauthorized(failure, call, sent, linked.signal);
  } catch (error: unknown) {
    if (abort.aborted) throw abortedError(call);
    if (timedOut) {
      throw Date.now() >= call.deadline ? budgetSpentError(call, false) : attemptTimeoutError(call, limit);
    }
    const refresh = failureOf(call, error);
    throw failure.with({
      retryable: false,
      reason: `the token refresh after this 401 failed: ${refresh.reason ?? refresh.message}`,
      cause: refresh,
    });
  } finally {
    linked.dispose();
  }
}

/**
 * The token policy: every attempt below it is authorised by the token seam (the attempt itself asks for the
 * value, within its own limit, and sets it on its own copy of the config). A 401 refreshes the token that
 * attempt sent, with the challenge's realm and claims, and the attempt is replayed once per call: not counted
 * as an attempt, never a breaker failure of its own.
 */
export function authPolicy(auth: AttemptAuth): CallPolicy {
  return {
    name: 'auth',
    async run(call: Call, spec: AttemptSpec, next: Next): Promise<Outcome> {
      const outcome = await next({ ...spec, authorize: auth });
      if (outcome.failure === undefined || outcome.failure.status !== 401 || spec.replay === true)
        return outcome;
      const failure = outcome.failure;
      let replay: boolean;
      try {
        replay = await refreshAfter401(auth, call, failure, outcome.authorization ?? '');
      } catch (error: unknown) {
        return { failure: failureOf(call, error), sent: outcome.sent };
      }
      if (!replay) return outcome;
      return next({ retry: spec.retry, last: spec.last, authorize: auth, replay: true });
    },
  };
}
