import type { LimiterSettings, LimitPlan } from '../../stores/rateLimitProtocol.js';
import type { AdaptiveRate } from './adaptiveRate.js';
import { type LevelState, learntCapacity } from './levelState.js';
import { MEASURE_BUCKET_MS } from './measuredRate.js';
import { TokenBucket } from './tokenBucket.js';

/**
 * The rate (calls/s) a partner level with no rule starts at, before its first 429: low enough that the
 * opening calls into a quota nobody told the limiter of cost a 429 or two, not a whole window of calls in
 * flight (16 workers over loopback put 16 calls into a 20/s quota in a few milliseconds).
 */
export const SLOW_START_RATE = 8;

/**
 * Calls/s each success adds to a slow start's rate: `ln 2 / 0.5 s`, so that a level sending at its rate
 * doubles it every half second, as TCP's slow start doubles its window every round trip.
 */
export const SLOW_START_GAIN = Math.LN2 / 0.5;

/** A slow start that reaches this rate (calls/s) without a 429 ends: the level is not limited any more. */
export const SLOW_START_MAX_RATE = 1000;

/**
 * After a slow start's 429, the learnt rate starts at this fraction of its estimate of the quota and climbs
 * back to the plateau: with its burst (0.1 s of the rate) it stays within the estimate. Against a hidden 20/s
 * quota (300 calls, 16 in flight) 0.9 gave 83-85% of the quota, 0.95 a second 429 soon after the first.
 */
export const SLOW_START_RESUME = 0.9;

/**
 * 429s with no success within their Retry-After that start a slow start again (then the next one ends it as
 * any 429 does): a window someone else filled (the process before a restart, another client) says nothing of
 * the quota, and an estimate from no success would hold the level near its lowest rate for a long climb.
 */
export const SLOW_START_RESTARTS = 3;

/** Successes whose times a slow start remembers (its estimate of the quota counts the latest of them). */
export const SLOW_START_HISTORY = 512;

/**
 * The slow start of a level with no rule, before its first 429 (timer-free: every method takes `now`). Its
 * bucket starts at {@link SLOW_START_RATE} and grows by {@link SLOW_START_GAIN} per success. At its first
 * 429 it estimates the quota from the successes it remembers: those answered within the 429's Retry-After
 * (at least half a second) before it, over that time. A quota counted over a window `W` lets `W x quota` calls
 * through in any `W` and then answers with the time until its window frees a slot (at most `W`), so the
 * calls that got through within the Retry-After spread over it estimate the quota: 20 calls in the last 1 s
 * under a 20/s quota; 500 calls in the last 57 s (a paced start that reached a per-minute quota in 3 s) is
 * 8.8/s under 500 a minute. A burst's estimate (`MeasuredRate.quotaEstimate`) would spread a paced start's
 * calls over its whole run as well, and read half the quota.
 */
export class SlowStart {
  readonly bucket: TokenBucket;
  private readonly times = new Float64Array(SLOW_START_HISTORY);
  private successes = 0;
  /** Restarts so far (see {@link SLOW_START_RESTARTS}). */
  private restarts = 0;

  constructor(now: number) {
    this.bucket = new TokenBucket(SLOW_START_RATE, learntCapacity(SLOW_START_RATE), now);
  }

  /** The rate (calls/s) the level is held to now. */
  get rate(): number {
    return this.bucket.ratePerSecond;
  }

  /** A success at `now`: the rate grows. True while the slow start goes on; false once it has ended. */
  onSuccess(now: number): boolean {
    this.times[this.successes % SLOW_START_HISTORY] = now;
    this.successes += 1;
    const rate = this.bucket.ratePerSecond + SLOW_START_GAIN;
    this.bucket.setRate(rate, learntCapacity(rate), now);
    return rate < SLOW_START_MAX_RATE;
  }

  /**
   * The quota, estimated at a 429 at `now` whose Retry-After is `quietMs`: the successes of the last
   * `max(quietMs, 500 ms)` over that time (calls/s), at least the slow start's first rate's half.
   */
  estimate(now: number, quietMs: number): number {
    const spanMs = Math.max(MEASURE_BUCKET_MS, quietMs);
    return Math.max(SLOW_START_RATE / 2, (this.counted(now, quietMs) * 1000) / spanMs);
  }

