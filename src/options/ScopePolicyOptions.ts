import * as z from 'zod';
import { attempts, count, durationMs } from './rules.js';
import { type Resolved, schemaFor } from './schemaFor.js';

/** Retry behaviour of a scope. */
export interface RetryOptions {
  /**
   * Total number of attempts of one logical call, the first included (unlike cockatiel's `maxAttempts`,
   * which counts retries); a whole number from 1 to 100. `1` disables retries. Default: `4`.
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
 * duration option of the library is at most 2147483647 ms (2^31 - 1, about 24.8 days: the longest timer).
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

/** A scope policy with every default filled in (internal). */
export type ResolvedScopePolicy = Resolved<ScopePolicyOptions>;

/** The schema of {@link ScopePolicyOptions}: the instance's own policy and each of `tenants.policies`. */
export const policySchema = schemaFor<ScopePolicyOptions>()(
  z.strictObject({
    retry: schemaFor<RetryOptions>()(
      z.strictObject({
        maxAttempts: attempts.optional(),
        baseDelayMs: durationMs().optional(),
        maxDelayMs: durationMs().optional(),
        maxRetryAfterMs: durationMs().optional(),
        jitter: z.enum(['decorrelated', 'full', 'none']).optional(),
        retryUnsafeMethods: z.boolean().optional(),
      }),
    ).optional(),
    retryBudget: schemaFor<RetryBudgetOptions>()(
      z.strictObject({
        maxTokens: z.number().min(0).optional(),
        refundPerSuccess: z.number().min(0).optional(),
      }),
    ).optional(),
    circuitBreaker: schemaFor<CircuitBreakerOptions>()(
      z.strictObject({
        enabled: z.boolean().optional(),
        strategy: z
          .discriminatedUnion('type', [
            z.strictObject({ type: z.literal('consecutive'), threshold: count }),
            z.strictObject({
              type: z.literal('sampling'),
              threshold: z.number().gt(0).max(1),
              durationMs: durationMs(1),
              minimumRps: z.number().min(0).optional(),
            }),
          ])
          .optional(),
        halfOpenAfterMs: durationMs().optional(),
      }),
    ).optional(),
    timeout: schemaFor<TimeoutOptions>()(
      z.strictObject({
        attemptMs: durationMs().optional(),
        totalMs: durationMs().optional(),
      }),
    ).optional(),
  }),
);
