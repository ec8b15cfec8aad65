import type { InternalAxiosRequestConfig } from 'axios';
import * as z from 'zod';
import type { TokenCredentialLike, TokenProvider } from '../auth/TokenProvider.js';
import type { ErrorCodeClass, ErrorCodeInfo } from '../errors/classify.js';
import { HOOK_NAMES, type ResilienceHooks } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import {
  type PartnerRetryBudgetOptions,
  partnerRetryBudgetSchema,
  type RateLimitOptions,
  rateLimitSchema,
} from './RateLimitOptions.js';
import type { Reconcile } from './Reconcile.js';
import { count, durationMs, fn } from './rules.js';
import { policySchema, type ScopePolicyOptions } from './ScopePolicyOptions.js';
import { callerObject, schemaFor } from './schemaFor.js';
import { type TokenOptions, tokenSchema } from './TokenOptions.js';

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

/*
 * The schema of `ResilienceOptions`, at every depth: an unknown key or a bad value anywhere is an issue naming
 * its path. Objects the caller passes in (store, logger, provider) are checked structurally; the parse result
 * is not used, so they are never copied.
 */

/** Hooks: only the known names (one list, in `observability/events.ts`), each a function. */
const hooksSchema = schemaFor<ResilienceHooks>()(
  z.strictObject(
    Object.fromEntries(HOOK_NAMES.map((name) => [name, fn.optional()])) as Record<
      (typeof HOOK_NAMES)[number],
      z.ZodOptional<typeof fn>
    >,
  ),
);

const storeSchema = callerObject<ScopeStateStore>(
  z.looseObject(
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
  ),
);

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const loggerSchema = callerObject<Logger>(
  z
    .looseObject(Object.fromEntries(LOG_LEVELS.map((level) => [level, fn.optional()])), {
      error: 'must be a logger object (with debug, info, warn or error methods)',
    })
    .refine((logger) => LOG_LEVELS.some((level) => logger[level] !== undefined), {
      error: 'must have at least one of the methods debug, info, warn, error',
    }),
);

const tokenProviderSchema = z.custom<TokenProvider | TokenCredentialLike>(
  (v) => v !== null && typeof v === 'object' && typeof (v as { getToken?: unknown }).getToken === 'function',
  'must be an object with a getToken function (a TokenProvider or an @azure/identity TokenCredential)',
);

const tenantsSchema = schemaFor<TenantOptions>()(
  z.strictObject({
    resolve: fn.optional(),
    partnerScope: z.string().min(1).optional(),
    policies: z.record(z.string(), policySchema).optional(),
    maxScopes: count.optional(),
    idleEvictionMs: durationMs().optional(),
  }),
);

const errorCodesSchema = z.record(
  z.string(),
  schemaFor<ErrorCodeInfo>()(
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
  ),
);

/** The one schema of {@link ResilienceOptions}; it accepts exactly that type (see `schemaFor`). */
export const optionsSchema = schemaFor<ResilienceOptions>()(
  policySchema.extend({
    tokenProvider: tokenProviderSchema.optional(),
    token: tokenSchema.optional(),
    tenants: tenantsSchema.optional(),
    hooks: hooksSchema.optional(),
    logger: loggerSchema.optional(),
    store: storeSchema.optional(),
    storeTimeoutMs: durationMs(1).optional(),
    errorCodes: errorCodesSchema.optional(),
    allowedQueryParameters: z.array(z.string()).optional(),
    secrets: z.array(z.string()).optional(),
    reconcile: fn.optional(),
    rateLimit: rateLimitSchema.optional(),
    partnerRetryBudget: partnerRetryBudgetSchema.optional(),
  }),
);
