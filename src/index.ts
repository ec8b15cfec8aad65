/**
 * `partner-center-resilience`: attach resilience to an axios instance calling the Partner Center REST API
 * (`attachResilience`), or create a client (`createPartnerCenterClient`). What most users need is here; the
 * building blocks (challenge parsing, the sanitizer, the error code table's helpers, the Retry-After parser)
 * are in `partner-center-resilience/advanced`, the rate limiter's backend protocol in
 * `partner-center-resilience/redis`. See docs/api.md.
 */
import './augment.js';

export { attachResilience, type BreakerState, type ResilienceHandle } from './attach.js';
export { PARTNER_CENTER_CLOUDS, type PartnerCenterCloud, type PartnerCenterCloudName } from './auth/clouds.js';
export {
  type AccessToken,
  fromTokenCredential,
  type TokenCredentialLike,
  type TokenProvider,
  type TokenRequest,
} from './auth/TokenProvider.js';
export {
  createPartnerCenterClient,
  type PartnerCenterClient,
  type PartnerCenterClientOptions,
} from './client.js';
export type { PartnerCenterErrorConfig, PartnerCenterErrorResponse } from './errors/axiosCompat.js';
export {
  DEFAULT_ERROR_CODES,
  type ErrorCodeClass,
  type ErrorCodeInfo,
  type PartnerCenterErrorKind,
} from './errors/classify.js';
export { type PartnerCenterErrorBody, parsePartnerCenterErrorBody } from './errors/errorBody.js';
export { isPartnerCenterError, normalizeThrown as normalizeError } from './errors/normalizeError.js';
export { PartnerCenterError, type PartnerCenterErrorInit } from './errors/PartnerCenterError.js';
export type { CallInfo } from './observability/callInfo.js';
export type { ResilienceEvent, ResilienceEvents, ResilienceHooks } from './observability/events.js';
export type { Logger } from './observability/logger.js';
export { ResilienceOptionsError } from './options/ResilienceOptionsError.js';
export type {
  CircuitBreakerOptions,
  PartnerCenterRequestOptions,
  PartnerRetryBudgetOptions,
  RateLimitOptions,
  Reconcile,
  ReconcileRequest,
  ResilienceOptions,
  RetryBudgetOptions,
  RetryOptions,
  ScopePolicyOptions,
  TenantOptions,
  TimeoutOptions,
  TokenOptions,
} from './options.js';
export type { AdaptiveRateOptions } from './policies/rateLimiter/adaptiveRate.js';
export {
  DEFAULT_RATE_LIMIT_RULES,
  type LimitLevel,
  type RateLimitRule,
  type RuleMatch,
  type ThrottleLevel,
} from './policies/rateLimiter/rules.js';
export { InMemoryScopeStateStore } from './tenancy/InMemoryScopeStateStore.js';
export type { RetryTokenBucket, ScopeStateStore, StoreFailure } from './tenancy/ScopeStateStore.js';
export { customerScope } from './tenancy/scopeKey.js';
export type { PageContinuation } from './workflows/continuation.js';
export { PaginationError } from './workflows/PaginationError.js';
export type { Page, PageIterable, PaginateOptions } from './workflows/pageTypes.js';
export { paginate } from './workflows/paginate.js';
export { pollOperation } from './workflows/pollOperation.js';
export type { PollOperationOptions } from './workflows/pollOptions.js';
