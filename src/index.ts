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
export { parseRetryAfter, type RetryAfter, type RetryAfterSource } from './backoff/parseRetryAfter.js';
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
export { classifyStatus } from './errors/classify.js';
export { type PartnerCenterErrorBody, partnerCenterErrorBodySchema } from './errors/errorBodySchema.js';
export {
  createErrorCodeTable,
  DEFAULT_ERROR_CODES,
  type ErrorCodeClass,
  type ErrorCodeInfo,
  type ErrorCodeTable,
  lookupErrorCode,
} from './errors/errorCodes.js';
export type { NormalizeErrorContext } from './errors/errorContext.js';
export {
  isCancelledError,
  isCircuitOpenError,
  isPartnerCenterError,
  isRetryableError,
  isThrottledError,
} from './errors/guards.js';
export { normalizeError } from './errors/normalizeError.js';
export {
  PARTNER_CENTER_ERROR_KINDS,
  PartnerCenterError,
  type PartnerCenterErrorInit,
  type PartnerCenterErrorKind,
} from './errors/PartnerCenterError.js';
export type {
  AnyResilienceEvent,
  BreakerEvent,
  CallInfo,
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
export { DEFAULT_POLICY } from './options/defaults.js';
export { MAX_TIMER_MS } from './options/limits.js';
export { ResilienceOptionsError } from './options/ResilienceOptionsError.js';
export type {
  CircuitBreakerOptions,
  PartnerCenterRequestOptions,
  PartnerRetryBudgetOptions,
  RateLimitOptions,
  Reconcile,
  ReconcileRequest,
  ResilienceOptions,
  ResolvedScopePolicy,
  RetryBudgetOptions,
  RetryOptions,
  ScopePolicyOptions,
  TenantOptions,
  TimeoutOptions,
  TokenOptions,
} from './options.js';
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
export { customerScope } from './tenancy/resolveScope.js';
export {
  InMemoryScopeStateStore,
  type InMemoryScopeStateStoreOptions,
  type RetryBudget,
  type ScopeStateStore,
  type StoreFailure,
} from './tenancy/ScopeStateStore.js';
export type { PageContinuation } from './workflows/continuation.js';
export { defaultOperationState, type OperationState } from './workflows/operationState.js';
export { isPaginationError, type PagePosition, PaginationError } from './workflows/PaginationError.js';
export type { Page, PageIterable, PaginateOptions } from './workflows/pageTypes.js';
export { paginate } from './workflows/paginate.js';
export { pollOperation } from './workflows/pollOperation.js';
export type { PollOperationOptions } from './workflows/pollOptions.js';
export type { WorkflowRequestConfig } from './workflows/workflowOptions.js';
