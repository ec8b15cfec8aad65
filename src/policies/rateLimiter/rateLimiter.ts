import { AdaptiveRate, type AdaptiveRateOptions } from './adaptiveRate.js';
import {
  type ChosenRule,
  chooseRule,
  DEFAULT_RATE_LIMIT_RULES,
  type LimitLevel,
  type RateLimitRule,
  ruleBucket,
} from './rules.js';
import { TokenBucket } from './tokenBucket.js';

/** The scopes of one call: partner > customer > operation (method + path template). */
export interface LimitTarget {
  readonly partner: string;
  readonly customer?: string;
  readonly method?: string;
  /** The path as a template (`/v1/customers/{id}/orders`); rules match against it. */
  readonly pathTemplate?: string;
}

/** What a response tells the limiter. */
export interface LimitOutcome {
  /** A 429 (or another throttling answer). */
  readonly throttled: boolean;
  /** The response's Retry-After, in ms: no token of the throttled level before `now + retryAfterMs`. */
  readonly retryAfterMs?: number;
  /** The level the throttle is charged to. Default: the customer when the call has one, else the partner. */
  readonly level?: LimitLevel;
}

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** User rules; a matching user rule replaces the default rule of its level. Default: none. */
  readonly rules?: readonly RateLimitRule[];
  /** Whether Partner Center's documented limits apply ({@link DEFAULT_RATE_LIMIT_RULES}). Default `true`. */
  readonly defaultRules?: boolean;
  /** Adaptive rate tuning, or `false` for static rules only. Default: the AWS SDKs' values. */
  readonly adaptive?: AdaptiveRateOptions | false;
  /** Whether each active customer's share of a limited partner bucket is capped. Default `true`. */
  readonly fairness?: boolean;
  /** A customer counts as active for this long after its last call (ms). Default `5000`. */
  readonly activeWindowMs?: number;
  /** Most scopes with state; the oldest is dropped beyond it. Default `10000`. */
  readonly maxScopes?: number;
}

interface Level {
  readonly level: LimitLevel;
  readonly key: string;
}

/**
 * The adaptive rate limiter's pure core, timer-free (every method takes `now`, epoch ms). A call takes a
 * token from every limited level of its scope: each level's static rule bucket, each level's adaptive bucket
 * (once that level has been throttled), and, when the partner level is limited, the customer's fair share
 * of it: `1 / (active customers)` of the partner's rate and burst. A level with no rule and no throttle is
 * never limited. `acquire` answers 0 (tokens taken everywhere) or the ms to wait (nothing taken).
 */
export class RateLimiter {
  private readonly userRules: readonly RateLimitRule[];
  private readonly defaults: readonly RateLimitRule[];
  private readonly adaptiveOptions: AdaptiveRateOptions | false;
  private readonly fairness: boolean;
  private readonly activeWindowMs: number;
  private readonly maxScopes: number;
  private readonly chosen = new Map<string, ChosenRule | null>();
  private readonly ruleBuckets = new Map<string, TokenBucket>();
  private readonly adaptive = new Map<string, AdaptiveRate>();
  private readonly adaptiveBuckets = new Map<string, TokenBucket>();
  private readonly shareBuckets = new Map<string, TokenBucket>();
  private readonly activity = new Map<string, Map<string, number>>();

  constructor(options: RateLimiterOptions = {}) {
    this.userRules = options.rules ?? [];
    this.defaults = options.defaultRules === false ? [] : DEFAULT_RATE_LIMIT_RULES;
    this.adaptiveOptions = options.adaptive ?? {};
    this.fairness = options.fairness ?? true;
    this.activeWindowMs = options.activeWindowMs ?? 5000;
    this.maxScopes = options.maxScopes ?? 10_000;
  }

  /** 0 when the call may go (one token taken from every limited level), else the ms to wait. */
  acquire(target: LimitTarget, now: number): number {
    const buckets: TokenBucket[] = [];
    let partnerRate = Number.POSITIVE_INFINITY;
    let partnerCapacity = Number.POSITIVE_INFINITY;
    for (const level of levelsOf(target)) {
      const rule = this.rule(level.level, target);
      if (rule !== undefined) buckets.push(this.ruleBucket(`${level.key}#${rule.name}`, rule.rule, now));
      const learnt = this.adaptiveBuckets.get(level.key);
      if (learnt !== undefined) buckets.push(learnt);
      if (level.level === 'partner') {
        for (const bucket of buckets) {
          partnerRate = Math.min(partnerRate, bucket.ratePerSecond);
          partnerCapacity = Math.min(partnerCapacity, bucket.capacity);
        }
      }
    }
    if (this.fairness && target.customer !== undefined && partnerRate < Number.POSITIVE_INFINITY) {
      buckets.push(this.shareBucket(target.partner, target.customer, partnerRate, partnerCapacity, now));
    }
    if (buckets.length === 0) return 0;
    let wait = 0;
    for (const bucket of buckets) wait = Math.max(wait, bucket.waitMs(now));
    if (wait === 0) for (const bucket of buckets) bucket.take(now);
    return wait;
  }

