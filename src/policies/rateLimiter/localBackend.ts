import { AdaptiveRate } from './adaptiveRate.js';
import { BoundedMap } from './boundedMap.js';
import { MeasuredRate } from './measuredRate.js';
import {
  type LimiterSettings,
  type LimitPlan,
  levelBit,
  PARTNER_BOUND_MS,
  type PlannedBucket,
  type RateLimitBackend,
} from './plan.js';
import { TokenBucket } from './tokenBucket.js';

/**
 * The state of one level's scope: its measured send rate (it is the level's {@link MeasuredRate}: one object
 * per level scope) and, once throttled, its learnt rate and bucket.
 */
class LevelState extends MeasuredRate {
  adaptive: AdaptiveRate | undefined;
  bucket: TokenBucket | undefined;
  /** The partner level: when its learnt bucket last held a call back (epoch ms). */
  boundAt = Number.NEGATIVE_INFINITY;
  /**
   * The partner level: a tenant's 429 that came while the partner's rate held calls back, waiting to be told
   * whose quota it was (see `attribute`), and until when it waits.
   */
  candidate: string | undefined;
  candidateUntil = Number.NEGATIVE_INFINITY;
  /**
   * A customer level: its rule buckets (one per rule name; usually one), kept with its state so that one lookup
   * finds both.
   */
  private ruleName: string | undefined;
  private rule: TokenBucket | undefined;
  private moreRules: Map<string, TokenBucket> | undefined;

  /** The bucket of `rule` (created full on first use; its rate and capacity follow the rule). */
  ruleBucket(rule: PlannedBucket, now: number): TokenBucket {
    let bucket: TokenBucket | undefined;
    if (this.ruleName === rule.name) bucket = this.rule;
    else if (this.ruleName === undefined) {
      bucket = new TokenBucket(rule.ratePerSecond, rule.capacity, now);
      this.ruleName = rule.name;
      this.rule = bucket;
      return bucket;
    } else {
      this.moreRules ??= new Map();
      bucket = this.moreRules.get(rule.name);
      if (bucket === undefined) {
        bucket = new TokenBucket(rule.ratePerSecond, rule.capacity, now);
        this.moreRules.set(rule.name, bucket);
        return bucket;
      }
    }
    const found = bucket as TokenBucket;
    if (found.ratePerSecond !== rule.ratePerSecond || found.capacity !== rule.capacity)
      found.setRate(rule.ratePerSecond, rule.capacity, now);
    return found;
  }
}

/**
 * Per partner, the customers waiting for a share of its rate: each until when its last wait runs (epoch ms).
 * Counted exactly: expired entries are swept when the earliest of them has passed.
 */
class Waiting {
  readonly until = new Map<string, number>();
  private earliest = Number.POSITIVE_INFINITY;

  /** Customers other than `customer` still waiting at `now`. */
  others(customer: string, now: number): number {
    if (now > this.earliest) this.sweep(now);
    const own = this.until.get(customer);
    return this.until.size - (own !== undefined && own >= now ? 1 : 0);
  }

  mark(customer: string, until: number, max: number): void {
    if (!this.until.has(customer) && this.until.size >= max) {
      const oldest = this.until.keys().next();
      if (oldest.done !== true) this.until.delete(oldest.value);
    }
    this.until.set(customer, until);
    if (until < this.earliest) this.earliest = until;
  }

  private sweep(now: number): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [customer, until] of this.until) {
      if (until < now) this.until.delete(customer);
      else if (until < earliest) earliest = until;
    }
    this.earliest = earliest;
  }
}

/**
 * The limiter's state in this process (timer-free: every method takes `now`). The partner's own state (its
 * rule buckets and its level) is kept apart from its customers': customers beyond `maxScopes` drop the least
 * recently used customer state, never the partner's bucket or learnt rate. Each map keeps at most `maxScopes`
 * entries ({@link BoundedMap}).
 */
export class LocalRateLimitBackend implements RateLimitBackend {
  private readonly partnerLevels: BoundedMap<LevelState>;
  private readonly partnerRules: BoundedMap<TokenBucket>;
  private readonly levels: BoundedMap<LevelState>;
  private readonly rules: BoundedMap<TokenBucket>;
  private readonly shares: BoundedMap<TokenBucket>;
  private readonly waiting: BoundedMap<Waiting>;
  /** Levels with a learnt rate: while 0, only static rules can limit a call. */
  private learnt = 0;

