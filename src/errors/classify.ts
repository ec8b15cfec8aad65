import { isNetworkError } from 'axios-retry';
import type { ErrorCodeInfo } from './errorCodes.js';
import type { PartnerCenterError, PartnerCenterErrorKind } from './PartnerCenterError.js';

/**
 * The one classification table: what a status, an error code or a network fault means for the kind of an
 * error, whether another attempt could succeed, whether the server may have processed the request, and
 * whether the failure speaks of the scope's health. The normaliser and the engine both read it.
 */

/** A kind and whether another attempt could succeed. */
export interface Classification {
  readonly kind: PartnerCenterErrorKind;
  readonly retryable: boolean;
}

/** Statuses with a kind of their own; other 5xx are `server`, everything else `client`. */
const STATUS_KINDS: ReadonlyMap<number, PartnerCenterErrorKind> = new Map([
  [401, 'unauthorized'],
  [403, 'forbidden'],
  [404, 'not-found'],
  [408, 'timeout'],
  [409, 'conflict'],
  [412, 'conflict'],
  [429, 'throttled'],
]);

/** Statuses worth another attempt: the server asks for a resend (408, 429) or a gateway failed (502-504). */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);

/** Kind and retryability from the HTTP status alone. */
export function classifyStatus(status: number): { kind: PartnerCenterErrorKind; retryable: boolean } {
  const kind = STATUS_KINDS.get(status) ?? (status >= 500 ? 'server' : 'client');
  return { kind, retryable: RETRYABLE_STATUSES.has(status) };
}

/**
 * Whether a failed response is worth another attempt. In order: a 401 never is (refreshing the token and
 * replaying is the auth step's business, not a retry); the body's own `isRetryable` wins when present; a
 * `transient` code is retried, a `reconcile`, `refetch` or `mfa-required` code is not, and a `permanent` or
 * unknown code leaves the status to decide.
 */
export function isRetryableResponse(
  status: number,
  code: ErrorCodeInfo | undefined,
  bodyRetryable: boolean | undefined,
): boolean {
  if (status === 401) return false;
  if (bodyRetryable !== undefined) return bodyRetryable;
  if (code === undefined || code.class === 'permanent') return classifyStatus(status).retryable;
  return code.class === 'transient';
}

/** Codes axios gives to configuration faults, which no retry can fix. */
const CONFIG_FAULT_CODES: ReadonlySet<string> = new Set([
  'ERR_BAD_OPTION_VALUE',
  'ERR_BAD_OPTION',
  'ERR_INVALID_URL',
  'ERR_NOT_SUPPORT',
  'ERR_DEPRECATED',
  'ERR_FR_TOO_MANY_REDIRECTS',
  'ERR_BAD_REQUEST',
  'ERR_BAD_RESPONSE',
]);

/** True for an axios code that names a configuration fault (bad option, invalid URL, too many redirects). */
export function isConfigFaultCode(code: string): boolean {
  return CONFIG_FAULT_CODES.has(code);
}

/** True when a network fault code is worth another attempt (axios-retry's list, and a DNS hiccup). */
export function isRetryableNetworkCode(code: string): boolean {
  return isNetworkError({ code, response: undefined }) || code === 'EAI_AGAIN';
}

/** Network codes that prove the request never reached the server. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** True when a network fault code proves the request was never sent (safe to retry any method). */
export function isNotSentNetworkCode(code: string | undefined): boolean {
  return code !== undefined && NOT_SENT_CODES.has(code);
}

/** Codes a response stream fails with when the connection drops mid-body (a truncated gzip is `Z_BUF_ERROR`). */
const CUT_OFF_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
  'Z_BUF_ERROR',
]);

/**
 * True when a response body was cut off mid-stream: axios's `ERR_BAD_RESPONSE` "stream has been aborted"
 * (the headers arrived, then the socket closed), or a reset, premature close or truncated gzip while a 2xx or
 * 3xx body was read. An error status (4xx, 5xx) explains the failure by itself and is classified by it.
 * The request was sent and may have been processed: this is a network fault with an unknown outcome.
 */
export function isCutOffBody(code: string | undefined, message: string, status: number | undefined): boolean {
  if (status !== undefined && !(status >= 200 && status < 400)) return false;
  if (code === 'ERR_BAD_RESPONSE') return /\baborted\b/i.test(message);
  return status !== undefined && code !== undefined && CUT_OFF_CODES.has(code);
}

/** Methods that may be repeated without changing the outcome (RFC 9110 idempotent methods). */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** True for GET, HEAD, OPTIONS, PUT, DELETE and TRACE. */
export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method) || IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/**
 * True when the failure proves the server did not process the request: it answered 429, 503, 408 or
 * another 4xx (it rejected the request), or the connection failed before anything was sent (refused, DNS).
 * A timeout, a reset after sending, a body cut off mid-stream, 500, 502 and 504 leave the outcome unknown.
 */
export function surelyNotProcessed(error: PartnerCenterError): boolean {
  if (error.status !== undefined && error.status > 0) {
    return error.status === 503 || (error.status >= 400 && error.status < 500);
  }
  if (error.kind === 'circuit-open' || error.kind === 'cancelled') return true;
  if (error.kind === 'network') {
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    return isNotSentNetworkCode(typeof code === 'string' ? code : undefined);
  }
  return false;
}

/** Whether an error counts as a failure for the circuit breaker: server faults, network faults, timeouts. */
export function countsAsBreakerFailure(error: unknown): boolean {
  const e = error as Partial<PartnerCenterError>;
  if (e.kind === 'server' || e.kind === 'network') return true;
  // A server 408 is the server asking for a resend, not a sign of ill health; our own timeouts are.
  return e.kind === 'timeout' && e.status === undefined;
}
