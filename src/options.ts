import type { InternalAxiosRequestConfig } from 'axios';
import { z } from 'zod';
import type { TokenCredentialLike, TokenProvider } from './auth/TokenProvider.js';
import type { ErrorCodeInfo } from './errors/errorCodes.js';
import type { ResilienceHooks } from './observability/events.js';
import type { Logger } from './observability/logger.js';
import type { ScopeStateStore } from './tenancy/ScopeStateStore.js';

/** Token options of {@link attachResilience}. */
export interface TokenOptions {
  /** OAuth scopes asked of the provider. Default: `['https://api.partnercenter.microsoft.com/.default']`. */
  readonly scopes?: readonly string[];
  /** Refresh in the background once a token is this close to expiry (ms). Default: `120000`. */
  readonly refreshWindowMs?: number;
  /** Callers wait for a refresh once a token is this close to expiry (ms). Default: `30000`. */
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

/** Timeouts. The axios request's own `timeout`, when set, is the total budget of the logical call. */
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
  readonly retry?: RetryOptions;
  readonly retryBudget?: RetryBudgetOptions;
  readonly circuitBreaker?: CircuitBreakerOptions;
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
  /** A scope unused this long (ms) is evicted. Default: `600000` (10 minutes). */
  readonly idleEvictionMs?: number;
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
  readonly tenants?: TenantOptions;
  /** Hooks called on what the library does; see {@link ResilienceHooks}. Default: none. */
  readonly hooks?: ResilienceHooks;
  /** A pino/console-style logger. Default: silent. */
  readonly logger?: Logger;
  /** Scope state store (throttle deadlines, breaker hints, retry budgets). Default: in-memory. */
  readonly store?: ScopeStateStore;
  /** Extra or overriding Partner Center error codes. Default: none beyond the built-in table. */
  readonly errorCodes?: Readonly<Record<string, ErrorCodeInfo>>;
  /** Query parameters whose values may appear in errors and events. Default: the built-in allow-list. */
  readonly allowedQueryParameters?: readonly string[];
}

/** Per-request options, set as `partnerCenter` on an axios request config. */
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

/** The defaults, documented on each option. */
export const DEFAULT_POLICY: ResolvedScopePolicy = Object.freeze({
  retry: Object.freeze({
    maxAttempts: 4,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    maxRetryAfterMs: 120_000,
    jitter: 'decorrelated' as const,
    retryUnsafeMethods: false,
  }),
  retryBudget: Object.freeze({ maxTokens: 50, refundPerSuccess: 0.2 }),
  circuitBreaker: Object.freeze({
    enabled: true,
    strategy: Object.freeze({ type: 'consecutive' as const, threshold: 5 }),
    halfOpenAfterMs: 30_000,
  }),
  timeout: Object.freeze({ attemptMs: 30_000, totalMs: 180_000 }),
});

const ms = (name: string) =>
  z
    .number({ error: `${name} must be a number of milliseconds` })
    .finite()
    .min(0);

const retrySchema = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(100).optional(),
    baseDelayMs: ms('retry.baseDelayMs').optional(),
    maxDelayMs: ms('retry.maxDelayMs').optional(),
    maxRetryAfterMs: ms('retry.maxRetryAfterMs').optional(),
    jitter: z.enum(['decorrelated', 'full', 'none']).optional(),
    retryUnsafeMethods: z.boolean().optional(),
  })
  .optional();

const policySchema = z.strictObject({
  retry: retrySchema,
  retryBudget: z
    .strictObject({
      maxTokens: z.number().finite().min(0).optional(),
      refundPerSuccess: z.number().finite().min(0).optional(),
    })
    .optional(),
  circuitBreaker: z
    .strictObject({
      enabled: z.boolean().optional(),
      strategy: z
        .discriminatedUnion('type', [
          z.strictObject({ type: z.literal('consecutive'), threshold: z.number().int().min(1) }),
          z.strictObject({
            type: z.literal('sampling'),
            threshold: z.number().gt(0).max(1),
            durationMs: ms('circuitBreaker.strategy.durationMs').min(1),
            minimumRps: z.number().min(0).optional(),
          }),
        ])
        .optional(),
      halfOpenAfterMs: ms('circuitBreaker.halfOpenAfterMs').optional(),
    })
    .optional(),
  timeout: z
    .strictObject({
      attemptMs: ms('timeout.attemptMs').optional(),
      totalMs: ms('timeout.totalMs').optional(),
    })
    .optional(),
});

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function');

