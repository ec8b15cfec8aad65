import * as z from 'zod';
import type { AdaptiveRateOptions } from '../policies/rateLimiter/adaptiveRate.js';
import type { RateLimitRule } from '../policies/rateLimiter/rules.js';
import { durationMs, isFalse, literalOr, rateRuleBurstIssue } from './rules.js';
import { type Resolved, schemaFor } from './schemaFor.js';

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
   * A partner level with no rule starts slow: its first calls go at 8 a second, a rate that grows by 1.4 a
   * second with each success (doubling every half second while calls fill it) until the first 429, or until
   * 1000 a second, where it ends. That 429 sets the learnt rate from the successes within its Retry-After,
   * so an unknown quota costs a 429 or two at first contact instead of every call in flight (a 429 with no
   * success before it, a window someone else filled, starts the slow start again instead). With the Redis
   * store, one slow start per partner is shared by every process. `adaptive: false` turns it off too.
   * Default: `true`.
   */
  readonly slowStart?: boolean;
  /**
   * How long (ms) a partner's learnt rate is kept unused: a new attachment (or the next sweep) with the same
   * in-memory store starts at what was learnt, not at the slow start, until no call of that partner's level
   * asked for a slot for this long; then the level starts over (slow, when `slowStart` is on). At least `1`,
   * at most `2147483647`. Default: `600000` (10 minutes).
   */
  readonly learntTtlMs?: number;
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
  readonly throttleLevel?: 'auto' | RateLimitRule['scope'];
  /**
   * Longest a call waits for a slot, in ms; a call whose next slot is further away (or beyond its total budget)
   * fails at once with kind `throttled`, before anything is sent. Default: `120000`.
   */
  readonly maxWaitMs?: number;
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

/** {@link RateLimitOptions} with every default filled in (internal). */
export type ResolvedRateLimit = Resolved<RateLimitOptions>;

/** {@link PartnerRetryBudgetOptions} with every default filled in (internal). */
export type ResolvedPartnerRetryBudget = Resolved<PartnerRetryBudgetOptions>;

const rateLimitRuleSchema = schemaFor<RateLimitRule>()(
  z
    .strictObject({
      scope: z.enum(['partner', 'customer', 'operation']),
      perMinute: z.number().gt(0).max(1_000_000),
      burst: z.number().min(1).max(1_000_000).optional(),
      match: z
        .strictObject({
          method: z.string().min(1).optional(),
          path: z.string().startsWith('/').optional(),
        })
        .optional(),
      name: z.string().min(1).max(100).optional(),
    })
    .superRefine((rule, ctx) => {
      const issue = rateRuleBurstIssue(rule);
      if (issue !== undefined) ctx.addIssue({ code: 'custom', path: ['burst'], message: issue });
    }),
);

/** The schema of `rateLimit`: `false`, or {@link RateLimitOptions}. */
export const rateLimitSchema = schemaFor<RateLimitOptions | false>()(
  literalOr(
    isFalse,
    z.strictObject({
      rules: z.array(rateLimitRuleSchema).max(1000).optional(),
      defaultRules: z.boolean().optional(),
      adaptive: z
        .union([
          z.literal(false),
          schemaFor<AdaptiveRateOptions>()(
            z.strictObject({
              beta: z.number().gt(0).lt(1).optional(),
              scale: z.number().gt(0).max(1000).optional(),
              plateau: z.number().gt(0).max(1).optional(),
              minRate: z.number().gt(0).max(1_000_000).optional(),
            }),
          ),
        ])
        .optional(),
      fairness: z.boolean().optional(),
      slowStart: z.boolean().optional(),
      learntTtlMs: durationMs(1).optional(),
      activeWindowMs: durationMs(1).optional(),
      throttleLevel: z.enum(['auto', 'partner', 'customer', 'operation']).optional(),
      maxWaitMs: durationMs().optional(),
    }),
  ),
);

/** The schema of `partnerRetryBudget`: `false`, or {@link PartnerRetryBudgetOptions}. */
export const partnerRetryBudgetSchema = schemaFor<PartnerRetryBudgetOptions | false>()(
  literalOr(
    isFalse,
    z.strictObject({
      maxTokens: z.number().min(0).optional(),
      refundPerSuccess: z.number().min(0).optional(),
      percent: z.number().min(0).max(100).optional(),
      minConcurrency: z.number().int().min(0).optional(),
    }),
  ),
);
