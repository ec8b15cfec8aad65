import { isNotSentNetworkCode } from '../errors/normalizeError.js';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';

/** Methods that may be repeated without changing the outcome (RFC 9110 idempotent methods). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** True for GET, HEAD, OPTIONS, PUT, DELETE and TRACE. */
export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/**
 * True when the failure proves the server did not process the request: it answered 429, 503, 408 or
 * another 4xx (it rejected the request), or the connection failed before anything was sent (refused, DNS).
 * A timeout, a reset after sending, 500, 502 and 504 leave the outcome unknown.
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
