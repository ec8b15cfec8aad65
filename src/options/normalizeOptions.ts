import type { InternalAxiosRequestConfig } from 'axios';
import type { TokenCredentialLike, TokenProvider } from '../auth/TokenProvider.js';
import type { ErrorCodeInfo } from '../errors/classify.js';
import type { ResilienceHooks } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import { deepFreeze, OPTION_DEFAULTS, stripUndefined } from './defaults.js';
import { crossCheck, explicitIn, mergePolicy } from './mergePolicy.js';
import type { ResolvedPartnerRetryBudget, ResolvedRateLimit } from './RateLimitOptions.js';
import type { Reconcile } from './Reconcile.js';
import { optionsSchema, type ResilienceOptions } from './ResilienceOptions.js';
import { ResilienceOptionsError } from './ResilienceOptionsError.js';
import { issueLines, tokenWindowIssue } from './rules.js';
import type { ResolvedScopePolicy } from './ScopePolicyOptions.js';
import type { ResolvedTokenOptions } from './TokenOptions.js';

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
  readonly partnerRetryBudget: ResolvedPartnerRetryBudget | false;
}

/**
 * Validates options with zod and fills in defaults, once: the result is the one shape the engine reads.
 * Throws {@link ResilienceOptionsError} listing every problem with its option path. Never mutates
 * `options`.
 */
export function normalizeOptions(options: ResilienceOptions = {}): NormalizedOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new ResilienceOptionsError(issueLines(parsed.error.issues));

  const merged = mergePolicy(OPTION_DEFAULTS.policy, options);
  const checked = crossCheck(merged, explicitIn(options), '');
  const issues = [...checked.issues];
  const scopePolicies = new Map<string, ResolvedScopePolicy>();
  for (const [scope, override] of Object.entries(options.tenants?.policies ?? {})) {
    const scoped = crossCheck(
      mergePolicy(merged, override),
      explicitIn(options, override),
      `tenants.policies.${scope}.`,
    );
    issues.push(...scoped.issues);
    scopePolicies.set(scope, deepFreeze(scoped.policy));
  }
  const token = tokenOf(options);
  const tokenIssue = tokenWindowIssue(token.refreshWindowMs, token.blockingWindowMs, 'token.');
  if (tokenIssue !== undefined) issues.push(tokenIssue);
  if (issues.length > 0) throw new ResilienceOptionsError(issues);

  const tenants = OPTION_DEFAULTS.tenants;
  // Only the library's own copies are frozen: what the caller passed in (provider, store, logger,
  // callbacks) is kept as given and never touched.
  return Object.freeze({
    policy: deepFreeze(checked.policy),
    scopePolicies,
    partnerScope: options.tenants?.partnerScope ?? tenants.partnerScope,
    maxScopes: options.tenants?.maxScopes ?? tenants.maxScopes,
    idleEvictionMs: options.tenants?.idleEvictionMs ?? tenants.idleEvictionMs,
    resolve: options.tenants?.resolve,
    tokenProvider: options.tokenProvider,
    token: deepFreeze(token),
    hooks: Object.freeze(hooksOf(options.hooks)),
    logger: options.logger,
    store: options.store,
    errorCodes: deepFreeze(
      Object.fromEntries(
        Object.entries(options.errorCodes ?? {}).map(([code, info]) => [
          code,
          { meaning: info.meaning, class: info.class },
        ]),
      ),
    ),
    allowedQueryParameters: Object.freeze([...(options.allowedQueryParameters ?? [])]),
    secrets: Object.freeze([...(options.secrets ?? [])]),
    reconcile: options.reconcile,
    storeTimeoutMs: options.storeTimeoutMs ?? OPTION_DEFAULTS.storeTimeoutMs,
    rateLimit: rateLimitOf(options),
    partnerRetryBudget:
      options.partnerRetryBudget === false
        ? false
        : Object.freeze({
            ...OPTION_DEFAULTS.partnerRetryBudget,
            ...stripUndefined(options.partnerRetryBudget),
          }),
  });
}

function rateLimitOf(options: ResilienceOptions): ResolvedRateLimit | false {
  const given = options.rateLimit;
  if (given === false) return false;
  const defaults = OPTION_DEFAULTS.rateLimit;
  const adaptive = given?.adaptive;
  return deepFreeze({
    rules: (given?.rules ?? []).map((rule) => ({
      ...rule,
      ...(rule.match === undefined ? {} : { match: { ...rule.match } }),
    })),
    defaultRules: given?.defaultRules ?? defaults.defaultRules,
    adaptive:
      adaptive === false || defaults.adaptive === false
        ? false
        : { ...defaults.adaptive, ...stripUndefined(adaptive) },
    fairness: given?.fairness ?? defaults.fairness,
    slowStart: given?.slowStart ?? defaults.slowStart,
    learntTtlMs: given?.learntTtlMs ?? defaults.learntTtlMs,
    activeWindowMs: given?.activeWindowMs ?? defaults.activeWindowMs,
    throttleLevel: given?.throttleLevel ?? defaults.throttleLevel,
    maxWaitMs: given?.maxWaitMs ?? defaults.maxWaitMs,
  });
}

function tokenOf(options: ResilienceOptions): ResolvedTokenOptions {
  const given = options.token;
  const defaults = OPTION_DEFAULTS.token;
  return {
    scopes: given?.scopes ? [...given.scopes] : defaults.scopes,
    refreshWindowMs: given?.refreshWindowMs ?? defaults.refreshWindowMs,
    blockingWindowMs: given?.blockingWindowMs ?? defaults.blockingWindowMs,
    maxEntries: given?.maxEntries ?? defaults.maxEntries,
    scopeOf: given?.scopeOf,
  };
}

/** A copy of the given hooks (the schema let only known names with function values through). */
function hooksOf(hooks: ResilienceHooks | undefined): ResilienceHooks {
  return Object.fromEntries(
    Object.entries(hooks ?? {}).filter(([, hook]) => typeof hook === 'function'),
  ) as ResilienceHooks;
}