const optionsSchema = policySchema.extend({
  tokenProvider: z
    .custom<object>(
      (v) =>
        v !== null && typeof v === 'object' && typeof (v as { getToken?: unknown }).getToken === 'function',
      'must be an object with a getToken function (a TokenProvider or an @azure/identity TokenCredential)',
    )
    .optional(),
  token: z
    .strictObject({
      scopes: z.array(z.string().min(1)).min(1).optional(),
      refreshWindowMs: ms('token.refreshWindowMs').optional(),
      blockingWindowMs: ms('token.blockingWindowMs').optional(),
      maxEntries: z.number().int().min(1).optional(),
      scopeOf: fn.optional(),
    })
    .optional(),
  tenants: z
    .strictObject({
      resolve: fn.optional(),
      partnerScope: z.string().min(1).optional(),
      policies: z.record(z.string(), policySchema).optional(),
      maxScopes: z.number().int().min(1).optional(),
      idleEvictionMs: ms('tenants.idleEvictionMs').optional(),
    })
    .optional(),
  hooks: z.record(z.string(), fn).optional(),
  logger: z.unknown().optional(),
  store: z.unknown().optional(),
  errorCodes: z
    .record(
      z.string(),
      z.object({
        meaning: z.string(),
        class: z.enum(['transient', 'reconcile', 'refetch', 'mfa-required', 'permanent']),
      }),
    )
    .optional(),
  allowedQueryParameters: z.array(z.string()).optional(),
});

