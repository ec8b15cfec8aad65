import type { RateLimitOptions } from '../../options.js';
import { ResilienceOptionsError } from '../../options/ResilienceOptionsError.js';
import { rateRuleBurstIssue } from '../../options/rules.js';
import { MIN_FILL_RATE } from './adaptiveRate.js';
import { CUBIC_BETA, CUBIC_PLATEAU, CUBIC_SCALE } from './cubic.js';
import { dropStale, setBounded, touch } from './localBackend.js';
import {
  type LimiterSettings,
  type LimitPlan,
  levelBit,
  type PlannedBucket,
  type PlannedLevel,
  type RateLimitBackend,
} from './plan.js';
import {
  chooseRule,
  DEFAULT_RATE_LIMIT_RULES,
  type LimitLevel,
  type RateLimitRule,
  ruleBucket,
  ruleMatches,
  type ThrottleLevel,
} from './rules.js';

/**
 * The scopes of one call: partner > customer > operation (method + path template). A call of the partner's own
 * (no customer) names the partner as its customer: it gets a tenant level of its own, without customer rules.
 */
export interface LimitTarget {
  readonly partner: string;
  readonly customer?: string | undefined;
  readonly method?: string;
  /** The path as a template (`/v1/customers/{id}/orders`); rules match against it. */
  readonly pathTemplate?: string;
}

/** Options of {@link RateLimiter}: the `rateLimit` option's (without the engine's `maxWaitMs`), and its bound. */
export type RateLimiterOptions = Omit<RateLimitOptions, 'maxWaitMs'> & {
  /** Most plans and scopes with state; the oldest is dropped beyond it. Default `10000`. */
  readonly maxScopes?: number;
  /**
   * A tenant's 429 with a longer Retry-After (ms) is charged to that tenant alone, never to the partner
   * (`retry.maxRetryAfterMs`: such a call is not retried, and no quota shared per second or minute asks for
   * that long). Default `120000`.
   */
  readonly maxPartnerQuietMs?: number;
};

const LEVEL_ORDER: readonly LimitLevel[] = ['partner', 'customer', 'operation'];

/**
 * `'auto'` attribution: a 429 is charged to the partner level as well when {@link ESCALATE_TENANTS} tenants of
 * the partner (this one included) were throttled within this many ms: a quota they share, rather than each
 * tenant's own (tenants probing their own quotas are rarely throttled in the same second).
 */
export const ESCALATE_WINDOW_MS = 1000;
/** Distinct tenants throttled within {@link ESCALATE_WINDOW_MS} that make a 429 the partner's. */
export const ESCALATE_TENANTS = 3;
/** {@link RateLimiterOptions.maxPartnerQuietMs} by default: `retry.maxRetryAfterMs`'s default. */
export const DEFAULT_MAX_PARTNER_QUIET_MS = 120_000;

/**
 * The adaptive rate limiter's planner: Partner Center's rules turned into a {@link LimitPlan} per scope, method
 * and path template (cached), and the levels each 429 is charged to. A backend ({@link RateLimitBackend}: this
 * process's, or a store's to share it) holds the state and applies the plans. A call takes a token from every limited level of its scope: each level's static rule bucket, each level's
 * learnt bucket (once that level has been throttled), and, when the partner level is limited, the customer's
 * fair share of it (`1 / active customers` of the partner's rate and burst). A level with no rule and no
 * throttle is never limited.
 */
export class RateLimiter {
  readonly settings: LimiterSettings;
  private readonly userRules: readonly RateLimitRule[];
  private readonly defaults: readonly RateLimitRule[];
  private readonly throttleLevel: ThrottleLevel;
  /** Per partner, the tenants throttled lately and when (`'auto'` attribution); bounded by `maxScopes`. */
  private readonly throttledLately = new Map<string, Map<string, number>>();
  private readonly maxScopes: number;
  private readonly hasOperationRules: boolean;
  private readonly plans = new Map<string, LimitPlan>();

