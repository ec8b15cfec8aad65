import type { PlannedBucket } from '../../stores/rateLimitProtocol.js';
import type { AdaptiveRate } from './adaptiveRate.js';
import { setBounded } from './boundedMap.js';
import { MeasuredRate } from './measuredRate.js';
import { TokenBucket } from './tokenBucket.js';

/**
 * The state of one level's scope in this process: its measured send rate (it is the level's
 * {@link MeasuredRate}: one object per level scope) and, once throttled, its learnt rate and bucket.
 */
export class LevelState extends MeasuredRate {
  adaptive: AdaptiveRate | undefined;
  bucket: TokenBucket | undefined;
  /** The partner level: when a call last asked for a slot of it or was answered (epoch ms; see `learntTtlMs`). */
  askedAt = Number.NEGATIVE_INFINITY;
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
export class Waiting {
  readonly until = new Map<string, number>();
  private earliest = Number.POSITIVE_INFINITY;

  /** Customers other than `customer` still waiting at `now`. */
  others(customer: string, now: number): number {
    if (now > this.earliest) this.sweep(now);
    const own = this.until.get(customer);
    return this.until.size - (own !== undefined && own >= now ? 1 : 0);
  }

  mark(customer: string, until: number, max: number): void {
    setBounded(this.until, customer, until, max);
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
 * Seconds of a learnt rate a level may send at once. Small: a quota counted over a sliding window (Partner
 * Center's) sees a full bucket's burst plus its refill in the same window; the AWS SDKs' one second of burst
 * after an idle spell (or a Retry-After pause) throttles the very next window.
 */
export const LEARNT_BURST_SECONDS = 0.1;

/** The capacity of a learnt bucket filling at `rate`: {@link LEARNT_BURST_SECONDS} of it, at least 1. */
export function learntCapacity(rate: number): number {
  return Math.max(1, rate * LEARNT_BURST_SECONDS);
}
