import type { IBackoff, IBackoffFactory } from 'cockatiel';
import { surelyNotProcessed } from '../errors/classify.js';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { RetryAfterSource } from '../http/response.js';
import type { ResolvedScopePolicy } from '../options/ScopePolicyOptions.js';

/** What {@link decideRetry} needs to know about the call. */
export interface RetryCall {
  /** Attempts made so far, the failed one included. */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly singleAttemptReason: string | undefined;
  /** A failure with an unknown outcome may be retried. */
  readonly idempotent: boolean;
  /** POST/PATCH not declared idempotent: an unknown outcome is reported. */
  readonly unsafe: boolean;
  readonly method: string;
  /** Epoch ms at which the call's budget runs out, or `Infinity`. */
  readonly deadline: number;
  /** The request's own decision (`partnerCenter.retry.shouldRetry`), when it has one. */
  readonly shouldRetry?: ((error: PartnerCenterError, attempt: number) => boolean | undefined) | undefined;
}

/**
 * The request's own decision about `failure`: true (retry, though the library would not), false (stop), or
 * undefined (the library decides). A decision that throws or answers anything else leaves it to the library.
 */
function ownDecision(failure: PartnerCenterError, call: RetryCall): boolean | undefined {
  if (call.shouldRetry === undefined) return undefined;
  try {
    const answer = call.shouldRetry(failure, call.attempts);
    return typeof answer === 'boolean' ? answer : undefined;
  } catch {
    return undefined;
  }
}

/** What {@link decideRetry} needs to know about the scope's policy. */
export interface RetryPolicyView {
  readonly options: ResolvedScopePolicy;
  readonly backoff: IBackoffFactory<unknown>;
}

/** Retry after `delayMs`; `backoff` is the backoff state to pass to the next decision. */
export interface RetryAfterDelay {
  readonly retry: true;
  readonly delayMs: number;
  readonly source: RetryAfterSource | 'backoff';
  readonly backoff: IBackoff<unknown> | undefined;
  /** The failure, marked `outcomeUnknown` when that applies. */
  readonly error: PartnerCenterError;
}

/** Stop: `error` is what the caller receives (with the reason when the library chose to stop). */
export interface StopRetrying {
  readonly retry: false;
  readonly error: PartnerCenterError;
}

export type RetryDecision = RetryAfterDelay | StopRetrying;

/** A signal that never aborts, for cockatiel's backoff context. */
const NEVER_ABORTED = new AbortController().signal;

const UNKNOWN = 'the outcome is unknown: the request may have been processed';

/**
 * Decides what follows a failed attempt, from the failure, the call and the policy alone: retry (with the
 * delay and where it came from: the server's hint first, else cockatiel's exponential backoff), or stop
 * (with the reason). Pure but for the backoff's jitter and the request's own `shouldRetry`, asked first: it
 * may stop a retry or ask for one the library would not make, never past the attempts, the budget, a long
 * Retry-After or an unsafe request's unknown outcome. `now` is the clock reading to decide by. The retry
 * budgets are asked separately, after a decision to retry.
 */
export function decideRetry(
  failure: PartnerCenterError,
  call: RetryCall,
  policy: RetryPolicyView,
  now: number,
  previous: IBackoff<unknown> | undefined,
): RetryDecision {
  let error = failure;
  const unknownOutcome = !surelyNotProcessed(failure);
  if (call.unsafe && unknownOutcome && !failure.outcomeUnknown && failure.kind !== 'cancelled') {
    error = error.with({ outcomeUnknown: true });
  }
  const stop = (reason?: string, changes: { retryable?: boolean; outcomeUnknown?: boolean } = {}) =>
    ({
      retry: false,
      error:
        reason === undefined && Object.keys(changes).length === 0
          ? error
          : error.with({ ...changes, ...(reason === undefined ? {} : { reason }) }),
    }) as const;

  if (failure.kind === 'cancelled' || failure.kind === 'circuit-open') return stop();
  const own = ownDecision(failure, call);
  if (own === false) return stop('partnerCenter.retry.shouldRetry chose not to retry', { retryable: false });
  if (!failure.retryable && own !== true) return stop();
  if (call.attempts >= call.maxAttempts) {
    return call.maxAttempts === 1 && call.singleAttemptReason !== undefined
      ? stop(call.singleAttemptReason)
      : stop();
  }
  if (!call.idempotent && unknownOutcome) {
    return stop(
      `${call.method} is not idempotent and ${UNKNOWN}; not retried (set idempotent: true or retryUnsafeMethods to allow)`,
      { outcomeUnknown: true },
    );
  }

  const retry = policy.options.retry;
  let delayMs: number;
  let source: RetryAfterSource | 'backoff' = 'backoff';
  let backoff = previous;
  if (failure.retryAfterMs !== undefined) {
    const asked = failure.retryAfterMs;
    if (asked > retry.maxRetryAfterMs) {
      return stop(
        `the server asked to wait ${Math.ceil(asked / 1000)} s (${asked} ms), more than maxRetryAfterMs (${retry.maxRetryAfterMs} ms)`,
        { retryable: false },
      );
    }
    delayMs = asked;
    source = failure.retryAfterSource ?? 'retry-after';
  } else {
    const context = { attempt: call.attempts, signal: NEVER_ABORTED, result: { error: failure } };
    backoff = previous ? previous.next(context) : policy.backoff.next(context);
    delayMs = backoff.duration;
  }
  if (now + delayMs >= call.deadline) {
    return stop(
      `the next attempt would start after the call's total time budget runs out (${Math.max(0, call.deadline - now)} ms left, ${Math.round(delayMs)} ms to wait)`,
    );
  }
  return { retry: true, delayMs, source, backoff, error };
}
