import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import type { RateLimitBackend } from './rateLimitProtocol.js';

/**
 * The part of an ioredis client the store uses: an ioredis `Redis` instance or a `Cluster` fits. Only
 * `EVALSHA` and `EVAL` are sent, each with the keys it touches (one scope's key, or the keys of one
 * partner's rate-limit state, all under one hash tag).
 */
export interface RedisScriptClient {
  evalsha(sha1: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** The store operations, as named in {@link RedisScopeStoreErrorContext}. */
export type RedisScopeStoreOperation =
  | 'getThrottleDeadline'
  | 'extendThrottleDeadline'
  | 'getOpenUntil'
  | 'setOpenUntil'
  | 'takeRetryToken'
  | 'refundRetryToken'
  | 'rateLimit.acquire'
  | 'rateLimit.record';

/** What {@link RedisScopeStoreOptions.onError} receives with the error. */
export interface RedisScopeStoreErrorContext {
  /** The store method that failed; it was answered from the in-process fallback store instead. */
  readonly operation: RedisScopeStoreOperation;
  /** The scope the call was about. */
  readonly scope: string;
  /** `true` when Redis did not answer within `commandTimeoutMs`, `false` when the command failed. */
  readonly timedOut: boolean;
  /**
   * Set when a script found this key unreadable (the wrong type, or a value that is not a finite number) and
   * reset it: the operation itself went on in Redis (not answered from the fallback), and only that key's state
   * was lost.
   */
  readonly resetKey?: string;
}

/** Options of {@link createRedisScopeStore}. */
export interface RedisScopeStoreOptions {
  /**
   * An ioredis `Redis` instance or `Cluster` (anything with `evalsha` and `eval`). The store never connects,
   * quits or reconfigures it. Recommended client options: `enableOfflineQueue: false` (commands fail at once
   * while disconnected instead of queuing), `commandTimeout` (e.g. `500`) and `maxRetriesPerRequest: 1`.
   */
  readonly client: RedisScriptClient;
  /**
   * Prefix of every key, before the `{scope}` hash tag. Avoid `{` and `}` in it (it would change which part
   * of the key Redis Cluster hashes). Added after the client's own ioredis `keyPrefix`, if any.
   * Default: `'pcr:'`.
   */
  readonly keyPrefix?: string;
  /**
   * Time to live of the retry-budget key, renewed on every take and refund: a scope left alone that long
   * gets a full budget again. Throttle and breaker keys expire with their own deadline. The rate limiter's
   * keys (buckets, learnt and measured rates, customers waiting for shares) expire this long after their last use, or
   * once their bucket has filled again if that is later: a partner left alone forgets its learnt rates.
   * Default: `600_000` (10 minutes).
   */
  readonly keyTtlMs?: number;
  /**
   * Time to live of the rate limiter's level keys (a partner's, customer's or operation's measured and learnt
   * rates, and whether the partner's slow start has ended; see `rateLimit.slowStart`) after their last use: the
   * next process, or the next run, starts at what was learnt, until the partner has been left alone this long
   * and probes its quota again. Beats a `learntTtlMs` in the limiter's settings. Default: the limiter's
   * `learntTtlMs` when it has one, else `keyTtlMs` (10 minutes).
   */
  readonly learntTtlMs?: number;
  /**
   * How long the store waits for Redis before answering an operation from its in-process fallback store
   * (the timer is cleared as soon as Redis answers). Keep it well below your attempt timeout: the engine
   * awaits the store before every attempt. Default: `250`.
   */
  readonly commandTimeoutMs?: number;
  /**
   * After a failure or timeout, how long the store answers from its in-process fallback without trying
   * Redis (so that a Redis that is down costs no latency); the first operation after that tries Redis again.
   * Default: `1_000`.
   */
  readonly retryAfterFailureMs?: number;
  /**
   * Called, once per failed Redis operation, with the error (a `RedisScopeStoreTimeoutError` on timeout) and
   * where it happened. The store never throws and never rejects: the operation is answered from the
   * in-process fallback, so the engine sees no failure to log. Also called, with `context.resetKey`, for each
   * key a script could not read and reset (the operation then went on in Redis). Errors thrown by this hook
   * are ignored. Default: none (failures are silent).
   */
  readonly onError?: (error: unknown, context: RedisScopeStoreErrorContext) => void;
  /**
   * The local clock, used to turn the engine's epoch deadlines into durations and back. Only tests need it
   * (to simulate a process whose clock is off). Default: `Date.now`.
   */
  readonly now?: () => number;
  /** Most scopes the in-process fallback store keeps (least recently used dropped). Default: `10_000`. */
  readonly fallbackMaxScopes?: number;
}

/** A {@link ScopeStateStore} backed by Redis, with its key layout exposed for operations and tests. */
export interface RedisScopeStore extends ScopeStateStore {
  /** The Redis keys of a scope: `{keyPrefix}{<scope>}:throttle`, `:open` and `:budget`. */
  keys(scope: string): RedisScopeKeys;
  /**
   * The rate limiter's state in Redis: every process using this Redis shares the buckets, the learnt rates and
   * the customers waiting for shares, so that together they stay under one quota. Each `acquire` and `record` is one
   * Lua script on Redis's clock (the `now` argument is ignored). When Redis fails or is slow, the answer comes
   * from the in-process fallback store's own `rateLimit` (which also records this process's responses), and
   * the failure is reported as `'rateLimit.acquire'` / `'rateLimit.record'`. It has no `free`: every call
   * asks `acquire` (a round trip). With `rateLimit.slowStart`, a partner's slow start is shared too: one rate
   * that every process's calls fill and every success grows, ended for all by the first 429.
   */
  readonly rateLimit: RateLimitBackend;
  /**
   * The Redis key of one piece of a partner's limiter state: `{keyPrefix}{rl:<partner>}:<stateKey>`, with
   * `stateKey` a plan's rule or level key, `w` (the customers waiting for a share of the partner's rate) or
   * `s:<customer>` (fair-share bucket).
   */
  rateLimitKey(partner: string, stateKey: string): string;
  /** `true` while the store answers from its fallback after a failure (for `retryAfterFailureMs`). */
  readonly degraded: boolean;
}

/** The Redis keys of one scope; the `{scope}` hash tag keeps them on one Cluster slot. */
export interface RedisScopeKeys {
  /** Throttle deadline: Redis `TIME` in microseconds, expiring with the deadline. */
  readonly throttle: string;
  /** Breaker-open hint: Redis `TIME` in microseconds, expiring with the hint. */
  readonly open: string;
  /** Retry tokens left (a decimal number), expiring after `keyTtlMs` without use. */
  readonly budget: string;
}
