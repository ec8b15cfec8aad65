import { isNetworkError } from 'axios-retry';

/**
 * The one classification table: the kinds of error, and what a status, a Partner Center error code (the code
 * table below) or a network fault means for the kind of an error, whether another attempt could succeed,
 * whether the server may have processed the request, and whether the failure speaks of the scope's health.
 * The normaliser and the engine both read it.
 */

/** Every kind, for validation and exhaustive tests; the compiler holds it to {@link PartnerCenterErrorKind}. */
export const PARTNER_CENTER_ERROR_KINDS = [
  'throttled',
  'unauthorized',
  'forbidden',
  'not-found',
  'conflict',
  'client',
  'server',
  'network',
  'timeout',
  'circuit-open',
  'cancelled',
  'operation-failed',
  'unknown',
] as const satisfies readonly PartnerCenterErrorKind[];

/**
 * What went wrong, in one word.
 * - `throttled`: 429, or a throttle gate / Retry-After longer than allowed.
 * - `unauthorized` (401), `forbidden` (403), `not-found` (404), `conflict` (409, 412), `client` (other 4xx).
 * - `server`: 5xx.
 * - `network`: no response, or a response whose body was cut off (connection refused, reset, DNS).
 * - `timeout`: a request or policy timeout, or 408. Never used for a caller's abort.
 * - `circuit-open`: the scope's circuit breaker is open; no request was sent.
 * - `cancelled`: the caller aborted (AbortSignal or axios cancel token).
 * - `operation-failed`: an asynchronous operation polled by `pollOperation` reported that it failed (its
 *   status was `failed`, `canceled`, `error`, ... or the caller's `classify` said so). Never retryable.
 * - `unknown`: something was thrown that is neither an HTTP failure nor a network fault.
 */
export type PartnerCenterErrorKind =
  | 'throttled'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'client'
  | 'server'
  | 'network'
  | 'timeout'
  | 'circuit-open'
  | 'cancelled'
  | 'operation-failed'
  | 'unknown';

/** Compiles only while the list names every kind (the union is spelt out for the public API). */
const _everyKindListed: [
  Exclude<PartnerCenterErrorKind, (typeof PARTNER_CENTER_ERROR_KINDS)[number]>,
] extends [never]
  ? true
  : never = true;

/** What the classification reads of a failure (a `PartnerCenterError` is one). */
export interface ClassifiedFailure {
  readonly kind: PartnerCenterErrorKind;
  readonly status: number | undefined;
  readonly cause?: unknown;
}

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

/**
 * True when the failure proves the server did not process the request: it answered 429, 503, 408 or
 * another 4xx (it rejected the request), or the connection failed before anything was sent (refused, DNS).
 * A timeout, a reset after sending, a body cut off mid-stream, 500, 502 and 504 leave the outcome unknown.
 */
export function surelyNotProcessed(error: ClassifiedFailure): boolean {
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
  const e = error as Partial<ClassifiedFailure>;
  if (e.kind === 'server' || e.kind === 'network') return true;
  // A server 408 is the server asking for a resend, not a sign of ill health; our own timeouts are.
  return e.kind === 'timeout' && e.status === undefined;
}

/**
 * What the library does with a documented Partner Center error code.
 * - `transient`: the service asks to try again later; the call is retried like a 503.
 * - `reconcile`: the operation may already be under way (e.g. "order in progress"): never resubmit, look the
 *   resource up and reconcile.
 * - `refetch`: the request is stale (ETag no longer valid); a blind retry cannot succeed, GET the resource
 *   again and reapply the change.
 * - `mfa-required`: the token lacks multi-factor authentication; refreshing it cannot help.
 * - `permanent`: the request itself is wrong or not allowed; retrying cannot help.
 */
export type ErrorCodeClass = 'transient' | 'reconcile' | 'refetch' | 'mfa-required' | 'permanent';

/** One row of the code table. */
export interface ErrorCodeInfo {
  /** What the code means, in a sentence. */
  readonly meaning: string;
  /** What the library does with it. */
  readonly class: ErrorCodeClass;
}

/** A table of Partner Center error codes, keyed by the code as a string (`"800064"`). */
export type ErrorCodeTable = Readonly<Record<string, ErrorCodeInfo>>;

