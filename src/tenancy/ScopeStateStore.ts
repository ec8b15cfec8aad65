import type { RateLimitBackend } from '../stores/rateLimitProtocol.js';
/**
 * Where the shared state of a scope lives: the throttle deadline, a breaker-open hint and the retry token
 * bucket. The in-memory store ({@link InMemoryScopeStateStore}) is the default; a shared store (e.g. Redis)
 * lets several processes that share one partner quota see each other's throttling. Methods may return a value
 * or a promise; a store that fails must not block calls (the engine falls back to proceeding without the
 * shared hint).
 */
export interface ScopeStateStore {
  /**
   * True when every method answers synchronously (never a promise) and never throws. The engine then calls
   * the store directly on a call's path instead of bounding, timing and reporting each call. Default: `false`
   * (each call is bounded by the call's budget and its failures are reported through `onStoreError`).
   */
  readonly synchronous?: boolean;
  /**
   * Optional, read by the engine only when {@link ScopeStateStore.synchronous} is true: how many scopes are held back right
   * now (a throttle deadline or an open breaker in the future). It must be exact: `0` exactly when
   * `getThrottleDeadline` and `getOpenUntil` answer `undefined` for every scope. While it is `0`, the engine
   * asks the store nothing about a call's scope before sending it. A store without it is asked for each call.
   */
  readonly held?: number;
  /** Epoch ms until which the scope is throttled, or `undefined`. */
  getThrottleDeadline(scope: string): number | undefined | Promise<number | undefined>;
  /** Extends the throttle deadline of a scope (a shorter deadline than the stored one is ignored). */
  extendThrottleDeadline(scope: string, deadline: number): void | Promise<void>;
  /** Epoch ms until which the scope's breaker is known open (by this or another process), or `undefined`. */
  getOpenUntil(scope: string): number | undefined | Promise<number | undefined>;
  /** Records that the scope's breaker opened until `until`; `undefined` clears it (breaker reset). */
  setOpenUntil(scope: string, until: number | undefined): void | Promise<void>;
  /** Takes one retry token from the scope's bucket; `false` when the bucket is empty. */
  takeRetryToken(scope: string, bucket: RetryTokenBucket): boolean | Promise<boolean>;
  /** Gives back part of a token after a success. */
  refundRetryToken(scope: string, bucket: RetryTokenBucket): void | Promise<void>;
  /**
   * Optional: subscribes to failures the store absorbed itself (a Redis store answering from local state
   * while Redis is down), so that the engine can report them through `onStoreError` and the logger.
   * Returns a function that unsubscribes.
   */
  onFailure?(listener: (failure: StoreFailure) => void): () => void;
  /**
   * Optional: where the rate limiter keeps its buckets and learnt rates, so that every instance (and, for a
   * shared store, every process) using this store paces calls to one quota together. A store without it
   * gives each attached instance a limiter of its own, in its process. The protocol
   * ({@link RateLimitBackend}) is exported by `partner-center-resilience/redis`; it is not part of the main
   * entry's declarations (the Redis store declares it).
   * @internal
   */
  readonly rateLimit?: RateLimitBackend;
}

/** A failure a store absorbed (it answered from its fallback instead, or reset a key it could not read). */
export interface StoreFailure {
  /** The store method that failed. */
  readonly operation: string;
  /** The scope the call was about. */
  readonly scope: string;
  /** What went wrong (the engine redacts its message before reporting it). */
  readonly error: unknown;
  /**
   * Set when the store found this key unreadable and reset it: the operation itself went on in the shared
   * store (it was not answered from the fallback); only that key's state was lost.
   */
  readonly resetKey?: string;
}

/**
 * The settings of a scope's retry token bucket, passed to the store with each `takeRetryToken` and
 * `refundRetryToken`: each retry takes a token, each success gives back `refundPerSuccess` of one.
 */
export interface RetryTokenBucket {
  /** Tokens of a full bucket (a scope never seen has a full bucket). */
  readonly maxTokens: number;
  /** Part of a token given back per success (never above `maxTokens`). */
  readonly refundPerSuccess: number;
}
