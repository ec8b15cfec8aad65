import type { RetryAfterSource } from '../backoff/parseRetryAfter.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import type { PartnerCenterErrorExchange } from './axiosCompat.js';
import type { ErrorCodeClass } from './errorCodes.js';

/** Every kind, for validation and exhaustive tests. The one list {@link PartnerCenterErrorKind} derives from. */
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
] as const;

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
export type PartnerCenterErrorKind = (typeof PARTNER_CENTER_ERROR_KINDS)[number];

/** The fields of a {@link PartnerCenterError}; everything but `kind` and `retryable` is optional. */
export interface PartnerCenterErrorInit {
  readonly kind: PartnerCenterErrorKind;
  readonly retryable: boolean;
  readonly message?: string | undefined;
  readonly status?: number | undefined;
  readonly code?: string | undefined;
  readonly description?: string | undefined;
  readonly data?: unknown;
  readonly source?: string | undefined;
  readonly errorName?: string | undefined;
  readonly codeClass?: ErrorCodeClass | undefined;
  readonly retryAfterMs?: number | undefined;
  readonly retryAfterSource?: RetryAfterSource | undefined;
  readonly requestId?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly cv?: string | undefined;
  readonly serverId?: string | undefined;
  readonly scope?: string | undefined;
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly attempts?: number | undefined;
  readonly outcomeUnknown?: boolean | undefined;
  readonly reason?: string | undefined;
  readonly body?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly cause?: unknown;
  /**
   * The HTTP exchange as the axios-compatible view shows it (`error.response`, `error.config`); redacted
   * when the error is built. Set by {@link normalizeError}; not a field of the error.
   */
  readonly exchange?: PartnerCenterErrorExchange | undefined;
  /**
   * Redacts the URL, the message and the cause (default: the built-in allow-lists). Pass the sanitizer the
   * rest of the call uses so that its extra allowed query parameters survive. Not a field of the error; it is
   * kept privately so that {@link PartnerCenterError.with} redacts the same way.
   */
  readonly sanitizer?: Sanitizer | undefined;
}
