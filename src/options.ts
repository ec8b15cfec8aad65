import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { TokenCredentialLike, TokenProvider } from './auth/TokenProvider.js';
import type { ErrorCodeInfo } from './errors/classify.js';
import type { PartnerCenterError } from './errors/PartnerCenterError.js';
import type { CallInfo } from './observability/callInfo.js';
import type { ResilienceHooks } from './observability/events.js';
import type { Logger } from './observability/logger.js';
import type { AdaptiveRateOptions } from './policies/rateLimiter/adaptiveRate.js';
import type { RateLimitRule, ThrottleLevel } from './policies/rateLimiter/rules.js';
import type { ScopeStateStore } from './tenancy/ScopeStateStore.js';

/** Token options of {@link attachResilience}. */
export interface TokenOptions {
  /** OAuth scopes asked of the provider. Default: `['https://api.partnercenter.microsoft.com/.default']`. */
  readonly scopes?: readonly string[];
  /**
   * Refresh in the background once a token is this close to expiry (ms). For a token living less than twice
   * this, at most half its lifetime (said once in the log). Default: `120000`.
   */
  readonly refreshWindowMs?: number;
  /**
   * Callers wait for a refresh once a token is this close to expiry (ms); at most `refreshWindowMs`, and at
   * most a tenth of a short-lived token's lifetime. Default: `30000`.
   */
  readonly blockingWindowMs?: number;
  /** Most scope+realm tokens cached; the least recently used is dropped beyond it. Default: `10000`. */
  readonly maxEntries?: number;
  /**
   * Maps a call's tenant scope to the token it uses: calls mapped to the same key share one token (and one
   * refresh), and the key is the `scope` the provider is asked for. Partner Center customer calls use the
   * partner's token, so by default every call shares the partner scope's token; an ISV serving several
   * partners through one instance maps each scope to its partner. Default: every scope to the partner scope.
   */
  readonly scopeOf?: (scope: string) => string;
}

/** Retry behaviour of a scope. */
export interface RetryOptions {
  /**
   * Total number of attempts of one logical call, the first included (unlike cockatiel's `maxAttempts`,
   * which counts retries). `1` disables retries. Default: `4`.
   */
  readonly maxAttempts?: number;
  /** First exponential backoff delay, in ms, before jitter. Default: `500`. */
  readonly baseDelayMs?: number;
  /** Cap of one exponential backoff delay, in ms. Default: `30000`. */
  readonly maxDelayMs?: number;
  /**
   * Longest server-requested delay (Retry-After) the library will wait, in ms. A longer request fails at
   * once with a `throttled` error that says how long the server asked for. Default: `120000`.
   */
  readonly maxRetryAfterMs?: number;
  /**
   * Jitter of the exponential backoff: `'decorrelated'` (cockatiel's decorrelated jitter), `'full'`, or
   * `'none'`. Default: `'decorrelated'`.
   */
  readonly jitter?: 'decorrelated' | 'full' | 'none';
  /**
   * Retry POST and PATCH even when the outcome is unknown (timeout, reset after send, 502, 504). Only safe
   * when the server de-duplicates by `MS-RequestId`. Default: `false`.
   */
  readonly retryUnsafeMethods?: boolean;
}

/** Retry budget of a scope: retries cost a token, successes refund part of one. */
export interface RetryBudgetOptions {
  /** Tokens a scope starts with and can hold at most. Default: `50`. */
  readonly maxTokens?: number;
  /** Tokens a success gives back (up to `maxTokens`). Default: `0.2`. */
  readonly refundPerSuccess?: number;
}

/** Circuit breaker of a scope (one per scope: one failing tenant never opens another's). */
export interface CircuitBreakerOptions {
  /** Turn the breaker off. Default: `true` (on). */
  readonly enabled?: boolean;
  /**
   * How failures open the breaker: `{ type: 'consecutive', threshold }` (cockatiel ConsecutiveBreaker) or
   * `{ type: 'sampling', threshold, durationMs, minimumRps }` (cockatiel SamplingBreaker).
   * Default: `{ type: 'consecutive', threshold: 5 }`.
   */
  readonly strategy?:
    | { readonly type: 'consecutive'; readonly threshold: number }
    | {
        readonly type: 'sampling';
        /** Failure ratio (0..1) that opens the breaker. */
        readonly threshold: number;
        /** Sampling window, in ms. */
        readonly durationMs: number;
        /** Minimum requests per second before the ratio counts. Default: `5`. */
        readonly minimumRps?: number;
      };
  /** How long an open breaker waits before letting one test call through (half-open), in ms. Default: `30000`. */
  readonly halfOpenAfterMs?: number;
}

