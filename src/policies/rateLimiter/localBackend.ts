import { AdaptiveRate } from './adaptiveRate.js';
import { MeasuredRate } from './measuredRate.js';
import {
  type LimiterSettings,
  type LimitPlan,
  levelBit,
  PARTNER_BOUND_MS,
  type RateLimitBackend,
} from './plan.js';
import { TokenBucket } from './tokenBucket.js';

/** The state of one level's scope: its measured send rate and, once throttled, its learnt rate and bucket. */
class LevelState {
  readonly measured = new MeasuredRate();
  adaptive: AdaptiveRate | undefined;
  bucket: TokenBucket | undefined;
  /** When the learnt bucket last made a call wait (epoch ms). */
  boundAt = Number.NEGATIVE_INFINITY;
}

/**
 * The limiter's state in this process (timer-free: every method takes `now`). Bounded: each map keeps at
 * most `maxScopes` entries, dropping the oldest first.
 */
export class LocalRateLimitBackend implements RateLimitBackend {
  private readonly levels = new Map<string, LevelState>();
  private readonly rules = new Map<string, TokenBucket>();
  private readonly shares = new Map<string, TokenBucket>();
  private readonly activity = new Map<string, Map<string, number>>();
  /** Per partner, the customers held back lately (a wait answered) and when: they want more than they get. */
  private readonly contending = new Map<string, Map<string, number>>();
  /** Levels with a learnt rate: while 0, only static rules can limit a call. */
  private learnt = 0;

  constructor(private readonly maxScopes = 10_000) {}

  free(plan: LimitPlan): boolean {
    if (plan.rules.length > 0) return false;
    if (this.learnt === 0) return true;
    for (const level of plan.levels) if (this.levels.get(level.key)?.bucket !== undefined) return false;
    return true;
  }

