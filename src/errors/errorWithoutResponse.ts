import { isConfigFaultCode, isCutOffBody, isRetryableNetworkCode } from '../errors/classify.js';
import { defaultSanitizer } from '../observability/sanitizer.js';
import { contextFields, idText, type NormalizeErrorContext, type RequestFacts } from './errorContext.js';
import { MAX_DESCRIPTION_CHARS } from './limits.js';
import { PartnerCenterError, type PartnerCenterErrorKind } from './PartnerCenterError.js';
import { cap, type Dict, isObject, str } from './values.js';

/** Why the library reports a response body cut off mid-stream. */
export const CUT_OFF_BODY_REASON =
  'the connection closed before the response body ended; the request may have been processed';

/**
 * The hint added to a browser's `ERR_NETWORK`: there, axios reports a CORS block exactly as a lost
 * connection (no response, no status), so the reason names both.
 */
export const CORS_HINT =
  'no response reached the page: a lost connection, or a CORS block (the server must allow this ' +
  "page's origin and, in its preflight, the Authorization and MS-* headers)";

/** True in a browser page or worker (where a CORS block is possible), false in Node, Deno or Bun. */
function inBrowser(): boolean {
  const scope = globalThis as { document?: unknown; importScripts?: unknown };
  return (
    (typeof scope.document === 'object' && scope.document !== null) ||
    typeof scope.importScripts === 'function'
  );
}

/** `network fault CODE`, with the CORS hint for a browser's `ERR_NETWORK`. */
function networkReason(code: string): string {
  return code === 'ERR_NETWORK' && inBrowser()
    ? `network fault ${code}: ${CORS_HINT}`
    : `network fault ${code}`;
}

/**
 * Builds the error for a failure that carries no HTTP response: a cancel, a timeout, a configuration fault,
 * a network fault (a body cut off mid-stream among them), an open circuit, or something unknown.
 */
export function errorWithoutResponse(
  error: Dict,
  ctx: NormalizeErrorContext,
  request: RequestFacts,
): PartnerCenterError {
  const sanitizer = ctx.sanitizer ?? defaultSanitizer;
  const code = str(error['code']) ?? (isObject(error['cause']) ? str(error['cause']['code']) : undefined);
  const name = str(error['name']);
  const message = str(error['message']) ?? '';
  // cockatiel's errors keep the name `Error`; they are told apart by their marker properties.
  const brokenCircuit =
    name === 'BrokenCircuitError' ||
    name === 'IsolatedCircuitError' ||
    error['isBrokenCircuitError'] === true;
  const taskCancelled = name === 'TaskCancelledError' || error['isTaskCancelledError'] === true;
  let kind: PartnerCenterErrorKind;
  let retryable = false;
  let reason: string;
  if (code === 'ERR_CANCELED' || name === 'CanceledError' || name === 'AbortError') {
    kind = 'cancelled';
    reason = 'the caller cancelled the request';
  } else if (
    name === 'TimeoutError' ||
    code === 'ETIMEDOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    (code === 'ECONNABORTED' && /timeout/i.test(message))
  ) {
    kind = 'timeout';
    retryable = true;
    reason = 'the request timed out';
  } else if (isCutOffBody(code, message, undefined)) {
    kind = 'network';
    retryable = true;
    reason = CUT_OFF_BODY_REASON;
  } else if (code !== undefined && isConfigFaultCode(code)) {
    kind = 'client';
    reason = `the request could not be made: ${message || code}`;
  } else if (code !== undefined) {
    kind = 'network';
    retryable = isRetryableNetworkCode(code);
    reason = networkReason(code);
  } else if (brokenCircuit) {
    kind = 'circuit-open';
    reason = 'the circuit breaker is open';
  } else if (taskCancelled) {
    kind = /timed out/i.test(message) ? 'timeout' : 'cancelled';
    retryable = kind === 'timeout';
    reason = kind === 'timeout' ? 'the request timed out' : 'the call was cancelled';
  } else {
    kind = 'unknown';
    reason = message ? `unexpected failure: ${message}` : 'unexpected failure';
  }
  return new PartnerCenterError({
    kind,
    retryable,
    reason: cap(sanitizer.scrubText(reason), MAX_DESCRIPTION_CHARS),
    method: request.method,
    url: request.url,
    requestId: idText(request.requestId, sanitizer),
    correlationId: idText(request.correlationId, sanitizer),
    cause: error,
    sanitizer,
    exchange: { axiosCode: code, config: request.config },
    ...contextFields(ctx),
  });
}
