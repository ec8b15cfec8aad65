import { defaultSanitizer } from '../observability/sanitizer.js';
import {
  isConfigFaultCode,
  isCutOffBody,
  isRetryableNetworkCode,
  type PartnerCenterErrorKind,
} from './classify.js';
import {
  contextFields,
  errorFromResponse,
  idText,
  type NormalizeErrorContext,
  type RequestFacts,
  requestFacts,
} from './errorFromResponse.js';
import { PartnerCenterError, type PartnerCenterErrorInit, partnerCenterError } from './PartnerCenterError.js';
import { cap, type Dict, isObject, MAX_DESCRIPTION_CHARS, str, withRequestSecrets } from './redaction.js';

// What was thrown: recognised (the guards) or turned into a PartnerCenterError (normalizeError).

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
  return partnerCenterError({
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

/** An existing error, with the context's fields filled in where it had none (and `attempts` brought up to date). */
function withContext(error: PartnerCenterError, ctx: NormalizeErrorContext): PartnerCenterError {
  const missing: Partial<PartnerCenterErrorInit> = {};
  const fill = contextFields(ctx) as Record<string, unknown>;
  for (const [key, value] of Object.entries(fill)) {
    const current = (error as unknown as Dict)[key];
    if (current === undefined || (key === 'attempts' && current !== value)) {
      (missing as Dict)[key] = value;
    }
  }
  return Object.keys(missing).length === 0 ? error : error.with(missing);
}

/**
 * Turns anything thrown into a {@link PartnerCenterError}. Pure and total: it never throws, whatever it is
 * given (axios errors with or without a response, response-like objects, DOM `AbortError`s, cockatiel errors,
 * Node system errors, strings, `undefined`, objects with hostile getters).
 *
 * An existing `PartnerCenterError` is returned with the context's fields filled in where it had none.
 */
export function normalizeError(input: unknown, ctx: NormalizeErrorContext = {}): PartnerCenterError {
  try {
    if (PartnerCenterError.is(input)) return withContext(input, ctx);
    if (isObject(input)) {
      const config = input['config'];
      const request = requestFacts(config);
      ctx = { ...ctx, sanitizer: withRequestSecrets(config, ctx.sanitizer ?? defaultSanitizer) };
      const response = input['response'];
      if (isObject(response) && typeof response['status'] === 'number') {
        const status = response['status'];
        // A 2xx whose body was cut off mid-stream: the status says nothing of the failure.
        const cutOff = isCutOffBody(str(input['code']), str(input['message']) ?? '', status);
        return errorFromResponse(
          {
            status,
            statusText: response['statusText'],
            headers: response['headers'],
            data: response['data'],
          },
          ctx,
          input,
          request,
          cutOff ? { kind: 'network', retryable: true, reason: CUT_OFF_BODY_REASON } : undefined,
        );
      }
      if (
        typeof input['status'] === 'number' &&
        ('data' in input || 'headers' in input) &&
        !(input instanceof Error)
      ) {
        return errorFromResponse(
          {
            status: input['status'],
            statusText: input['statusText'],
            headers: input['headers'],
            data: input['data'],
          },
          ctx,
          undefined,
          requestFacts(input['config']),
        );
      }
      return errorWithoutResponse(input, ctx, request);
    }
    return partnerCenterError({
      kind: 'unknown',
      retryable: false,
      reason:
        input === undefined
          ? 'a failure was reported without any value'
          : `a non-Error value was thrown (${typeof input})`,
      cause: input,
      sanitizer: ctx.sanitizer,
      ...contextFields(ctx),
    });
  } catch (failure: unknown) {
    // Hostile inputs (throwing getters, proxies): report what we can, never throw.
    return partnerCenterError({
      kind: 'unknown',
      retryable: false,
      reason: 'the failure could not be read',
      cause: failure,
      sanitizer: ctx.sanitizer,
      ...contextFields(ctx),
    });
  }
}

/**
 * Turns anything thrown into a {@link PartnerCenterError} (the public `normalizeError`). Pure and total: it
 * never throws, whatever it is given (axios errors with or without a response, response-like objects, DOM
 * `AbortError`s, cockatiel errors, Node system errors, strings, `undefined`, objects with hostile getters).
 * An existing `PartnerCenterError` (of any installed copy of the library) is returned as it is.
 */
export function normalizeThrown(input: unknown): PartnerCenterError {
  return normalizeError(input);
}

/**
 * True when `value` is a {@link PartnerCenterError}, from this copy of the library or any other installed
 * copy (the check uses a global marker, not only `instanceof`). With `kind`, also checks the kind.
 */
export function isPartnerCenterError(
  value: unknown,
  kind?: PartnerCenterErrorKind,
): value is PartnerCenterError {
  return PartnerCenterError.is(value) && (kind === undefined || value.kind === kind);
}

/** True for a `throttled` {@link PartnerCenterError} (429, throttle gate, or a Retry-After over the cap). */
export function isThrottledError(value: unknown): value is PartnerCenterError {
  return isPartnerCenterError(value, 'throttled');
}

/** True for a `circuit-open` {@link PartnerCenterError}: the scope's breaker refused the call. */
export function isCircuitOpenError(value: unknown): value is PartnerCenterError {
  return isPartnerCenterError(value, 'circuit-open');
}

/** True for a `cancelled` {@link PartnerCenterError}: the caller aborted. */
export function isCancelledError(value: unknown): value is PartnerCenterError {
  return isPartnerCenterError(value, 'cancelled');
}

/** True for a {@link PartnerCenterError} whose `retryable` is true. */
export function isRetryableError(value: unknown): value is PartnerCenterError {
  return PartnerCenterError.is(value) && value.retryable;
}
