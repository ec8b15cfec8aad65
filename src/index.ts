import './augment.js';

export { attachResilience, type BreakerState, type ResilienceHandle } from './attach.js';
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
  type AbortSignalLike,
  type AccessToken,
  fromTokenCredential,
  type TokenCredentialLike,
  type TokenCredentialOptions,
  type TokenProvider,
  type TokenRequest,
  toTokenProvider,
} from './auth/TokenProvider.js';
export { assertSafeToSendToken, isSafeToSendToken } from './auth/transportSecurity.js';
export {
  createPartnerCenterClient,
  type PartnerCenterClient,
  type PartnerCenterClientOptions,
} from './client.js';
export type {
  PartnerCenterErrorConfig,
  PartnerCenterErrorExchange,
  PartnerCenterErrorResponse,
  PartnerCenterRequestSnapshot,
} from './errors/axiosCompat.js';
export {
  classifyStatus,
  createErrorCodeTable,
  DEFAULT_ERROR_CODES,
  type ErrorCodeClass,
  type ErrorCodeInfo,
  type ErrorCodeTable,
  lookupErrorCode,
  PARTNER_CENTER_ERROR_KINDS,
  type PartnerCenterErrorKind,
} from './errors/classify.js';
export { type PartnerCenterErrorBody, parsePartnerCenterErrorBody } from './errors/errorBody.js';
export type { NormalizeErrorContext } from './errors/errorFromResponse.js';
export {
  isCancelledError,
  isCircuitOpenError,
  isPartnerCenterError,
  isRetryableError,
  isThrottledError,
  normalizeError,
} from './errors/normalizeError.js';
export { PartnerCenterError, type PartnerCenterErrorInit } from './errors/PartnerCenterError.js';
export { parseRetryAfter, type RetryAfter, type RetryAfterSource } from './http/response.js';
export type { CallInfo } from './observability/callInfo.js';
export type {
  AnyResilienceEvent,
  BreakerEvent,
  GiveUpEvent,
  HookErrorEvent,
  RateLimitEvent,
  ReconcileEvent,
  RequestEvent,
  ResilienceEvents,
  ResilienceHooks,
  RetryEvent,
  StoreErrorEvent,
  SuccessEvent,
  ThrottleEvent,
  TokenRefreshEvent,
} from './observability/events.js';
export type { Logger } from './observability/logger.js';
export {
  createSanitizer,
  DEFAULT_ALLOWED_HEADERS,
  DEFAULT_ALLOWED_QUERY_PARAMETERS,
  REDACTED,
  type Sanitizer,
  type SanitizerOptions,
} from './observability/sanitizer.js';
export type { PartnerRetryBudgetOptions, RateLimitOptions } from './options/RateLimitOptions.js';
export type { Reconcile, ReconcileRequest } from './options/Reconcile.js';
export type { ResilienceOptions, TenantOptions } from './options/ResilienceOptions.js';
export { ResilienceOptionsError } from './options/ResilienceOptionsError.js';
export type { PartnerCenterRequestOptions, RequestRetryOptions } from './options/requestOptions.js';
export type {
  CircuitBreakerOptions,
  RetryBudgetOptions,
  RetryOptions,
  ScopePolicyOptions,
  TimeoutOptions,
} from './options/ScopePolicyOptions.js';
export type { TokenOptions } from './options/TokenOptions.js';
export type { AdaptiveRateOptions } from './policies/rateLimiter/adaptiveRate.js';
export { LocalRateLimitBackend } from './policies/rateLimiter/localBackend.js';
export {
  DEFAULT_RATE_LIMIT_RULES,
  type RateLimitRule,
  type RuleMatch,
  type ThrottleLevel,
} from './policies/rateLimiter/rules.js';
export type {
  LimiterSettings,
  LimitLevel,
  LimitPlan,
  LimitRecord,
  PlannedBucket,
  PlannedLevel,
  RateLimitBackend,
} from './stores/rateLimitProtocol.js';
export {
  InMemoryScopeStateStore,
  type InMemoryScopeStateStoreOptions,
} from './tenancy/InMemoryScopeStateStore.js';
export type { RetryTokenBucket, ScopeStateStore, StoreFailure } from './tenancy/ScopeStateStore.js';
export { customerScope } from './tenancy/scopeKey.js';
export { pollOperation } from './workflows/operations/pollOperation.js';
export {
  defaultOperationState,
  type OperationState,
  type PollOperationOptions,
} from './workflows/operations/pollOptions.js';
export type { Page } from './workflows/pagination/Page.js';
export type { PageContinuation } from './workflows/pagination/PageContinuation.js';
export {
  isPaginationError,
  type PagePosition,
  PaginationError,
} from './workflows/pagination/PaginationError.js';
export { type PageIterable, paginate } from './workflows/pagination/paginate.js';
export type { PaginateOptions } from './workflows/pagination/paginateOptions.js';
export type { WorkflowRequestConfig } from './workflows/workflowOptions.js';
