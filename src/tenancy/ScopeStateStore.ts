import { LocalRateLimitBackend } from '../policies/rateLimiter/localBackend.js';
import type { RateLimitBackend } from '../stores/rateLimitProtocol.js';
/**
 * Where the shared state of a scope lives: the throttle deadline, a breaker-open hint and the retry budget.
 * The in-memory store is the default; a shared store (e.g. Redis) lets several processes that share one
 * partner quota see each other's throttling. Methods may return a value or a promise; a store that fails
 * must not block calls (the engine falls back to proceeding without the shared hint).
 */
export interface ScopeStateStore {
  /** Epoch ms until which the scope is throttled, or `undefined`. */
  getThrottleDeadline(scope: string): number | undefined | Promise<number | undefined>;
  /** Extends the throttle deadline of a scope (a shorter deadline than the stored one is ignored). */
  extendThrottleDeadline(scope: string, deadline: number): void | Promise<void>;
  /** Epoch ms until which the scope's breaker is known open (by this or another process), or `undefined`. */
  getOpenUntil(scope: string): number | undefined | Promise<number | undefined>;
  /** Records that the scope's breaker opened until `until`; `undefined` clears it (breaker reset). */
  setOpenUntil(scope: string, until: number | undefined): void | Promise<void>;
  /** Takes one retry token; `false` when the budget is spent. */
  takeRetryToken(scope: string, budget: RetryBudget): boolean | Promise<boolean>;
  /** Gives back part of a token after a success. */
  refundRetryToken(scope: string, budget: RetryBudget): void | Promise<void>;
  /**
   * Optional: subscribes to failures the store absorbed itself (a Redis store answering from local state
   * while Redis is down), so that the engine can report them through `onStoreError` and the logger.
   * Returns a function that unsubscribes.
   */
  onFailure?(listener: (failure: StoreFailure) => void): () => void;
  /**
   * Optional: where the rate limiter keeps its buckets and learnt rates, so that every instance (and, for a
   * shared store, every process) using this store paces calls to one quota together. A store without it
   * gives each attached instance a limiter of its own, in its process.
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

/** Budget parameters passed to the store with each call. */
export interface RetryBudget {
  readonly maxTokens: number;
  readonly refundPerSuccess: number;
}

interface Entry {
  throttleUntil: number | undefined;
  openUntil: number | undefined;
  tokens: number;
}

/** Options of {@link InMemoryScopeStateStore}. */
export interface InMemoryScopeStateStoreOptions {
  /** Most scopes kept; the least recently used is dropped beyond it. Default: `10000`. */
  readonly maxScopes?: number;
  /** Clock. Default: `Date.now`. */
  readonly now?: () => number;
}

/** The default store: a bounded LRU map in this process. */
export class InMemoryScopeStateStore implements ScopeStateStore {
  /** The rate limiter's state, shared by the instances that use this store. */
  readonly rateLimit: LocalRateLimitBackend;
  private readonly entries = new Map<string, Entry>();
  private readonly maxScopes: number;
  private readonly now: () => number;

  constructor(options: InMemoryScopeStateStoreOptions = {}) {
    this.maxScopes = options.maxScopes ?? 10_000;
    this.now = options.now ?? Date.now;
    this.rateLimit = new LocalRateLimitBackend(this.maxScopes);
  }

  /** Number of scopes held. */
  get size(): number {
    return this.entries.size;
  }

  private peek(scope: string): Entry | undefined {
    return this.entries.get(scope);
  }

  private entry(scope: string, budget?: RetryBudget): Entry {
    let entry = this.entries.get(scope);
    if (entry) {
      // Refresh LRU position.
      this.entries.delete(scope);
      this.entries.set(scope, entry);
      return entry;
    }
    entry = {
      throttleUntil: undefined,
      openUntil: undefined,
      tokens: budget?.maxTokens ?? Number.POSITIVE_INFINITY,
    };
    this.entries.set(scope, entry);
    if (this.entries.size > this.maxScopes) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return entry;
  }

  getThrottleDeadline(scope: string): number | undefined {
    const until = this.peek(scope)?.throttleUntil;
    return until !== undefined && until > this.now() ? until : undefined;
  }

  extendThrottleDeadline(scope: string, deadline: number): void {
    const entry = this.entry(scope);
    if (entry.throttleUntil === undefined || deadline > entry.throttleUntil) entry.throttleUntil = deadline;
  }

  getOpenUntil(scope: string): number | undefined {
    const until = this.peek(scope)?.openUntil;
    return until !== undefined && until > this.now() ? until : undefined;
  }

  setOpenUntil(scope: string, until: number | undefined): void {
    if (until === undefined && !this.entries.has(scope)) return;
    this.entry(scope).openUntil = until;
  }

  takeRetryToken(scope: string, budget: RetryBudget): boolean {
    const entry = this.entry(scope, budget);
    if (entry.tokens === Number.POSITIVE_INFINITY) entry.tokens = budget.maxTokens;
    if (entry.tokens < 1) return false;
    entry.tokens -= 1;
    return true;
  }

  refundRetryToken(scope: string, budget: RetryBudget): void {
    const entry = this.peek(scope);
    // A scope that never spent a token has a full budget: nothing to refund, nothing to allocate.
    if (!entry || entry.tokens === Number.POSITIVE_INFINITY || entry.tokens >= budget.maxTokens) return;
    entry.tokens = Math.min(budget.maxTokens, entry.tokens + budget.refundPerSuccess);
  }
}