const transient = (meaning: string): ErrorCodeInfo => ({ meaning, class: 'transient' });

/** The codes Partner Center documents, with their meaning and class. Frozen; extend with {@link createErrorCodeTable}. */
export const DEFAULT_ERROR_CODES: Readonly<Record<string, ErrorCodeInfo>> = Object.freeze({
  '800064': transient('The resource is being processed by another request; try again later.'),
  '800082': transient('The service is busy; try again later.'),
  '900130': transient('A dependent service is unavailable; try again later.'),
  '900135': transient('The request could not be completed now; try again later.'),
  '900101': transient('Transient backend failure; try again later.'),
  '900104': transient('Transient backend failure; try again later.'),
  '900109': transient('Transient backend failure; try again later.'),
  '900113': transient('Transient backend failure; try again later.'),
  '800060': {
    meaning: 'An order is already in progress: do not resubmit; look the order up and reconcile.',
    class: 'reconcile',
  },
  '2055': {
    meaning: 'The ETag is no longer valid: GET the resource again and reapply the change.',
    class: 'refetch',
  },
  '400019': {
    meaning: 'The resource changed since it was read: GET it again and reapply the change.',
    class: 'refetch',
  },
  '900421': {
    meaning: 'Multi-factor authentication is required: refreshing the token cannot fix this.',
    class: 'mfa-required',
  },
  '800001': { meaning: 'The partner token is missing from the request context.', class: 'permanent' },
  '2000': { meaning: 'The request is invalid (e.g. a tenant id that is not a GUID).', class: 'permanent' },
  '3000': { meaning: 'The partner, customer or resource was not found.', class: 'permanent' },
  '60012': { meaning: 'The subscription has no licenses left; buy more licenses.', class: 'permanent' },
  '600061': { meaning: 'A partner-confirmed agreement already exists for the customer.', class: 'permanent' },
});

/**
 * Returns a new frozen table: the defaults, then each override in order (a later entry replaces an earlier
 * one with the same code). The default table is never mutated.
 */
export function createErrorCodeTable(
  ...overrides: ReadonlyArray<Readonly<Record<string, ErrorCodeInfo>>>
): ErrorCodeTable {
  const table: Record<string, ErrorCodeInfo> = { ...DEFAULT_ERROR_CODES };
  for (const override of overrides) {
    for (const [code, info] of Object.entries(override)) {
      table[String(code)] = Object.freeze({ meaning: info.meaning, class: info.class });
    }
  }
  return Object.freeze(table);
}

/** Looks a code up; `undefined` when the code is absent or not in the table. */
export function lookupErrorCode(table: ErrorCodeTable, code: string | undefined): ErrorCodeInfo | undefined {
  if (code === undefined) return undefined;
  return Object.hasOwn(table, code) ? table[code] : undefined;
}

/** What an error's default message is made of (the error's own fields). */
interface MessageParts {
  readonly kind: string;
  readonly status?: number | undefined;
  readonly code?: string | undefined;
  readonly description?: string | undefined;
  readonly reason?: string | undefined;
  readonly method?: string | undefined;
  readonly requestId?: string | undefined;
  readonly attempts?: number | undefined;
  readonly outcomeUnknown?: boolean | undefined;
}

/** The message of an error built without one: kind, status, code, detail, then where and how often. */
export function defaultMessage(init: MessageParts, url: string | undefined): string {
  const parts: string[] = [`Partner Center ${init.kind}`];
  if (init.status !== undefined) parts.push(String(init.status));
  if (init.code !== undefined) parts.push(`code ${init.code}`);
  let head = parts.join(' ');
  const detail = init.description ?? init.reason;
  if (detail) head += `: ${detail}`;
  const where: string[] = [];
  if (init.method || url) where.push([init.method?.toUpperCase(), url].filter(Boolean).join(' '));
  if (init.requestId) where.push(`MS-RequestId ${init.requestId}`);
  if (init.attempts !== undefined && init.attempts > 1) where.push(`after ${init.attempts} attempts`);
  if (init.outcomeUnknown) where.push('outcome unknown: the request may have been processed');
  return where.length > 0 ? `${head} (${where.join(', ')})` : head;
}
