/**
 * `partner-center-resilience`: resilience for Partner Center REST calls on axios. Attach it to an instance
 * (`attachResilience`) or create a client (`createPartnerCenterClient`). What most users need is here; the
 * building blocks (challenge parsing, the sanitizer, the error code table's helpers, the Retry-After parser,
 * the narrower error guards) are in `partner-center-resilience/advanced`, and the rate limiter's backend
 * protocol in `partner-center-resilience/redis`. See docs/public-api.md.
 */
import './augment.js';

export {
  attachResilience,
  type BreakerControl,
  type BreakerState,
  type ResilienceHandle,
} from './attach.js';
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
export { DEFAULT_RATE_LIMIT_RULES, type RateLimitRule } from './policies/rateLimiter/rules.js';
export { InMemoryScopeStateStore } from './tenancy/InMemoryScopeStateStore.js';
export type { RetryTokenBucket, ScopeStateStore, StoreFailure } from './tenancy/ScopeStateStore.js';
export { customerScope } from './tenancy/scopeKey.js';
export { pollOperation } from './workflows/operations/pollOperation.js';
export type { PollOperationOptions } from './workflows/operations/pollOptions.js';
export type { Page } from './workflows/pagination/Page.js';
export type { PageContinuation } from './workflows/pagination/PageContinuation.js';
export { PaginationError } from './workflows/pagination/PaginationError.js';
export { type PageIterable, paginate } from './workflows/pagination/paginate.js';
export type { PaginateOptions } from './workflows/pagination/paginateOptions.js';
