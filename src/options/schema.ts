import * as z from 'zod';
import type { ErrorCodeClass } from '../errors/classify.js';
import { HOOK_NAMES } from '../observability/events.js';
import { count, durationMs, fn, rateRuleBurstIssue, tokenWindowShape } from './rules.js';

/**
 * The one schema of `ResilienceOptions`, at every depth: an unknown key or a bad value anywhere is an
 * issue naming its path. Objects the caller passes in (store, logger, provider) are checked structurally;
 * the parse result is not used, so they are never copied.
 */

const policySchema = z.strictObject({
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).max(100).optional(),
      baseDelayMs: durationMs().optional(),
      maxDelayMs: durationMs().optional(),
      maxRetryAfterMs: durationMs().optional(),
      jitter: z.enum(['decorrelated', 'full', 'none']).optional(),
      retryUnsafeMethods: z.boolean().optional(),
    })
    .optional(),
  retryBudget: z
    .strictObject({
      maxTokens: z.number().min(0).optional(),
      refundPerSuccess: z.number().min(0).optional(),
    })
    .optional(),
  circuitBreaker: z
    .strictObject({
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
    })
    .optional(),
  timeout: z
    .strictObject({
      attemptMs: durationMs().optional(),
      totalMs: durationMs().optional(),
    })
    .optional(),
});

/** Hooks: only the known names (one list, in `observability/events.ts`), each a function. */
const hooksSchema = z.strictObject(
  Object.fromEntries(HOOK_NAMES.map((name) => [name, fn.optional()])) as Record<
    (typeof HOOK_NAMES)[number],
    z.ZodOptional<typeof fn>
  >,
);

const storeSchema = z.looseObject(
  {
    getThrottleDeadline: fn,
    extendThrottleDeadline: fn,
    getOpenUntil: fn,
    setOpenUntil: fn,
    takeRetryToken: fn,
    refundRetryToken: fn,
    onFailure: fn.optional(),
  },
  { error: 'must be a scope state store (an object with the ScopeStateStore methods)' },
);

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const loggerSchema = z
  .looseObject(Object.fromEntries(LOG_LEVELS.map((level) => [level, fn.optional()])), {
    error: 'must be a logger object (with debug, info, warn or error methods)',
  })
  .refine((logger) => LOG_LEVELS.some((level) => logger[level] !== undefined), {
    error: 'must have at least one of the methods debug, info, warn, error',
  });

const rateLimitRuleSchema = z
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
  });

/**
 * `false`, or a value of `schema`; its issues keep their paths (a plain union would report only "Invalid input"
 * at the option itself).
 */
function falseOr<T extends z.ZodType>(schema: T) {
  return z.unknown().superRefine((value, ctx) => {
    if (value === false) return;
    const parsed = schema.safeParse(value);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      // A misspelt key is named at its own path, in the words every other option uses.
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          ctx.addIssue({ code: 'custom', message: 'unknown option', path: [...issue.path, key] });
      } else {
        ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path] });
      }
    }
  });
}

const rateLimitSchema = falseOr(
  z.strictObject({
    rules: z.array(rateLimitRuleSchema).max(1000).optional(),
    defaultRules: z.boolean().optional(),
    adaptive: z
      .union([
        z.literal(false),
        z.strictObject({
          beta: z.number().gt(0).lt(1).optional(),
          scale: z.number().gt(0).max(1000).optional(),
          plateau: z.number().gt(0).max(1).optional(),
          minRate: z.number().gt(0).max(1_000_000).optional(),
        }),
      ])
      .optional(),
    fairness: z.boolean().optional(),
    activeWindowMs: durationMs(1).optional(),
    throttleLevel: z.enum(['auto', 'partner', 'customer', 'operation']).optional(),
    maxWaitMs: durationMs().optional(),
  }),
);

const partnerRetryBudgetSchema = falseOr(
  z.strictObject({
    maxTokens: z.number().min(0).optional(),
    refundPerSuccess: z.number().min(0).optional(),
    percent: z.number().min(0).max(100).optional(),
    minConcurrency: z.number().int().min(0).optional(),
  }),
);

export const optionsSchema = policySchema.extend({
  tokenProvider: z
    .custom<object>(
      (v) =>
        v !== null && typeof v === 'object' && typeof (v as { getToken?: unknown }).getToken === 'function',
      'must be an object with a getToken function (a TokenProvider or an @azure/identity TokenCredential)',
    )
    .optional(),
  token: z
    .strictObject({
      ...tokenWindowShape,
      scopes: z.array(z.string().min(1)).min(1).optional(),
      scopeOf: fn.optional(),
    })
    .optional(),
  tenants: z
    .strictObject({
      resolve: fn.optional(),
      partnerScope: z.string().min(1).optional(),
      policies: z.record(z.string(), policySchema).optional(),
      maxScopes: count.optional(),
      idleEvictionMs: durationMs().optional(),
    })
    .optional(),
  hooks: hooksSchema.optional(),
  logger: loggerSchema.optional(),
  store: storeSchema.optional(),
  storeTimeoutMs: durationMs(1).optional(),
  errorCodes: z
    .record(
      z.string(),
      z.object({
        meaning: z.string(),
        class: z.enum([
          'transient',
          'reconcile',
          'refetch',
          'mfa-required',
          'permanent',
        ] as const satisfies readonly ErrorCodeClass[]),
      }),
    )
    .optional(),
  allowedQueryParameters: z.array(z.string()).optional(),
  secrets: z.array(z.string()).optional(),
  reconcile: fn.optional(),
  rateLimit: rateLimitSchema.optional(),
  partnerRetryBudget: partnerRetryBudgetSchema.optional(),
});