  constructor(private readonly maxScopes = 10_000) {
    const dropLevel = (state: LevelState) => {
      if (state.bucket !== undefined) this.learnt -= 1;
    };
    this.partnerLevels = new BoundedMap(maxScopes, dropLevel);
    this.levels = new BoundedMap(maxScopes, dropLevel);
    this.partnerRules = new BoundedMap(maxScopes);
    this.rules = new BoundedMap(maxScopes);
    this.shares = new BoundedMap(maxScopes);
    this.waiting = new BoundedMap(maxScopes);
  }

  free(plan: LimitPlan): boolean {
    if (plan.rules.length > 0) return false;
    if (this.learnt === 0) return true;
    for (const level of plan.levels)
      if (this.levelOf(level.key, level.level)?.bucket !== undefined) return false;
    return true;
  }

  acquire(plan: LimitPlan, settings: LimiterSettings, now: number): number {
    const rules = plan.rules;
    if (this.learnt === 0 && rules.length === 1 && !(rules[0] as PlannedBucket).partner) {
      // The common case (a customer's documented limit, nothing learnt): one bucket, no share of a partner rate.
      return this.ruleBucketOf(rules[0] as PlannedBucket, now).tryTake(now);
    }
    const buckets: TokenBucket[] = [];
    /** The partner level's learnt state, when it has a bucket: marked when that bucket holds the call back. */
    let partnerLevel: LevelState | undefined;
    let partnerBucketWait = 0;
    let partnerRate = Number.POSITIVE_INFINITY;
    let partnerCapacity = Number.POSITIVE_INFINITY;
    /** The longest wait of the partner's buckets and the customer's share of them, and of the tenant's own. */
    let partnerWait = 0;
    let ownWait = 0;
    for (const rule of rules) {
      const bucket = this.ruleBucketOf(rule, now);
      buckets.push(bucket);
      const needed = bucket.waitMs(now);
      if (rule.partner) {
        partnerRate = Math.min(partnerRate, rule.ratePerSecond);
        partnerCapacity = Math.min(partnerCapacity, rule.capacity);
        if (needed > partnerWait) partnerWait = needed;
      } else if (needed > ownWait) ownWait = needed;
    }
    for (const level of plan.levels) {
      if (this.learnt === 0) break;
      const state = this.levelOf(level.key, level.level);
      const bucket = state?.bucket;
      if (state === undefined || bucket === undefined) continue;
      buckets.push(bucket);
      const needed = bucket.waitMs(now);
      if (level.level === 'partner') {
        partnerLevel = state;
        partnerBucketWait = needed;
        partnerRate = Math.min(partnerRate, bucket.ratePerSecond);
        partnerCapacity = Math.min(partnerCapacity, bucket.capacity);
        if (needed > partnerWait) partnerWait = needed;
      } else if (needed > ownWait) ownWait = needed;
    }
    const fair = settings.fairness && plan.customer !== undefined && partnerRate < Number.POSITIVE_INFINITY;
    if (fair) {
      const share = this.share(plan, partnerRate, partnerCapacity, now);
      buckets.push(share);
      const needed = share.waitMs(now);
      if (needed > partnerWait) partnerWait = needed;
    }
    if (partnerBucketWait > 0 && partnerLevel !== undefined) partnerLevel.boundAt = now;
    const wait = Math.max(partnerWait, ownWait);
    if (wait === 0) for (const bucket of buckets) bucket.take(now);
    else if (fair && partnerWait >= ownWait) {
      // Waiting for the partner's rate (not for its own limits): the customer wants a share of it.
      this.waitingOf(plan.partner).mark(plan.customer as string, now + wait, this.maxScopes);
    }
    return wait;
  }