  /** Throws a `ResilienceOptionsError` for a rule whose `burst` is not less than its `perMinute`. */
  constructor(options: RateLimiterOptions = {}) {
    const issues = (options.rules ?? []).flatMap((rule, i) => {
      const issue = rateRuleBurstIssue(rule);
      return issue === undefined ? [] : [`rateLimit.rules.${i}.burst: ${issue}`];
    });
    if (issues.length > 0) throw new ResilienceOptionsError(issues);
    this.userRules = options.rules ?? [];
    this.defaults = options.defaultRules === false ? [] : DEFAULT_RATE_LIMIT_RULES;
    this.throttleLevel = options.throttleLevel ?? 'auto';
    this.maxScopes = options.maxScopes ?? 10_000;
    const adaptive = options.adaptive;
    this.settings = {
      fairness: options.fairness ?? true,
      blameBoundPartner: (options.throttleLevel ?? 'auto') === 'auto',
      maxPartnerQuietMs: options.maxPartnerQuietMs ?? DEFAULT_MAX_PARTNER_QUIET_MS,
      adaptive:
        adaptive === false
          ? false
          : {
              beta: adaptive?.beta ?? CUBIC_BETA,
              scale: adaptive?.scale ?? CUBIC_SCALE,
              plateau: adaptive?.plateau ?? CUBIC_PLATEAU,
              minRate: adaptive?.minRate ?? MIN_FILL_RATE,
            },
    };
    this.hasOperationRules = [...this.userRules, ...this.defaults].some((rule) => rule.scope === 'operation');
  }

  /** The plan of a call's target (built once, then cached). */
  plan(target: LimitTarget): LimitPlan {
    const method = (target.method ?? 'GET').toUpperCase();
    const cacheKey = `${target.partner}\n${target.customer ?? ''}\n${method}\n${target.pathTemplate ?? ''}`;
    let plan = this.plans.get(cacheKey);
    if (plan === undefined) {
      plan = this.build(target, method);
      setBounded(this.plans, cacheKey, plan, this.maxScopes);
    }
    return plan;
  }

  /**
   * The levels of `plan` a response charges (a mask of {@link levelBit}s): 0 unless `throttled`. `quietMs`: the
   * throttle's Retry-After; one longer than `maxPartnerQuietMs` is the tenant's own, and never escalates.
   */
  charged(plan: LimitPlan, now: number, throttled: boolean, quietMs = 0): number {
    if (!throttled) return 0;
    const levels = plan.levels;
    const index = (level: LimitLevel) => levels.findIndex((candidate) => candidate.level === level);
    const wanted = this.throttleLevel;
    if (wanted !== 'auto') {
      for (let at = LEVEL_ORDER.indexOf(wanted); at > 0; at -= 1) {
        const found = index(LEVEL_ORDER[at] as LimitLevel);
        if (found !== -1) return levelBit(found);
      }
      return levelBit(0);
    }
    const own = index('customer');
    if (own === -1 || plan.customer === undefined) return levelBit(0);
    if (quietMs > this.settings.maxPartnerQuietMs) return levelBit(own);
    const lately = touch(this.throttledLately, plan.partner, plan.customer, now, this.maxScopes);
    dropStale(lately, now, ESCALATE_WINDOW_MS);
    return lately.size >= ESCALATE_TENANTS ? levelBit(own) | levelBit(0) : levelBit(own);
  }

  private build(target: LimitTarget, method: string): LimitPlan {
    const template = target.pathTemplate ?? '';
    const partner = target.partner;
    const customer = target.customer;
    const levels: PlannedLevel[] = [{ level: 'partner', key: `p:${partner}` }];
    const scopeKey = customer === undefined ? partner : `${partner}/${customer}`;
    if (customer !== undefined) levels.push({ level: 'customer', key: `c:${scopeKey}` });
    const operationRule =
      this.hasOperationRules && target.pathTemplate !== undefined
        ? chooseRule('operation', this.userRules, this.defaults, method, template)
        : undefined;
    if (
      target.pathTemplate !== undefined &&
      (operationRule !== undefined || this.throttleLevel === 'operation')
    ) {
      levels.push({ level: 'operation', key: `o:${scopeKey} ${method} ${template}` });
    }
    const rules: PlannedBucket[] = [];
    // The partner's own calls (its scope as their tenant) have a level of their own, but no customer rules:
    // those are the documented limits per customer tenant.
    const ownCalls = customer === partner;
    for (const level of levels) {
      if (ownCalls && level.level === 'customer') continue;
      const chosen =
        level.level === 'operation'
          ? operationRule
          : chooseRule(level.level, this.userRules, this.defaults, method, template);
      if (chosen === undefined) continue;
      const { ratePerSecond, capacity } = ruleBucket(chosen.rule);
      rules.push({
        key: `r:${level.key}#${chosen.name}`,
        ratePerSecond,
        capacity,
        partner: level.level === 'partner',
        level: level.level,
      });
    }
    return { partner, customer, levels, rules };
  }
}

export { ruleMatches };