/** Thrown at attach time for invalid options. */
export class ResilienceOptionsError extends TypeError {
  override readonly name = 'ResilienceOptionsError';
  /** One line per problem, each naming the option path. */
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(`Invalid partner-center-resilience options:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.issues = issues;
  }
}

function pathOf(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => String(p)).join('.') || '(options)';
}

/** Merges a policy override over a resolved policy. */
export function mergePolicy(
  base: ResolvedScopePolicy,
  override: ScopePolicyOptions | undefined,
): ResolvedScopePolicy {
  if (!override) return base;
  const strategy = override.circuitBreaker?.strategy;
  return {
    retry: { ...base.retry, ...stripUndefined(override.retry) },
    retryBudget: { ...base.retryBudget, ...stripUndefined(override.retryBudget) },
    circuitBreaker: {
      enabled: override.circuitBreaker?.enabled ?? base.circuitBreaker.enabled,
      halfOpenAfterMs: override.circuitBreaker?.halfOpenAfterMs ?? base.circuitBreaker.halfOpenAfterMs,
      strategy:
        strategy === undefined
          ? base.circuitBreaker.strategy
          : strategy.type === 'sampling'
            ? { ...strategy, minimumRps: strategy.minimumRps ?? 5 }
            : strategy,
    },
    timeout: { ...base.timeout, ...stripUndefined(override.timeout) },
  };
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Which timing options the user set, instance-wide or for the scope. */
interface Explicit {
  readonly attemptMs: boolean;
  readonly totalMs: boolean;
  readonly maxRetryAfterMs: boolean;
}

function explicitIn(...layers: Array<ScopePolicyOptions | undefined>): Explicit {
  return {
    attemptMs: layers.some((l) => l?.timeout?.attemptMs !== undefined),
    totalMs: layers.some((l) => l?.timeout?.totalMs !== undefined),
    maxRetryAfterMs: layers.some((l) => l?.retry?.maxRetryAfterMs !== undefined),
  };
}

/**
 * Cross-option rules, as Microsoft.Extensions.Http.Resilience checks them: an error when the user set both
 * sides of a rule; a default that would break a rule against a value the user set is lowered to fit.
 */
function crossCheck(
  policy: ResolvedScopePolicy,
  explicit: Explicit,
  where: string,
): { policy: ResolvedScopePolicy; issues: string[] } {
  const issues: string[] = [];
  let { attemptMs, totalMs } = policy.timeout;
  let { maxRetryAfterMs } = policy.retry;
  if (attemptMs > 0 && totalMs > 0 && attemptMs > totalMs) {
    if (explicit.attemptMs && explicit.totalMs) {
      issues.push(`${where}timeout.attemptMs (${attemptMs}) must not exceed timeout.totalMs (${totalMs})`);
    } else if (explicit.attemptMs) totalMs = attemptMs;
    else attemptMs = totalMs;
  }
  if (totalMs > 0 && maxRetryAfterMs > totalMs) {
    if (explicit.maxRetryAfterMs && explicit.totalMs) {
      issues.push(
        `${where}retry.maxRetryAfterMs (${maxRetryAfterMs}) must not exceed timeout.totalMs (${totalMs})`,
      );
    } else if (explicit.maxRetryAfterMs) totalMs = Math.max(totalMs, maxRetryAfterMs);
    else maxRetryAfterMs = totalMs;
  }
  if (policy.retry.baseDelayMs > policy.retry.maxDelayMs) {
    issues.push(
      `${where}retry.baseDelayMs (${policy.retry.baseDelayMs}) must not exceed retry.maxDelayMs (${policy.retry.maxDelayMs})`,
    );
  }
  const s = policy.circuitBreaker.strategy;
  if (s.type === 'sampling' && attemptMs > 0 && s.durationMs < 2 * attemptMs) {
    issues.push(
      `${where}circuitBreaker.strategy.durationMs (${s.durationMs}) must be at least twice timeout.attemptMs (${attemptMs})`,
    );
  }
  return {
    policy: { ...policy, timeout: { attemptMs, totalMs }, retry: { ...policy.retry, maxRetryAfterMs } },
    issues,
  };
}

/** The options after validation, with defaults filled in. */
export interface NormalizedOptions {
  readonly policy: ResolvedScopePolicy;
  readonly scopePolicies: ReadonlyMap<string, ResolvedScopePolicy>;
  readonly partnerScope: string;
  readonly maxScopes: number;
  readonly idleEvictionMs: number;
  readonly resolve: ((config: InternalAxiosRequestConfig) => string | undefined) | undefined;
}

/**
 * Validates options with zod and fills in defaults. Throws {@link ResilienceOptionsError} listing every
 * problem with its option path. Never mutates `options`.
 */
export function normalizeOptions(options: ResilienceOptions = {}): NormalizedOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ResilienceOptionsError(parsed.error.issues.map((i) => `${pathOf(i.path)}: ${i.message}`));
  }
  const merged = mergePolicy(DEFAULT_POLICY, options);
  const checked = crossCheck(merged, explicitIn(options), '');
  const policy = checked.policy;
  const issues = [...checked.issues];
  const scopePolicies = new Map<string, ResolvedScopePolicy>();
  for (const [scope, override] of Object.entries(options.tenants?.policies ?? {})) {
    const scoped = crossCheck(
      mergePolicy(merged, override),
      explicitIn(options, override),
      `tenants.policies.${scope}.`,
    );
    issues.push(...scoped.issues);
    scopePolicies.set(scope, scoped.policy);
  }
  if (issues.length > 0) throw new ResilienceOptionsError(issues);
  return {
    policy,
    scopePolicies,
    partnerScope: options.tenants?.partnerScope ?? 'partner',
    maxScopes: options.tenants?.maxScopes ?? 10_000,
    idleEvictionMs: options.tenants?.idleEvictionMs ?? 600_000,
    resolve: options.tenants?.resolve,
  };
}
