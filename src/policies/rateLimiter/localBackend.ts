import {
  type LimiterSettings,
  type LimitPlan,
  type LimitRecord,
  levelBit,
  type PlannedBucket,
  type RateLimitBackend,
} from '../../stores/rateLimitProtocol.js';
import { AdaptiveRate } from './adaptiveRate.js';
import { attribute } from './attribution.js';
import { BoundedMap } from './boundedMap.js';
import { FairShares } from './fairShares.js';
import { LevelState, learntCapacity } from './levelState.js';
import { partnersOwn, SlowStarts } from './slowStart.js';
import { TokenBucket } from './tokenBucket.js';

/**
 * What a healthy call of one plan touches in a {@link LocalRateLimitBackend}, found once and then used by the
 * limiter's fast path (src/policies/callLimiter.ts) without a lookup while {@link version} is the backend's:
 * the plan's level states and, when one rule is all that may limit it, that rule's bucket.
 *
 * @internal
 */
export interface LocalLane {
  /** The backend's {@link LocalRateLimitBackend.version} when the lane was found. */
  readonly version: number;
  /** The states of the plan's levels that have one, in the plan's order. */
  readonly states: readonly LevelState[];
  /** Whether the partner and customer levels all have a state (an operation level has one once throttled). */
  readonly complete: boolean;
  /** The plan's only rule (not the partner's) and its bucket, or `undefined` when it has none or several. */
  readonly rule: PlannedBucket | undefined;
  readonly bucket: TokenBucket | undefined;
}

/**
 * The limiter's state in this process (timer-free: every method takes `now`). The partner's own state (its
 * rule buckets and its level) is kept apart from its customers': customers beyond `maxScopes` drop the least
 * recently used customer state, never the partner's bucket or learnt rate. Each map keeps at most `maxScopes`
 * entries ({@link BoundedMap}).
 */
export class LocalRateLimitBackend implements RateLimitBackend {
  /** Every answer is synchronous, and no method throws. */
  readonly synchronous = true;
  /**
   * Changes whenever a state a {@link LocalLane} holds may have been dropped or been left unmarked as used (a
   * map's generation turned), or a level state was added that a lane does not hold (an operation level's):
   * a lane of another version is found again.
   *
   * @internal
   */
  version = 0;
  private readonly partnerLevels: BoundedMap<LevelState>;
  private readonly partnerRules: BoundedMap<TokenBucket>;
  private readonly levels: BoundedMap<LevelState>;
  private readonly rules: BoundedMap<TokenBucket>;
  private readonly fair: FairShares;
  /** The partner levels in their slow start (their level state's bucket is the slow start's). */
  private readonly slowStarts: SlowStarts;
  /** Levels with a learnt rate: while 0, only static rules can limit a call. */
  private learnt = 0;

  constructor(maxScopes = 10_000) {
    const dropLevel = (state: LevelState) => {
      if (state.bucket !== undefined) this.learnt -= 1;
    };
    const rotated = () => {
      this.version += 1;
    };
    this.partnerLevels = new BoundedMap(maxScopes, dropLevel, rotated);
    this.levels = new BoundedMap(maxScopes, dropLevel, rotated);
    this.partnerRules = new BoundedMap(maxScopes);
    this.rules = new BoundedMap(maxScopes, undefined, rotated);
    this.fair = new FairShares(maxScopes);
    this.slowStarts = new SlowStarts(maxScopes);
  }

  free(plan: LimitPlan): boolean {
    if (plan.rules.length > 0) return false;
    // A partner not seen yet may start slow (see acquire).
    if (this.partnerLevels.peek(plan.levels[0]?.key ?? '') === undefined) return false;
    if (this.learnt === 0) return true;
    for (const level of plan.levels)
      if (this.levelOf(level.key, level.level)?.bucket !== undefined) return false;
    return true;
  }

  acquire(plan: LimitPlan, settings: LimiterSettings, now: number): number {
    const rules = plan.rules;
    const met = this.partnerLevels.get(plan.levels[0]?.key ?? '');
    // A learnt rate unused for longer than its time to live is forgotten: the level starts over.
    if (
      met === undefined ||
      (met.bucket !== undefined && now - met.askedAt > (settings.learntTtlMs ?? Infinity))
    )
      this.meet(plan, settings, now, met);
    else met.askedAt = now;
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
    let shareWait = 0;
    if (fair) {
      const share = this.fair.bucket(plan, partnerRate, partnerCapacity, now);
      shareWait = share.waitMs(now);
      if (shareWait === 0) buckets.push(share);
      // A spent share holds the call back only while a customer with its share in hand waits for the rate
      // (work-conserving): else the slot would go unused.
      else if (shareWait > partnerWait && (!settings.workConserving || this.fair.othersInHand(plan, now)))
        partnerWait = shareWait;
    }
    if (partnerBucketWait > 0 && partnerLevel !== undefined) partnerLevel.boundAt = now;
    const wait = Math.max(partnerWait, ownWait);
    if (wait === 0) {
      for (const bucket of buckets) bucket.take(now);
      if (fair) this.fair.took(plan);
    } else if (fair && partnerWait >= ownWait) {
      // Waiting for the partner's rate (not for its own limits): the customer wants a share of it.
      this.fair.wait(plan, now + wait, shareWait === 0);
    }
    return wait;
  }