/**
 * Timeouts. The axios request's own `timeout`, when set, is the total budget of the logical call. Every
 * duration option of the library is at most `MAX_TIMER_MS` (2147483647, about 24.8 days).
 */
export interface TimeoutOptions {
  /** Longest one attempt may take, in ms (`0`: no limit). Default: `30000`. */
  readonly attemptMs?: number;
  /**
   * Longest a logical call may take, all attempts and waits included, in ms (`0`: no limit). The request's
   * axios `timeout`, when non-zero, takes precedence. Default: `180000`.
   */
  readonly totalMs?: number;
}

/** The policy of one scope. */
export interface ScopePolicyOptions {
  /** Retries; see {@link RetryOptions}. Default: 4 attempts, decorrelated jitter from 500 ms up to 30 s. */
  readonly retry?: RetryOptions;
  /** Retry budget; see {@link RetryBudgetOptions}. Default: 50 tokens, 0.2 refunded per success. */
  readonly retryBudget?: RetryBudgetOptions;
  /** Circuit breaker; see {@link CircuitBreakerOptions}. Default: on, 5 consecutive failures, 30 s open. */
  readonly circuitBreaker?: CircuitBreakerOptions;
  /** Timeouts; see {@link TimeoutOptions}. Default: 30 s per attempt, 180 s per logical call. */
  readonly timeout?: TimeoutOptions;
}

/** Tenant scopes: how calls are grouped for throttling, breaking and budgeting. */
export interface TenantOptions {
  /**
   * Returns the scope key of a request, or `undefined` for the default (`customer:<id>` for
   * `/customers/{id}/...` paths, else the partner scope). Default: the built-in resolver.
   */
  readonly resolve?: (config: InternalAxiosRequestConfig) => string | undefined;
  /** Scope key of calls that name no customer. Default: `'partner'`. */
  readonly partnerScope?: string;
  /** Policy overrides per scope key, merged over the instance-wide options. Default: none. */
  readonly policies?: Readonly<Record<string, ScopePolicyOptions>>;
  /** Most scopes kept in memory; the least recently used is evicted beyond it. Default: `10000`. */
  readonly maxScopes?: number;
  /** A scope unused this long (ms) is evicted (`0`: never). Default: `600000` (10 minutes). */
  readonly idleEvictionMs?: number;
}

/**
 * The adaptive rate limiter (docs/throttling.md): calls are paced to Partner Center's documented limits and to
 * the rate it learns from 429s, per partner, customer tenant and (optionally) operation.
 */
export interface RateLimitOptions {
  /**
   * Your limits, e.g. `{ scope: 'partner', perMinute: 1200 }` or `{ scope: 'operation', perMinute: 60, match:
   * { method: 'POST', path: '/v1/customers/{id}/orders' } }`; the last matching rule of a level replaces that
   * level's default. Default: none.
   */
  readonly rules?: readonly RateLimitRule[];
  /**
   * Partner Center's documented limits: 500 requests a minute per customer tenant, each for the Customer,
   * Subscription and Order resources (`/v1/customers/{id}`, `.../subscriptions`, `.../orders`). Default: `true`.
   */
  readonly defaultRules?: boolean;
  /**
   * Learning from 429s (AWS SDK adaptive mode): off until a 429, then `beta` x the measured rate, growing back
   * along a cubic that flattens at `plateau` x the rate at the 429 while calls succeed; `false` for static
   * rules only. Default: `{ beta: 0.8, scale: 0.003, plateau: 0.97, minRate: 0.5 }`.
   */
  readonly adaptive?: AdaptiveRateOptions | false;
  /**
   * Each customer waiting for a limited partner rate gets at least its share (1/N of it, N the customers
   * waiting), plus what the others leave unused. Default: `true`.
   */
  readonly fairness?: boolean;
  /**
   * No effect: fair shares go to the customers waiting, not to those called lately. Still accepted, so that
   * existing options stay valid. Default: `5000`.
   * @deprecated Has no effect; remove it.
   */
  readonly activeWindowMs?: number;
  /**
   * The level a 429 lowers the learnt rate of. A 429 does not say which quota it hit: `'auto'` charges the
   * call's own tenant (a customer, or the partner's own calls), and the whole partner as well once three of its
   * tenants were throttled within 1 s (a quota they share). `'partner'`, `'customer'` or `'operation'` always
   * charge that level (or the nearest one above when the call has none). Default: `'auto'`.
   */
  readonly throttleLevel?: ThrottleLevel;
  /**
   * Longest a call waits for a slot, in ms; a call whose next slot is further away (or beyond its total budget)
   * fails at once with kind `throttled`, before anything is sent. Default: `120000`.
   */
  readonly maxWaitMs?: number;
}

