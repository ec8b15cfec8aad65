import { PARTNER_CENTER_CLOUDS } from '../auth/clouds.js';
import type { ResolvedPartnerRetryBudget, ResolvedRateLimit } from './RateLimitOptions.js';
import type { ResolvedScopePolicy } from './ScopePolicyOptions.js';

/** Every default of the library's options, in one place (each is also documented on its option). */
export interface OptionDefaults {
  /** The scope policy (retry, retry budget, circuit breaker, timeouts). */
  readonly policy: ResolvedScopePolicy;
  /** `minimumRps` of a sampling breaker strategy that names none. */
  readonly samplingMinimumRps: number;
  readonly tenants: {
    readonly partnerScope: string;
    readonly maxScopes: number;
    readonly idleEvictionMs: number;
  };
  readonly token: {
    readonly scopes: readonly string[];
    readonly refreshWindowMs: number;
    readonly blockingWindowMs: number;
    /** After a failed background refresh, the next one starts no sooner than this (token cache only). */
    readonly refreshRetryIntervalMs: number;
    readonly maxEntries: number;
  };
  readonly storeTimeoutMs: number;
  /** The rate limiter (`rateLimit`). */
  readonly rateLimit: ResolvedRateLimit;
  /** The partner-wide retry budget (`partnerRetryBudget`). */
  readonly partnerRetryBudget: ResolvedPartnerRetryBudget;
}

/**
 * Freezes `value` and every plain object and array inside it; anything else (functions, class instances,
 * maps) is left alone. Returns `value`. Use it on the library's own copies only.
 */
export function deepFreeze<T>(value: T): T {
  if (!isPlainData(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}

/** A copy of `value` without its `undefined` fields (so that they do not overwrite defaults). */
export function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

function isPlainData(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The defaults table, deep-frozen. */
export const OPTION_DEFAULTS: OptionDefaults = deepFreeze<OptionDefaults>({
  policy: {
    retry: {
      maxAttempts: 4,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      maxRetryAfterMs: 120_000,
      jitter: 'decorrelated',
      retryUnsafeMethods: false,
    },
    retryBudget: { maxTokens: 50, refundPerSuccess: 0.2 },
    circuitBreaker: {
      enabled: true,
      strategy: { type: 'consecutive', threshold: 5 },
      halfOpenAfterMs: 30_000,
    },
    timeout: { attemptMs: 30_000, totalMs: 180_000 },
  },
  samplingMinimumRps: 5,
  tenants: { partnerScope: 'partner', maxScopes: 10_000, idleEvictionMs: 600_000 },
  token: {
    scopes: [...PARTNER_CENTER_CLOUDS.global.tokenScopes],
    refreshWindowMs: 120_000,
    blockingWindowMs: 30_000,
    refreshRetryIntervalMs: 5_000,
    maxEntries: 10_000,
  },
  storeTimeoutMs: 1_000,
  rateLimit: {
    rules: [],
    defaultRules: true,
    adaptive: { beta: 0.8, scale: 0.003, plateau: 0.97, minRate: 0.5 },
    fairness: true,
    slowStart: true,
    learntTtlMs: 600_000,
    activeWindowMs: 5_000,
    throttleLevel: 'auto',
    maxWaitMs: 120_000,
  },
  partnerRetryBudget: { maxTokens: 100, refundPerSuccess: 0.2, percent: 20, minConcurrency: 3 },
});
