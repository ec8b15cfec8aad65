import type { AxiosResponse } from 'axios';
import type { Attempt, AttemptDeps } from './attemptParts.js';
import { BucketAttempt } from './bucketAttempt.js';
import type { Call } from './call.js';
import { RacedAttempt } from './racedAttempt.js';

export type { Attempt, AttemptAuth, AttemptDeps } from './attemptParts.js';

/**
 * Starts one attempt: authorise, send through the base adapter, bounded by the attempt limit (the smaller of
 * `timeout.attemptMs` and what is left of the call's budget) and the caller's abort. Whatever fails is
 * normalised by the attempt, once, into the call's PartnerCenterError. The request config is never changed:
 * the adapter gets a copy carrying the attempt's signal, and the response keeps the request's own config.
 *
 * Through an adapter that settles once its signal aborts (axios's own), with no caller signal and a limit set
 * by `attemptMs`, the attempt is a {@link BucketAttempt}: it shares a deadline bucket and is not raced.
 * Otherwise it is a {@link RacedAttempt}, raced against its limit, so that it settles at the limit even when
 * the adapter ignores its signal.
 */
export function startAttempt(call: Call, deps: AttemptDeps): Attempt {
  const attemptMs = call.options.timeout.attemptMs;
  return call.abort === undefined &&
    call.baseSettlesOnAbort &&
    attemptMs > 0 &&
    attemptMs < call.deadline - Date.now()
    ? new BucketAttempt(call, deps, attemptMs)
    : new RacedAttempt(call, deps);
}

/** One attempt, awaited: its response, or its failure as the call's PartnerCenterError. */
export async function sendAttempt(call: Call, deps: AttemptDeps): Promise<AxiosResponse> {
  const attempt = startAttempt(call, deps);
  try {
    return attempt.answered(await attempt.sending);
  } catch (error: unknown) {
    throw attempt.failure(error);
  } finally {
    attempt.end();
  }
}