/** {@link RateLimitOptions} with every default filled in. */
export interface ResolvedRateLimit {
  readonly rules: readonly RateLimitRule[];
  readonly defaultRules: boolean;
  readonly adaptive: Required<AdaptiveRateOptions> | false;
  readonly fairness: boolean;
  readonly activeWindowMs: number;
  readonly throttleLevel: ThrottleLevel;
  readonly maxWaitMs: number;
}

/**
 * The retry budget shared by every scope of the partner (in addition to each scope's `retryBudget`): a token
 * bucket kept in the store (shared by the processes that share it, AWS SDK style), and a cap on retries in
 * flight in this process (Envoy style).
 */
export interface PartnerRetryBudgetOptions {
  /** Retry tokens for the whole partner; each retry takes one. Default: `100`. */
  readonly maxTokens?: number;
  /** Tokens given back by each successful call. Default: `0.2`. */
  readonly refundPerSuccess?: number;
  /** Retries in flight may be at most this percentage of the calls in flight. Default: `20`. */
  readonly percent?: number;
  /** Retries in flight always allowed, whatever the number of calls. Default: `3`. */
  readonly minConcurrency?: number;
}

/** Options of {@link attachResilience}. */
export interface ResilienceOptions extends ScopePolicyOptions {
  /**
   * Where each attempt's bearer token comes from: a {@link TokenProvider}
   * (`getToken({ scope, scopes, realm, challenge, claims, forceRefresh, signal })`) or an `@azure/identity`
   * `TokenCredential`. Without one, the caller's own Authorization header is sent untouched. Default: none.
   */
  readonly tokenProvider?: TokenProvider | TokenCredentialLike;
  /** Token scopes and refresh windows; see {@link TokenOptions}. Default: the global cloud's scope. */
  readonly token?: TokenOptions;
  /** Tenant scopes; see {@link TenantOptions}. Default: `partner` and `customer:<id>` scopes, 10000 at most. */
  readonly tenants?: TenantOptions;
  /** Hooks called on what the library does; see {@link ResilienceHooks}. Default: none. */
  readonly hooks?: ResilienceHooks;
  /**
   * A pino/console-style logger. Lines below its `level` ({@link Logger.level}; `'info'` when it has none, as
   * `console`) are not written: `{ ...console, level: 'debug' }` asks for debug lines. Default: silent.
   */
  readonly logger?: Logger;
  /** Scope state store (throttle deadlines, breaker hints, retry budgets). Default: in-memory. */
  readonly store?: ScopeStateStore;
  /**
   * Longest wait for one read of the scope store, in ms; after it the call goes on without the shared state
   * and `onStoreError` reports it. Default: `1000`.
   */
  readonly storeTimeoutMs?: number;
  /** Extra or overriding Partner Center error codes. Default: none beyond the built-in table. */
  readonly errorCodes?: Readonly<Record<string, ErrorCodeInfo>>;
  /**
   * Query parameters whose values may appear in errors and events, beyond the built-in allow-list.
   * Default: the built-in allow-list only.
   */
  readonly allowedQueryParameters?: readonly string[];
  /**
   * Secret values the library must never report (client secrets, API keys, tokens you set yourself): removed
   * wherever they appear as a whole word in errors, events, logs and spans, like the tokens it obtains from
   * the `tokenProvider` (those are removed without being listed). Values shorter than 8 characters are
   * removed only where they are a whole text. Default: none.
   */
  readonly secrets?: readonly string[];
  /**
   * Decides every non-idempotent call whose outcome is unknown (see {@link Reconcile}); a request's own
   * `partnerCenter.reconcile` wins. Default: none (the call fails with `outcomeUnknown: true`).
   */
  readonly reconcile?: Reconcile;
  /**
   * The adaptive rate limiter (see {@link RateLimitOptions}); `false` turns it off. Default: on, with Partner
   * Center's documented limits and learning from 429s.
   */
  readonly rateLimit?: RateLimitOptions | false;
  /**
   * The partner-wide retry budget (see {@link PartnerRetryBudgetOptions}); `false` turns it off. Default: 100
   * tokens, 0.2 back per success, retries in flight at most 20% of calls in flight (at least 3).
   */
  readonly partnerRetryBudget?: PartnerRetryBudgetOptions | false;
}

/**
 * What {@link Reconcile} is told about a call whose outcome is unknown: its {@link CallInfo} (a resend carries
 * the same `requestId`), with the URL as sent, and what the call sent.
 */