  /** The successes within `max(quietMs, 500 ms)` before `now`. */
  counted(now: number, quietMs: number): number {
    const from = now - Math.max(MEASURE_BUCKET_MS, quietMs);
    const oldest = Math.max(0, this.successes - SLOW_START_HISTORY);
    let counted = 0;
    for (let i = this.successes - 1; i >= oldest; i -= 1) {
      if ((this.times[i % SLOW_START_HISTORY] as number) <= from) break;
      counted += 1;
    }
    return counted;
  }

  /**
   * A 429 at `now` with no success within its Retry-After (`quietMs`), while restarts are left: the slow start
   * starts again at its first rate, its bucket empty and held until the Retry-After has passed. True when it
   * did; false when the 429 ends it (see {@link SlowStarts.throttled}).
   */
  restart(now: number, quietMs: number): boolean {
    if (this.restarts >= SLOW_START_RESTARTS || this.counted(now, quietMs) > 0) return false;
    this.restarts += 1;
    this.bucket.setRate(SLOW_START_RATE, learntCapacity(SLOW_START_RATE), now);
    this.bucket.empty(now);
    if (quietMs > 0) this.bucket.holdUntil(now + quietMs);
    return true;
  }
}

/**
 * With slow starts on, a 429 of the partner's own call (its tenant is the partner) while the partner's rate is
 * limited (a slow start's, or learnt) is the partner's: `partner` is the partner level's state.
 */
export function partnersOwn(
  plan: LimitPlan,
  settings: LimiterSettings,
  partner: LevelState | undefined,
): boolean {
  return settings.slowStart === true && plan.customer === plan.partner && partner?.bucket !== undefined;
}

/**
 * The levels in their slow start, by level key (at most `max`; each is removed when it ends). A level's state
 * holds its slow start's bucket as its own `bucket` while it lasts: the limiter's acquire, fair shares and
 * attribution treat it as a learnt rate.
 */
export class SlowStarts {
  private readonly running = new Map<string, SlowStart>();

  constructor(private readonly max: number) {}

  get(key: string): SlowStart | undefined {
    return this.running.get(key);
  }

  /** Forgets the slow start of a level whose state is dropped. */
  end(key: string): void {
    this.running.delete(key);
  }

  /**
   * Starts the slow start of a partner level state just made, when `settings.slowStart` is on, the rate is
   * adaptive and no rule of the partner's applies to `plan`: true when started (never beyond `max`).
   */
  start(key: string, state: LevelState, plan: LimitPlan, settings: LimiterSettings, now: number): boolean {
    if (settings.slowStart !== true || settings.adaptive === false) return false;
    if (plan.rules.some((rule) => rule.partner) || this.running.size >= this.max) return false;
    const slow = new SlowStart(now);
    this.running.set(key, slow);
    state.bucket = slow.bucket;
    return true;
  }

  /**
   * A success of a level in its slow start: the rate grows. True when the slow start has ended there (the
   * level's bucket is gone: nothing limits it any more).
   */
  grow(key: string, slow: SlowStart, state: LevelState, now: number): boolean {
    if (slow.onSuccess(now)) return false;
    this.running.delete(key);
    if (state.bucket !== slow.bucket) return false;
    state.bucket = undefined;
    return true;
  }

  /**
   * The first 429 of a level in its slow start: it ends, and `adaptive` (the level's new learnt rate) starts at
   * {@link SLOW_START_RESUME} of the slow start's estimate of the quota. Answers that rate (the bucket, still
   * the level's, is set to it by the caller).
   */
  throttled(
    key: string,
    slow: SlowStart,
    adaptive: AdaptiveRate,
    now: number,
    quietMs: number,
    sentAt: number,
  ): number {
    this.running.delete(key);
    const estimate = slow.estimate(now, quietMs);
    return adaptive.startFromEstimate(now, estimate, estimate * SLOW_START_RESUME, quietMs, sentAt);
  }
}
