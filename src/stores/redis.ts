/**
 * `partner-center-resilience/redis`: a Redis-backed scope state store, so that several processes sharing
 * one partner's Partner Center quota honour each other's throttling. `ioredis` is an optional peer
 * dependency: install it to use this entry. See docs/redis.md.
 */
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