export interface ReconcileRequest extends CallInfo {
  /** Epoch ms at which the call started: whatever it created was created after this. */
  readonly startedAt: number;
  /** The request URL as sent (the instance's `baseURL` joined, query included; not redacted: your own data). */
  readonly url: string;
  /** The request body as it was sent (after axios's `transformRequest`: usually a JSON string). */
  readonly data: unknown;
  /** The unknown-outcome error the call would otherwise fail with. */
  readonly error: PartnerCenterError;
  /**
   * Aborts when the wait ends: the caller's abort, the call's total budget, or the reconcile limit
   * (`timeout.attemptMs`, or what is left of the budget when shorter). Pass it to your own requests.
   */
  readonly signal: AbortSignal;
}

/**
 * Decides a non-idempotent call whose outcome is unknown (a POST that timed out, was reset, or answered 500,
 * 502 or 504 after it may have been processed). Return the resource the call created, as an axios response
 * (the call resolves with it); `null` when the request surely was not processed (the engine resends it with
 * the same `MS-RequestId`, within `retry.maxAttempts` and the budget); or throw when you cannot tell (the call
 * fails with the unknown-outcome error). docs/exactly-once-orders.md has recipes for orders and carts.
 */
export type Reconcile = (request: ReconcileRequest) => Promise<AxiosResponse | null> | AxiosResponse | null;

/**
 * Per-request options, set as `partnerCenter` on an axios request config. Checked on every request like the
 * instance's options: an unknown key or a bad value rejects the call with a `ResilienceOptionsError` naming it
 * (`partnerCenter.retry: ...`), and nothing is sent.
 */
export interface PartnerCenterRequestOptions {
  /** Customer tenant id: the call runs in the `customer:<id>` scope. */
  readonly tenant?: string;
  /** Explicit scope key; wins over `tenant` and the resolver. */
  readonly scope?: string;
  /** `false`: one attempt only (still behind the breaker and the throttle gate). Default: `true`. */
  readonly retry?: boolean;
  /**
   * `true`: this request is idempotent (e.g. checkout cart, create customer), so it is retried even when
   * its outcome is unknown. Default: decided by the method.
   */
  readonly idempotent?: boolean;
  /**
   * Decides this request when its outcome is unknown (see {@link Reconcile}); `false` turns the instance's
   * `reconcile` off for it. Default: the instance's `reconcile`.
   */
  readonly reconcile?: Reconcile | false;
}

/** A scope policy with every default filled in. */
export interface ResolvedScopePolicy {
  readonly retry: Required<RetryOptions>;
  readonly retryBudget: Required<RetryBudgetOptions>;
  readonly circuitBreaker: {
    readonly enabled: boolean;
    readonly strategy:
      | { readonly type: 'consecutive'; readonly threshold: number }
      | {
          readonly type: 'sampling';
          readonly threshold: number;
          readonly durationMs: number;
          readonly minimumRps: number;
        };
    readonly halfOpenAfterMs: number;
  };
  readonly timeout: Required<TimeoutOptions>;
}

/** {@link TokenOptions} with every default filled in. */
export interface ResolvedTokenOptions {
  readonly scopes: readonly string[];
  readonly refreshWindowMs: number;
  readonly blockingWindowMs: number;
  readonly maxEntries: number;
  readonly scopeOf: ((scope: string) => string) | undefined;
}

/**
 * The options after validation, with defaults filled in: the one shape every part of the engine reads.
 * Plain data is deep-frozen copies; functions and objects the caller gave (provider, store, logger,
 * resolvers) are kept as given, never mutated.
 */
export interface NormalizedOptions {
  readonly policy: ResolvedScopePolicy;
  readonly scopePolicies: ReadonlyMap<string, ResolvedScopePolicy>;
  readonly partnerScope: string;
  readonly maxScopes: number;
  readonly idleEvictionMs: number;
  readonly resolve: ((config: InternalAxiosRequestConfig) => string | undefined) | undefined;
  readonly tokenProvider: TokenProvider | TokenCredentialLike | undefined;
  readonly token: ResolvedTokenOptions;
  /** Only the hooks that were given (a frozen copy). */
  readonly hooks: ResilienceHooks;
  readonly logger: Logger | undefined;
  readonly store: ScopeStateStore | undefined;
  readonly errorCodes: Readonly<Record<string, ErrorCodeInfo>>;
  /** Extra allowed query parameters (empty: the built-in allow-list only). */
  readonly allowedQueryParameters: readonly string[];
  /** Secret values to remove from every report (empty: only the tokens the library obtains). */
  readonly secrets: readonly string[];
  readonly storeTimeoutMs: number;
  /** The instance-wide {@link Reconcile}, when given. */
  readonly reconcile: Reconcile | undefined;
  /** The rate limiter's settings, or `false` when it is off. */
  readonly rateLimit: ResolvedRateLimit | false;
  /** The partner-wide retry budget, or `false` when it is off. */
  readonly partnerRetryBudget: Required<PartnerRetryBudgetOptions> | false;
}
