/**
 * `partner-center-resilience/redis`: a Redis-backed scope state store, so that several processes sharing
 * one partner's Partner Center quota honour each other's throttling. `ioredis` is an optional peer
 * dependency: install it to use this entry. See docs/redis.md.
 */
export {
  createRedisScopeStore,
  type RedisScopeKeys,
  type RedisScopeStore,
  type RedisScopeStoreErrorContext,
  type RedisScopeStoreOperation,
  type RedisScopeStoreOptions,
  RedisScopeStoreTimeoutError,
  type RedisScriptClient,
} from './RedisScopeStateStore.js';