  record(
    plan: LimitPlan,
    settings: LimiterSettings,
    now: number,
    chargedLevels: number,
    sentMsAgo = 0,
    quietMs = 0,
  ): void {
    const adaptive = settings.adaptive;
    const sentAt = now - Math.max(0, sentMsAgo);
    // Every 429 is charged to some level: a 429 is not counted in the measured rates (what passed is).
    const accepted = chargedLevels === 0;
    let mask = chargedLevels;
    if (chargedLevels !== 0 && (chargedLevels & levelBit(0)) === 0) {
      const whose = this.attribute(plan, settings, now, quietMs, sentAt);
      if (whose === 'partner') mask = levelBit(0);
      else if (whose === 'unknown') mask = 0;
    }
    for (let i = 0; i < plan.levels.length; i += 1) {
      const level = plan.levels[i] as (typeof plan.levels)[number];
      let state = this.levelOf(level.key, level.level);
      const charged =
        (mask & levelBit(i)) !== 0 && (state?.adaptive === undefined || sentAt >= state.adaptive.quietUntil);
      if (state === undefined) {
        // An operation level is measured only once it has been throttled.
        if (level.level === 'operation' && !charged) continue;
        state = new LevelState();
        (level.level === 'partner' ? this.partnerLevels : this.levels).add(level.key, state);
      }
      if (adaptive === false || (!charged && state.adaptive === undefined)) {
        state.record(now, accepted, sentAt);
        continue;
      }
      if (state.adaptive === undefined) state.adaptive = new AdaptiveRate(adaptive, state);
      const rate = state.adaptive.onResponse(
        now,
        charged,
        state.bucket?.ratePerSecond,
        quietMs,
        accepted,
        sentAt,
      );
      const capacity = learntCapacity(rate);
      if (state.bucket === undefined) {
        // One token: the throttled call itself may go again once its Retry-After has passed.
        state.bucket = new TokenBucket(rate, capacity, now, 1);
        this.learnt += 1;
      } else {
        state.bucket.setRate(rate, capacity, now);
        if (charged) state.bucket.empty(now);
      }
      if (charged) {
        // No call of a charged level goes before the throttle's Retry-After: its quota's window is still full.
        if (quietMs > 0) state.bucket.holdUntil(now + quietMs);
      }
    }
  }

  /** The learnt rate of a level's scope (tests and telemetry), or `undefined` while it has none. */
  adaptiveState(key: string): AdaptiveRate | undefined {
    return (this.partnerLevels.peek(key) ?? this.levels.peek(key))?.adaptive;
  }

  /** Customers of `partner` waiting for a share of its rate at `now` (tests and telemetry). */
  waitingCustomers(partner: string, now: number): number {
    return this.waiting.peek(partner)?.others('', now) ?? 0;
  }

  /**
   * `throttleLevel: 'auto'`: whose quota a throttle charged to a tenant was. The tenant's, unless the partner's
   * learnt rate holds calls back (it made a call wait within {@link PARTNER_BOUND_MS}: the partner's quota may
   * be the one at its limit, and lowering the tenant would starve it). Then a single 429 cannot tell: it is
   * only measured (`'unknown'`) and kept as the partner's candidate until its Retry-After and a second more
   * have passed. A 429 of another tenant within that time tells that the quota is shared (`'partner'`: a
   * partner's quota throttles whichever tenant calls); another of the same tenant tells that the quota is its
   * own (`'tenant'`). A 429 of a request sent during the partner's quiet time is a consequence of its last
   * decrease (`'unknown'`), and a Retry-After longer than `maxPartnerQuietMs` is always the tenant's.
   */
  private attribute(
    plan: LimitPlan,
    settings: LimiterSettings,
    now: number,
    quietMs: number,
    sentAt: number,
  ): 'tenant' | 'partner' | 'unknown' {
    if (!settings.blameBoundPartner || quietMs > settings.maxPartnerQuietMs) return 'tenant';
    const first = plan.levels[0] as (typeof plan.levels)[number];
    if (first.level !== 'partner') return 'tenant';
    const partner = this.partnerLevels.get(first.key);
    if (partner?.bucket === undefined || now - partner.boundAt > PARTNER_BOUND_MS) return 'tenant';
    if (partner.adaptive !== undefined && sentAt < partner.adaptive.quietUntil) return 'unknown';
    const candidate = partner.candidate;
    if (candidate !== undefined && now <= partner.candidateUntil) {
      partner.candidate = undefined;
      return candidate === plan.customer ? 'tenant' : 'partner';
    }
    partner.candidate = plan.customer;
    partner.candidateUntil = now + quietMs + CANDIDATE_MS;
    return 'unknown';
  }

