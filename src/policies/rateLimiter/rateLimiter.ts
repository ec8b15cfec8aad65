import type { RateLimitOptions } from '../../options/RateLimitOptions.js';
import { ResilienceOptionsError } from '../../options/ResilienceOptionsError.js';
import { rateRuleBurstIssue } from '../../options/rules.js';
import {
  type LimiterSettings,
  type LimitLevel,
  type LimitPlan,
  levelBit,
  type PlannedBucket,
  type PlannedLevel,
  type RateLimitBackend,
} from '../../stores/rateLimitProtocol.js';
import { MIN_FILL_RATE } from './adaptiveRate.js';
import { BoundedMap, dropStale, touch } from './boundedMap.js';
import { CUBIC_BETA, CUBIC_PLATEAU, CUBIC_SCALE } from './cubic.js';
import {
  chooseRule,
  DEFAULT_RATE_LIMIT_RULES,
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
/** Most method + path template shapes, and partners, whose plan parts are kept. */
const MAX_SHAPES = 1000;

/** {@link RateLimitOptions.learntTtlMs} by default: 10 minutes. */
export const DEFAULT_LEARNT_TTL_MS = 600_000;

/** {@link RateLimiterOptions.maxPartnerQuietMs} by default: `retry.maxRetryAfterMs`'s default. */
export const DEFAULT_MAX_PARTNER_QUIET_MS = 120_000;

/**
 * The adaptive rate limiter's planner: Partner Center's rules turned into a {@link LimitPlan} per scope, method
 * and path template (cached), and the levels each 429 is charged to. A backend ({@link RateLimitBackend}: this
 * process's, or a store's to share it) holds the state and applies the plans. A call takes a token from every
 * limited level of its scope: each level's static rule bucket, each level's learnt bucket (once that level has
 * been throttled), and, when the partner level is limited, the customer's fair share of it (`1 / waiting
 * customers` of the partner's rate and burst). A level with no rule and no throttle is never limited.
 */
export class RateLimiter {
  readonly settings: LimiterSettings;
  private readonly userRules: readonly RateLimitRule[];
  private readonly defaults: readonly RateLimitRule[];
  private readonly throttleLevel: ThrottleLevel;
  /** Per partner, the tenants throttled lately and when (`'auto'` attribution); bounded by `maxScopes`. */
  private readonly throttledLately: BoundedMap<Map<string, number>>;
  private readonly maxScopes: number;
  private readonly hasOperationRules: boolean;
  private readonly plans: BoundedMap<LimitPlan>;
  /** Per method and path template, the rules that apply (bounded: templates are few). */
  private readonly shapes = new BoundedMap<PlanShape>(MAX_SHAPES);
  /** The last shape found, and the last partner's parts: consecutive plans are mostly alike. */
  private lastShape: { method: string; template: string | undefined; shape: PlanShape } | undefined;
  private lastParts:
    | { partner: string; shape: PlanShape; level: PlannedLevel; rules: readonly PlannedBucket[] }
    | undefined;
  /** Per partner, its level and rule buckets, shared by its plans (bounded: partners are few). */
  private readonly partners = new BoundedMap<PartnerParts>(MAX_SHAPES);

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
    this.plans = new BoundedMap(this.maxScopes);
    this.throttledLately = new BoundedMap(this.maxScopes);
    const adaptive = options.adaptive;
    this.settings = {
      fairness: options.fairness ?? true,
      workConserving: true,
      slowStart: options.slowStart ?? false,
      learntTtlMs: options.learntTtlMs ?? DEFAULT_LEARNT_TTL_MS,
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
      plan = this.buildPlan(target);
      this.plans.set(cacheKey, plan);
    }
    return plan;
  }

  /**
   * The plan of a call's target, built anew (for callers that cache plans their own way): the rules that apply
   * to its method and path template are chosen once per template, and the partner's level and rule buckets are
   * shared by all its plans, so that a plan for a new tenant costs its own keys and little else.
   */
  buildPlan(target: LimitTarget): LimitPlan {
    const method = (target.method ?? 'GET').toUpperCase();
    const template = target.pathTemplate;
    const shape = this.shapeOf(method, template);
    const { partner, customer } = target;
    const own = this.partnerPartsOf(partner, shape);
    const levels: PlannedLevel[] = [own.level];
    const rules: PlannedBucket[] = own.rules.length === 0 ? [] : [...own.rules];
    if (customer === undefined && !shape.operationLevel && shape.customer.length === 0)
      return { partner, customer, levels, rules };
    const scopeKey = customer === undefined ? partner : `${partner}/${customer}`;
    if (customer !== undefined) {
      const key = `c:${scopeKey}`;
      levels.push({ level: 'customer', key });
      // The partner's own calls (its scope as their tenant) have a level of their own, but no customer rules:
      // those are the documented limits per customer tenant.
      if (customer !== partner) for (const rule of shape.customer) rules.push(planned(key, 'customer', rule));
    }
    if (shape.operationLevel) {
      const key = `o:${scopeKey} ${method} ${template ?? ''}`;
      levels.push({ level: 'operation', key });
      for (const rule of shape.operation) rules.push(planned(key, 'operation', rule));
    }
    return { partner, customer, levels, rules };
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
    let seen = this.throttledLately.get(plan.partner);
    if (seen === undefined) {
      seen = new Map();
      this.throttledLately.add(plan.partner, seen);
    }
    const lately = touch(seen, plan.customer, now, this.maxScopes);
    dropStale(lately, now, ESCALATE_WINDOW_MS);
    return lately.size >= ESCALATE_TENANTS ? levelBit(own) | levelBit(0) : levelBit(own);
  }

  /** The rules that apply to a method and path template, per level (chosen once, then cached). */
  private shapeOf(method: string, template: string | undefined): PlanShape {
    const last = this.lastShape;
    if (last !== undefined && last.method === method && last.template === template) return last.shape;
    const cacheKey = `${method} ${template ?? ''}`;
    let shape = this.shapes.get(cacheKey);
    if (shape !== undefined) {
      this.lastShape = { method, template, shape };
      return shape;
    }
    const path = template ?? '';
    const choose = (level: LimitLevel) => {
      const chosen = chooseRule(level, this.userRules, this.defaults, method, path);
      return chosen === undefined ? [] : [{ name: chosen.name, ...ruleBucket(chosen.rule) }];
    };
    const operation = this.hasOperationRules && template !== undefined ? choose('operation') : [];
    shape = {
      partner: choose('partner'),
      customer: choose('customer'),
      operation,
      operationLevel: template !== undefined && (operation.length > 0 || this.throttleLevel === 'operation'),
    };
    this.shapes.set(cacheKey, shape);
    this.lastShape = { method, template, shape };
    return shape;
  }

  /** The partner's level and rule buckets for plans of `shape` (the same objects in every plan). */
  private partnerPartsOf(
    partner: string,
    shape: PlanShape,
  ): { level: PlannedLevel; rules: readonly PlannedBucket[] } {
    const last = this.lastParts;
    if (last !== undefined && last.partner === partner && last.shape === shape) return last;
    let parts = this.partners.get(partner);
    if (parts === undefined) {
      parts = { level: { level: 'partner', key: `p:${partner}` }, rules: new WeakMap() };
      this.partners.set(partner, parts);
    }
    let rules = parts.rules.get(shape);
    if (rules === undefined) {
      const key = parts.level.key;
      rules = shape.partner.map((rule) => planned(key, 'partner', rule));
      parts.rules.set(shape, rules);
    }
    this.lastParts = { partner, shape, level: parts.level, rules };
    return this.lastParts;
  }
}

/** A level's chosen rule: the name its bucket is keyed by, its fill rate and capacity. */
interface ShapedRule {
  readonly name: string;
  readonly ratePerSecond: number;
  readonly capacity: number;
}

/** The rules that apply to one method and path template, per level, and whether it has an operation level. */
interface PlanShape {
  readonly partner: readonly ShapedRule[];
  readonly customer: readonly ShapedRule[];
  readonly operation: readonly ShapedRule[];
  readonly operationLevel: boolean;
}

/** A partner's level, and its rule buckets per shape. */
interface PartnerParts {
  readonly level: PlannedLevel;
  readonly rules: WeakMap<PlanShape, readonly PlannedBucket[]>;
}

function planned(levelKey: string, level: LimitLevel, rule: ShapedRule): PlannedBucket {
  return {
    key: `r:${levelKey}#${rule.name}`,
    ratePerSecond: rule.ratePerSecond,
    capacity: rule.capacity,
    partner: level === 'partner',
    level,
    levelKey,
    name: rule.name,
  };
}

export { ruleMatches };