  acquire(plan: LimitPlan, settings: LimiterSettings, now: number): number {
    const buckets: TokenBucket[] = [];
    /** The partner level's learnt state, when it has a bucket: marked when that bucket holds the call back. */
    let partnerLevel: LevelState | undefined;
    let partnerRate = Number.POSITIVE_INFINITY;
    let partnerCapacity = Number.POSITIVE_INFINITY;
    for (const rule of plan.rules) {
      let bucket = this.rules.get(rule.key);
      if (bucket === undefined) {
        bucket = new TokenBucket(rule.ratePerSecond, rule.capacity, now);
        setBounded(this.rules, rule.key, bucket, this.maxScopes);
      } else if (bucket.ratePerSecond !== rule.ratePerSecond || bucket.capacity !== rule.capacity) {
        bucket.setRate(rule.ratePerSecond, rule.capacity, now);
      }
      buckets.push(bucket);
      if (rule.partner) {
        partnerRate = Math.min(partnerRate, rule.ratePerSecond);
        partnerCapacity = Math.min(partnerCapacity, rule.capacity);
      }
    }
    if (this.learnt > 0) {
      for (const level of plan.levels) {
        const state = this.levels.get(level.key);
        const bucket = state?.bucket;
        if (state === undefined || bucket === undefined) continue;
        buckets.push(bucket);
        if (level.level === 'partner') {
          partnerLevel = state;
          partnerRate = Math.min(partnerRate, bucket.ratePerSecond);
          partnerCapacity = Math.min(partnerCapacity, bucket.capacity);
        }
      }
    }
    if (settings.fairness && plan.customer !== undefined && partnerRate < Number.POSITIVE_INFINITY) {
      buckets.push(this.share(plan, partnerRate, partnerCapacity, settings, now));
    }
    let wait = 0;
    for (const bucket of buckets) {
      const needed = bucket.waitMs(now);
      if (needed > wait) wait = needed;
      if (needed > 0 && partnerLevel !== undefined && bucket === partnerLevel.bucket)
        partnerLevel.boundAt = now;
    }
    if (wait === 0) for (const bucket of buckets) bucket.take(now);
    else if (plan.customer !== undefined && settings.fairness) {
      touch(this.contending, plan.partner, plan.customer, now, this.maxScopes);
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
    if (settings.blameBoundPartner && mask !== 0 && (mask & levelBit(0)) === 0) {
      // A tenant throttled while the partner's learnt rate holds calls back: the partner's quota is at its limit.
      const first = plan.levels[0] as (typeof plan.levels)[number];
      const partner = this.levels.get(first.key);
      if (
        first.level === 'partner' &&
        partner?.bucket !== undefined &&
        now - partner.boundAt <= PARTNER_BOUND_MS
      ) {
        mask = levelBit(0);
      }
    }
    for (let i = 0; i < plan.levels.length; i += 1) {
      const level = plan.levels[i] as (typeof plan.levels)[number];
      let state = this.levels.get(level.key);
      const charged =
        (mask & levelBit(i)) !== 0 && (state?.adaptive === undefined || sentAt >= state.adaptive.quietUntil);
      if (state === undefined) {
        // An operation level is measured only once it has been throttled.
        if (level.level === 'operation' && !charged) continue;
        state = new LevelState();
        this.setLevel(level.key, state);
      }
      if (adaptive === false || (!charged && state.adaptive === undefined)) {
        state.measured.record(now, accepted, sentAt);
        continue;
      }
      if (state.adaptive === undefined) state.adaptive = new AdaptiveRate(adaptive, state.measured);
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
      // No call of a charged level goes before the throttle's Retry-After: its quota's window is still full.
      if (charged && quietMs > 0) state.bucket.holdUntil(now + quietMs);
    }
  }

  /** The learnt rate of a level's scope (tests and telemetry), or `undefined` while it has none. */
  adaptiveState(key: string): AdaptiveRate | undefined {
    return this.levels.get(key)?.adaptive;
  }

  /** Customers of `partner` active at `now` (a call within `activeWindowMs`); drops the stale ones. */
  activeCustomers(partner: string, now: number, activeWindowMs: number): number {
    const seen = this.activity.get(partner);
    if (seen === undefined) return 0;
    dropStale(seen, now, activeWindowMs);
    return seen.size;
  }

  /**
   * The customer's share of its partner's rate: at least `1 / active customers` of it, and whatever the other
   * customers leave unused (the partner's measured rate less this customer's), so that a lone hot customer
   * may use the whole rate while no customer can be held below its fair share. The burst is scaled alike.
   */
  private share(
    plan: LimitPlan,
    rate: number,
    capacity: number,
    settings: LimiterSettings,
    now: number,
  ): TokenBucket {
    const partner = plan.partner;
    const customer = plan.customer as string;
    touch(this.activity, partner, customer, now, this.maxScopes);
    const active = Math.max(1, this.activeCustomers(partner, now, settings.activeWindowMs));
    const fair = rate / active;
    let shareRate = fair;
    let partnerMeasured = 0;
    let ownMeasured = 0;
    for (const level of plan.levels) {
      if (level.level === 'partner') partnerMeasured = this.levels.get(level.key)?.measured.rate ?? 0;
      else if (level.level === 'customer') ownMeasured = this.levels.get(level.key)?.measured.rate ?? 0;
    }
    // The others' use: what they were measured at, and at least a fair share for each one held back lately.
    const others = Math.max(
      partnerMeasured - ownMeasured,
      this.contendingOthers(partner, customer, now) * fair,
    );
    const spare = rate - others;
    if (spare > shareRate) shareRate = spare;
    const shareCapacity = shareRate >= rate ? capacity : Math.max(1, (capacity * shareRate) / rate);
    const key = `${partner}/${customer}`;
    let bucket = this.shares.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(shareRate, shareCapacity, now);
      setBounded(this.shares, key, bucket, this.maxScopes);
    } else bucket.setRate(shareRate, shareCapacity, now);
    return bucket;
  }

  /** Customers of `partner` other than `customer` held back within {@link CONTENDING_MS}; drops the stale ones. */
  private contendingOthers(partner: string, customer: string, now: number): number {
    const held = this.contending.get(partner);
    if (held === undefined) return 0;
    dropStale(held, now, CONTENDING_MS);
    return held.size - (held.has(customer) ? 1 : 0);
  }

  private setLevel(key: string, state: LevelState): void {
    if (this.levels.size >= this.maxScopes) {
      const oldest = this.levels.entries().next();
      if (oldest.done !== true) {
        this.levels.delete(oldest.value[0]);
        if (oldest.value[1].bucket !== undefined) this.learnt -= 1;
      }
    }
    this.levels.set(key, state);
  }
}

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

/** A customer answered a wait this recently still counts as held back (it wants its fair share). */
export const CONTENDING_MS = 1000;

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
