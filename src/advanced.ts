/**
 * `partner-center-resilience/advanced`: the building blocks under the main entry, for code that goes beyond
 * attaching: parsing `WWW-Authenticate` challenges and Retry-After headers, the redaction allow-lists and
 * sanitizer, the error code table's helpers, the Partner Center clouds, the transport check before a token is
 * sent, `normalizeError` with a context, and the narrower error guards (`isThrottledError`, ...,
 * `isPaginationError`). Each name is stable API like the main entry's; a type it
 * shares with the main entry is the same type. See docs/public-api.md.
 */
export {
  type AuthChallenge,
  challengeClaims,
  PARTNER_CENTER_REALM_PREFIX,
  parseWwwAuthenticate,
  partnerCenterRealm,
} from './auth/challenge.js';
export {
  PARTNER_CENTER_CLOUDS,
  type PartnerCenterCloud,
  type PartnerCenterCloudName,
  resolveCloud,
} from './auth/clouds.js';
export {
  type AccessToken,
  type TokenCredentialLike,
  type TokenProvider,
  type TokenRequest,
  toTokenProvider,
} from './auth/TokenProvider.js';
export { assertSafeToSendToken, isSafeToSendToken } from './auth/transportSecurity.js';
export type { PartnerCenterErrorConfig, PartnerCenterErrorResponse } from './errors/axiosCompat.js';
export {
  classifyStatus,
  createErrorCodeTable,
  type ErrorCodeClass,
  type ErrorCodeInfo,
  type ErrorCodeTable,
  lookupErrorCode,
  PARTNER_CENTER_ERROR_KINDS,
  type PartnerCenterErrorKind,
} from './errors/classify.js';
export type { NormalizeErrorContext } from './errors/errorFromResponse.js';
// `normalizeError` with a context (a code table, a sanitizer, the call's fields); the main entry's takes the
// value only.
export {
  isCancelledError,
  isCircuitOpenError,
  isRetryableError,
  isThrottledError,
  normalizeError,
} from './errors/normalizeError.js';
export type { PartnerCenterError, PartnerCenterErrorInit } from './errors/PartnerCenterError.js';
export { parseRetryAfter, type RetryAfter, type RetryAfterSource } from './http/response.js';
export {
  createSanitizer,
  DEFAULT_ALLOWED_HEADERS,
  DEFAULT_ALLOWED_QUERY_PARAMETERS,
  REDACTED,
  type Sanitizer,
  type SanitizerOptions,
} from './observability/sanitizer.js';
export { defaultOperationState, type OperationState } from './workflows/operations/pollOptions.js';
export type { PageContinuation } from './workflows/pagination/PageContinuation.js';
// Types only (the classes are the main entry's: one class, whichever entry is imported first).
export { isPaginationError, type PaginationError } from './workflows/pagination/PaginationError.js';
