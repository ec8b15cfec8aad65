import { isAxiosError } from 'axios';
import { normalizeError } from '../errors/normalizeError.js';
import { PartnerCenterError } from '../errors/PartnerCenterError.js';
import { callInfoOf } from '../observability/callInfo.js';
import type { Call } from './call.js';

/** The fields every error of a call carries (redacted with the instance's sanitizer). */
export function where(call: Call) {
  return { ...callInfoOf(call), attempts: call.attempts, sanitizer: call.context.sanitizer };
}

/**
 * What an attempt's `thrown` was, when it was a value of the caller's own the library does not know (an Error
 * of an adapter or token provider of the caller's, neither an HTTP failure nor a network fault): the call
 * ends with it, and the caller gets it back as it was thrown. `failure` is what it was normalised into.
 */
export function foreignValue(
  failure: PartnerCenterError,
  thrown: unknown,
): { readonly value: unknown } | undefined {
  return failure.kind === 'unknown' && !isAxiosError(thrown) && !PartnerCenterError.is(thrown)
    ? { value: thrown }
    : undefined;
}

/** Turns what an attempt threw into the call's PartnerCenterError: the one place errors are normalised. */
export function failureOf(call: Call, thrown: unknown): PartnerCenterError {
  if (PartnerCenterError.is(thrown)) return thrown;
  return normalizeError(thrown, { ...where(call), codes: call.context.codes });
}

/**
 * The caller aborted (signal or cancel token); `inFlight`: an attempt was with the adapter. Aborting a sent
 * POST does not undo it on the server.
 */
export function cancelledError(call: Call, inFlight: boolean): PartnerCenterError {
  return new PartnerCenterError({
    kind: 'cancelled',
    retryable: false,
    reason: inFlight
      ? 'the caller aborted the request while it was in flight'
      : 'the caller aborted the request',
    outcomeUnknown: call.unsafe && inFlight,
    ...where(call),
  });
}

/** The call's total budget ran out; `inFlight`: an attempt was with the adapter. */
export function budgetSpentError(call: Call, inFlight: boolean): PartnerCenterError {
  return new PartnerCenterError({
    kind: 'timeout',
    retryable: false,
    reason: `the call's total time budget of ${call.totalMs} ms ran out`,
    outcomeUnknown: call.unsafe && (inFlight || call.attempts > 0),
    ...where(call),
  });
}

/** One attempt ran past its own limit (another may follow). */
export function attemptTimeoutError(call: Call, attemptMs: number): PartnerCenterError {
  return new PartnerCenterError({
    kind: 'timeout',
    retryable: true,
    reason: `the attempt timed out after ${attemptMs} ms`,
    ...where(call),
  });
}

/** The error of an aborted wait (nothing in flight): the caller's abort, or the total budget. */
export function abortedError(call: Call): PartnerCenterError {
  return call.abort?.cause === 'total-timeout' || Date.now() >= call.deadline
    ? budgetSpentError(call, false)
    : cancelledError(call, false);
}

/** The scope is throttled for longer than this call may wait. */
export function throttledTooLongError(call: Call, waitMs: number, limit: string): PartnerCenterError {
  return new PartnerCenterError({
    kind: 'throttled',
    retryable: false,
    reason: `scope ${call.scope} is throttled for another ${waitMs} ms, more than this call may wait (${limit}); no request was sent`,
    retryAfterMs: waitMs,
    ...where(call),
  });
}

/** The rate limiter's next slot for the call is further away than the call may wait. */
export function rateLimitedTooLongError(call: Call, waitMs: number, limit: string): PartnerCenterError {
  return new PartnerCenterError({
    kind: 'throttled',
    retryable: false,
    reason: `the rate limiter has no slot for scope ${call.scope} for another ${waitMs} ms, more than this call may wait (${limit}); no request was sent`,
    retryAfterMs: waitMs,
    ...where(call),
  });
}

/**
 * The scope's breaker is open. When attempts were already sent, the error keeps the last answer (its
 * status, code and description, and the last error as `cause`) and says how many attempts were sent.
 */
export function circuitOpenError(
  call: Call,
  retryInMs: number | undefined,
  last: PartnerCenterError | undefined,
): PartnerCenterError {
  const open = `the circuit breaker of scope ${call.scope} is open${retryInMs ? ` for another ${retryInMs} ms` : ''}`;
  const sent = call.sent;
  if (last === undefined || sent === 0) {
    return new PartnerCenterError({
      kind: 'circuit-open',
      retryable: false,
      reason: `${open}; no request was sent`,
      ...where(call),
    });
  }
  return new PartnerCenterError({
    ...last.toInit(),
    kind: 'circuit-open',
    retryable: false,
    reason: `${open}; ${sent} ${sent === 1 ? 'attempt was' : 'attempts were'} sent, the last ended with ${last.kind}${last.status === undefined ? '' : ` ${last.status}`}`,
    cause: last,
    ...where(call),
  });
}