  /**
   * The customer's share of its partner's rate: the rate divided among the customers waiting for it (this one
   * included), its burst alike. A customer that has finished, or that waits for limits of its own, holds no
   * share; a lone customer may use the whole rate.
   */
  private share(plan: LimitPlan, rate: number, capacity: number, now: number): TokenBucket {
    const customer = plan.customer as string;
    const others = this.waiting.get(plan.partner)?.others(customer, now) ?? 0;
    const shareRate = rate / (others + 1);
    const shareCapacity = others === 0 ? capacity : Math.max(1, (capacity * shareRate) / rate);
    const key = `${plan.partner}/${customer}`;
    let bucket = this.shares.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(shareRate, shareCapacity, now);
      this.shares.add(key, bucket);
    } else bucket.setRate(shareRate, shareCapacity, now);
    return bucket;
  }

  /** A rule's bucket (created full on first use; a customer's rule buckets live with its level's state). */
  private ruleBucketOf(rule: PlannedBucket, now: number): TokenBucket {
    if (rule.level === 'customer') {
      let state = this.levels.get(rule.levelKey);
      if (state === undefined) {
        state = new LevelState();
        this.levels.add(rule.levelKey, state);
      }
      return state.ruleBucket(rule, now);
    }
    const map = rule.partner ? this.partnerRules : this.rules;
    let bucket = map.get(rule.key);
    if (bucket === undefined) {
      bucket = new TokenBucket(rule.ratePerSecond, rule.capacity, now);
      map.add(rule.key, bucket);
    } else if (bucket.ratePerSecond !== rule.ratePerSecond || bucket.capacity !== rule.capacity) {
      bucket.setRate(rule.ratePerSecond, rule.capacity, now);
    }
    return bucket;
  }

  private waitingOf(partner: string): Waiting {
    let found = this.waiting.get(partner);
    if (found === undefined) {
      found = new Waiting();
      this.waiting.add(partner, found);
    }
    return found;
  }

  private levelOf(key: string, level: string): LevelState | undefined {
    return level === 'partner' ? this.partnerLevels.get(key) : this.levels.get(key);
  }
}

/**
 * How long (ms) past its Retry-After a tenant's 429 waits for another to tell whose quota it was (see
 * `LocalRateLimitBackend`'s attribution).
 */
export const CANDIDATE_MS = 1000;

/**
 * Seconds of a learnt rate a level may send at once. Small: a quota counted over a sliding window (Partner
 * Center's) sees a full bucket's burst plus its refill in the same window; the AWS SDKs' one second of burst
 * after an idle spell (or a Retry-After pause) throttles the very next window.
 */
export const LEARNT_BURST_SECONDS = 0.1;

/** The capacity of a learnt bucket filling at `rate`: {@link LEARNT_BURST_SECONDS} of it, at least 1. */
export function learntCapacity(rate: number): number {
  return Math.max(1, rate * LEARNT_BURST_SECONDS);
}

/**
 * Records `customer` at `now` in `partner`'s map (created on first use) and returns that map. Re-inserted, so
 * the map stays ordered by time and its stale entries sit at its front (see {@link dropStale}).
 */
export function touch(
  maps: Map<string, Map<string, number>>,
  partner: string,
  customer: string,
  now: number,
  max: number,
): Map<string, number> {
  let seen = maps.get(partner);
  if (seen === undefined) {
    seen = new Map<string, number>();
    setBounded(maps, partner, seen, max);
  }
  seen.delete(customer);
  if (seen.size >= max) {
    const oldest = seen.keys().next();
    if (oldest.done !== true) seen.delete(oldest.value);
  }
  seen.set(customer, now);
  return seen;
}

/** Drops the entries of a time-ordered map (see {@link touch}) last seen more than `windowMs` before `now`. */
export function dropStale(seen: Map<string, number>, now: number, windowMs: number): void {
  for (const [key, at] of seen) {
    if (now - at <= windowMs) break;
    seen.delete(key);
  }
}

/** Sets `key`, dropping the oldest entry first when the map is full. */
export function setBounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  if (!map.has(key) && map.size >= max) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(key, value);
}