  record(response: LimitRecord): void {
    const { plan, settings, now, charged: chargedLevels, sentMsAgo, quietMs } = response;
    const adaptive = settings.adaptive;
    const sentAt = now - Math.max(0, sentMsAgo);
    // Every 429 is charged to some level: a 429 is not counted in the measured rates (what passed is).
    const accepted = chargedLevels === 0;
    let mask = chargedLevels;
    const partner = this.partnerLevels.peek(plan.levels[0]?.key ?? '');
    if (chargedLevels !== 0 && partnersOwn(plan, settings, partner)) mask = levelBit(0);
    else if (chargedLevels !== 0 && (chargedLevels & levelBit(0)) === 0) {
      const whose = attribute(this.partnerLevels, plan, settings, now, quietMs, sentAt);
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
        // No lane holds an operation level's new state; the others' lanes are found until they have theirs.
        if (level.level === 'operation') this.version += 1;
      }
      if (level.level === 'partner') state.askedAt = now;
      const slow = level.level === 'partner' ? this.slowStarts.get(level.key) : undefined;
      if (adaptive === false || (!charged && state.adaptive === undefined)) {
        state.record(now, accepted, sentAt);
        // A slow start that ends without a 429 leaves nothing to limit its level.
        if (slow !== undefined && accepted && this.slowStarts.grow(level.key, slow, state, now))
          this.learnt--;
        continue;
      }
      const fresh = state.adaptive === undefined;
      // A 429 into a window someone else filled: the slow start starts again (SlowStart.restart).
      if (fresh && slow !== undefined && charged && slow.restart(now, quietMs)) {
        state.record(now, accepted, sentAt);
        continue;
      }
      state.adaptive ??= new AdaptiveRate(adaptive, state);
      const learning = state.adaptive;
      // The first 429 of a slow start: its bucket becomes the learnt one, at the quota it estimates.
      const rate =
        fresh && slow !== undefined
          ? this.slowStarts.throttled(level.key, slow, learning, now, quietMs, sentAt)
          : learning.onResponse(now, charged, state.bucket?.ratePerSecond, quietMs, accepted, sentAt);
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

  /**
   * The lane of `plan` (see {@link LocalLane}): its level states (marked as used) and, when one rule that is
   * not the partner's is all it has, that rule's bucket (created full on first use, as {@link acquire} does).
   *
   * @internal
   */
  lane(plan: LimitPlan, now: number): LocalLane {
    // The version before the lookups: a generation that turns during them leaves this lane stale at once.
    const version = this.version;
    const only = plan.rules.length === 1 ? (plan.rules[0] as PlannedBucket) : undefined;
    const rule = only?.partner === false ? only : undefined;
    const bucket = rule === undefined ? undefined : this.ruleBucketOf(rule, now);
    const states: LevelState[] = [];
    let complete = true;
    for (const level of plan.levels) {
      const state = this.levelOf(level.key, level.level);
      if (state !== undefined) states.push(state);
      else if (level.level !== 'operation') complete = false;
    }
    return { version, states, complete, rule, bucket };
  }

  /** The learnt rate of a level's scope (tests and telemetry), or `undefined` while it has none. */
  adaptiveState(key: string): AdaptiveRate | undefined {
    return (this.partnerLevels.peek(key) ?? this.levels.peek(key))?.adaptive;
  }

  /** Customers of `partner` waiting for a share of its rate at `now` (tests and telemetry). */
  waitingCustomers(partner: string, now: number): number {
    return this.fair.waitingCustomers(partner, now);
  }

  /**
   * A partner's first call, or its first since its learnt state (`expired`) was last asked for longer ago than
   * `learntTtlMs`: a new level state, maybe in a slow start (see `SlowStarts.start`).
   */
  private meet(plan: LimitPlan, settings: LimiterSettings, now: number, expired?: LevelState): void {
    const key = plan.levels[0]?.key ?? '';
    const state = new LevelState();
    state.askedAt = now;
    if (expired === undefined) this.partnerLevels.add(key, state);
    else {
      // Lanes holding the expired state find the new one.
      this.partnerLevels.set(key, state);
      if (expired.bucket !== undefined) this.learnt -= 1;
      this.slowStarts.end(key);
      this.version += 1;
    }
    if (this.slowStarts.start(key, state, plan, settings, now)) this.learnt += 1;
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

  private levelOf(key: string, level: string): LevelState | undefined {
    return level === 'partner' ? this.partnerLevels.get(key) : this.levels.get(key);
  }
}
