/**
 * `partner-center-resilience/redis`: a Redis-backed scope state store, so that several processes sharing
 * one partner's Partner Center quota honour each other's throttling. `ioredis` is an optional peer
 * dependency: install it to use this entry. See docs/redis.md.
 *
 * It also holds the rate limiter's backend protocol ({@link RateLimitBackend} and the plan it is given): what
 * a shared store implements as its `rateLimit` so that every process paces calls to one quota together. The
 * Redis store implements it; a store without it gives each attached instance a limiter of its own.
 */
export type { AdaptiveRateOptions } from '../policies/rateLimiter/adaptiveRate.js';
export type { RetryTokenBucket, ScopeStateStore, StoreFailure } from '../tenancy/ScopeStateStore.js';
export { createRedisScopeStore } from './RedisScopeStateStore.js';
export type {
  RedisScopeKeys,
  RedisScopeStore,
  RedisScopeStoreErrorContext,
  RedisScopeStoreOperation,
  RedisScopeStoreOptions,
  RedisScriptClient,
} from './RedisScopeStoreOptions.js';
export { RedisScopeStoreTimeoutError } from './RedisScopeStoreTimeoutError.js';
export type {
  LimiterSettings,
  LimitLevel,
  LimitPlan,
  LimitRecord,
  PlannedBucket,
  PlannedLevel,
  RateLimitBackend,
} from './rateLimitProtocol.js';