  /** Records a response: measures the send rate of each level, adapts the throttled level's rate. */
  onResponse(target: LimitTarget, now: number, outcome: LimitOutcome): void {
    if (this.adaptiveOptions === false) return;
    const throttledLevel = outcome.level ?? (target.customer === undefined ? 'partner' : 'customer');
    for (const level of levelsOf(target)) {
      const throttled = outcome.throttled && level.level === throttledLevel;
      if (level.level === 'operation' && !throttled && !this.adaptive.has(level.key)) continue;
      const adaptive = getOrCreate(
        this.adaptive,
        level.key,
        this.maxScopes,
        () => new AdaptiveRate(this.adaptiveOptions || {}),
      );
      const rate = adaptive.onResponse(now, throttled);
      if (!adaptive.enabled) continue;
      const capacity = Math.max(1, rate);
      let bucket = this.adaptiveBuckets.get(level.key);
      if (bucket === undefined) {
        bucket = new TokenBucket(rate, capacity, now, 0);
        setBounded(this.adaptiveBuckets, level.key, bucket, this.maxScopes);
      } else bucket.setRate(rate, capacity, now);
      if (throttled && outcome.retryAfterMs !== undefined && outcome.retryAfterMs > 0) {
        bucket.holdUntil(now + outcome.retryAfterMs);
      }
    }
  }

  /** The learnt state of a level's scope (tests and telemetry), or `undefined` when never seen. */
  adaptiveState(target: LimitTarget, level: LimitLevel): AdaptiveRate | undefined {
    const found = levelsOf(target).find((candidate) => candidate.level === level);
    return found === undefined ? undefined : this.adaptive.get(found.key);
  }

  /** Customers of `partner` active at `now` (a call within `activeWindowMs`); drops the stale ones. */
  activeCustomers(partner: string, now: number): number {
    const seen = this.activity.get(partner);
    if (seen === undefined) return 0;
    for (const [customer, at] of seen) if (now - at > this.activeWindowMs) seen.delete(customer);
    return seen.size;
  }

  private rule(level: LimitLevel, target: LimitTarget): ChosenRule | undefined {
    const method = (target.method ?? 'GET').toUpperCase();
    const template = target.pathTemplate ?? '';
    const cacheKey = `${level} ${method} ${template}`;
    let chosen = this.chosen.get(cacheKey);
    if (chosen === undefined) {
      chosen = chooseRule(level, this.userRules, this.defaults, method, template) ?? null;
      setBounded(this.chosen, cacheKey, chosen, this.maxScopes);
    }
    return chosen ?? undefined;
  }

  private ruleBucket(key: string, rule: RateLimitRule, now: number): TokenBucket {
    return getOrCreate(this.ruleBuckets, key, this.maxScopes, () => {
      const { ratePerSecond, capacity } = ruleBucket(rule);
      return new TokenBucket(ratePerSecond, capacity, now);
    });
  }

  /** The customer's share of its partner's bucket: rate and burst divided by the active customers. */
  private shareBucket(
    partner: string,
    customer: string,
    rate: number,
    capacity: number,
    now: number,
  ): TokenBucket {
    const seen = getOrCreate(this.activity, partner, this.maxScopes, () => new Map<string, number>());
    seen.delete(customer);
    seen.set(customer, now);
    const active = Math.max(1, this.activeCustomers(partner, now));
    const shareRate = rate / active;
    const shareCapacity = Math.max(1, capacity / active);
    const key = `${partner}/${customer}`;
    const bucket = getOrCreate(
      this.shareBuckets,
      key,
      this.maxScopes,
      () => new TokenBucket(shareRate, shareCapacity, now),
    );
    bucket.setRate(shareRate, shareCapacity, now);
    return bucket;
  }
}

/** The levels of a call's scope, with their state keys. */
function levelsOf(target: LimitTarget): Level[] {
  const levels: Level[] = [{ level: 'partner', key: `p:${target.partner}` }];
  const customerKey = target.customer === undefined ? target.partner : `${target.partner}/${target.customer}`;
  if (target.customer !== undefined) levels.push({ level: 'customer', key: `c:${customerKey}` });
  if (target.pathTemplate !== undefined) {
    const method = (target.method ?? 'GET').toUpperCase();
    levels.push({ level: 'operation', key: `o:${customerKey} ${method} ${target.pathTemplate}` });
  }
  return levels;
}

function getOrCreate<V>(map: Map<string, V>, key: string, max: number, create: () => V): V {
  const found = map.get(key);
  if (found !== undefined) return found;
  const value = create();
  setBounded(map, key, value, max);
  return value;
}

/** Sets `key`, dropping the oldest entry first when the map is full. */
function setBounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  if (!map.has(key) && map.size >= max) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(key, value);
}
