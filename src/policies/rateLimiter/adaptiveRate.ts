import { CUBIC_BETA, CUBIC_PLATEAU, CUBIC_SCALE, cubicK, cubicRate } from './cubic.js';
import { MeasuredRate } from './measuredRate.js';

/** The lowest fill rate the adaptive limiter sets (requests/s). */
export const MIN_FILL_RATE = 0.5;
/** The adaptive rate never exceeds this multiple of the measured send rate. */
export const MAX_RATE_OVER_MEASURED = 2;

/** Tuning of {@link AdaptiveRate}; the defaults are the AWS SDKs'. */
export interface AdaptiveRateOptions {
  /** Multiplier applied on a throttle. Default `0.8` (the AWS SDKs use 0.7: see {@link CUBIC_BETA}). */
  readonly beta?: number;
  /** The cubic's scale constant C. Default `0.003` (the AWS SDKs use 0.4: see {@link CUBIC_SCALE}). */
  readonly scale?: number;
  /**
   * Where the climb after a throttle flattens, as a fraction of the rate at that throttle (`0 < plateau <= 1`).
   * Default `0.97` (the AWS SDKs use 1: see {@link CUBIC_PLATEAU}).
   */
  readonly plateau?: number;
  /** Lowest fill rate (requests/s). Default `0.5`. */
  readonly minRate?: number;
}

/**
 * The learnt send rate of one scope (AWS SDK adaptive mode). Off until the first throttle. The first throttle
 * estimates the quota as what the scope got through spread over the time measured plus the throttle's
 * Retry-After ({@link MeasuredRate.quotaEstimate}; raised by each success of a request sent before the
 * throttle that is answered during its Retry-After), and sets the rate to `plateau` x that estimate, or to
 * `beta` x the measured rate when that is lower (the higher of the smoothed rate and the current run's).
 * Each later throttle sets it to `beta x min(measured, current)`. Each other response moves it along the
 * cubic from the last throttle, which flattens at `plateau` x the rate at that throttle before it probes
 * beyond, floored at `minRate`; it grows no further than twice the measured send rate, but (unlike the AWS
 * SDKs) is never lowered by that cap, only by throttles. Timer-free: every method takes `now`.
 */
export class AdaptiveRate {
  private readonly measured: MeasuredRate;
  private readonly beta: number;
  private readonly scale: number;
  private readonly plateau: number;
  private readonly minRate: number;
  private on = false;
  private current = Number.POSITIVE_INFINITY;
  private base = 0;
  private wMax = 0;
  private k = 0;
  private lastThrottle = 0;
  private quiet = 0;
  /** After the first throttle, until its quiet time ends: the ms the quota estimate spreads its calls over. */
  private estimateSpanMs = 0;
  /** The first throttle's cap on the rate: beta x the measured rate then (the smoothed or the run's, if higher). */
  private estimateCap = 0;

  /** `measured`: the scope's send-rate meter, when it is kept before the first throttle. Default: a new one. */
  constructor(options: AdaptiveRateOptions = {}, measured: MeasuredRate = new MeasuredRate()) {
    this.measured = measured;
    this.beta = options.beta ?? CUBIC_BETA;
    this.scale = options.scale ?? CUBIC_SCALE;
    this.plateau = options.plateau ?? CUBIC_PLATEAU;
    this.minRate = options.minRate ?? MIN_FILL_RATE;
  }

  /** True once a throttle has been seen: the rate then limits the scope. */
  get enabled(): boolean {
    return this.on;
  }

  /** The fill rate (requests/s); `Infinity` while not enabled. */
  get rate(): number {
    return this.current;
  }

  /** The smoothed measured send rate (requests/s). */
  get measuredRate(): number {
    return this.measured.rate;
  }

  /** When the rate was last lowered (epoch ms; 0 before the first throttle). */
  get throttledAt(): number {
    return this.lastThrottle;
  }

  /**
   * Until when (epoch ms) a throttle says nothing new: the last decrease plus its Retry-After. A throttle of a
   * request sent before it is only measured.
   */
  get quietUntil(): number {
    return this.quiet;
  }

  /** The rate at the last throttle (the lower of the measured and the effective rate then). */
  get rateAtThrottle(): number {
    return this.base;
  }

  /** Where the climb after the last throttle flattens: `plateau` x {@link rateAtThrottle} (the cubic's W_max). */
  get plateauRate(): number {
    return this.wMax;
  }

  /**
   * Records a response at `now` and answers the new fill rate (or `Infinity` while not enabled).
   * `effectiveRate` is the rate the scope was actually held to (the lower of this rate and a static rule);
   * `quietMs`, for a throttle, its Retry-After (see {@link quietUntil}); `accepted`, false for any 429 (charged
   * or not): the rate measured is the rate the server let through, which a quota bounds.
   */
  onResponse(
    now: number,
    throttled: boolean,
    effectiveRate: number = this.current,
    quietMs = 0,
    accepted = !throttled,
    sentAt = now,
  ): number {
    const measured = this.measured.record(now, accepted, sentAt);
    let next: number;
    if (throttled) {
      if (!this.on) {
        // The first throttle (a client that sent unpaced): the quota is estimated as what got through spread
        // over the time measured plus the Retry-After, where the burst's own rate may be several times it.
        // The rate starts at the plateau of that estimate, or at beta x the measured rate when that is lower.
        const estimate = this.measured.quotaEstimate(quietMs);
        this.base = estimate.rate;
        this.estimateSpanMs = estimate.spanMs;
        this.estimateCap = Math.max(measured, this.measured.runRate) * this.beta;
        next = this.fromEstimate();
      } else {
        // Less than a bucket's width measured since the last pause says too little: the rate held to then is
        // used (and the measured rate does not cap the new one).
        const settled = this.measured.settled;
        this.base = settled ? Math.min(measured, effectiveRate) : effectiveRate;
        this.estimateSpanMs = 0;
        this.wMax = this.base * this.plateau;
        next = settled
          ? Math.min(this.base * this.beta, measured * MAX_RATE_OVER_MEASURED)
          : this.base * this.beta;
      }
      this.k = cubicK(next, this.wMax, this.scale);
      this.lastThrottle = now;
      this.quiet = now + Math.max(0, quietMs);
      this.measured.hold(now);
      this.on = true;
    } else {
      if (!this.on) return this.current;
      if (this.estimateSpanMs > 0) {
        if (now >= this.quiet || sentAt >= this.lastThrottle) this.estimateSpanMs = 0;
        else if (accepted) {
          // A success of a request sent before the first throttle, answered after it (its answer was slower
          // than the 429's): it got through the quota too, and raises the estimate by one call.
          this.base += 1000 / this.estimateSpanMs;
          this.current = Math.max(this.minRate, this.fromEstimate());
          this.k = cubicK(this.current, this.wMax, this.scale);
          return this.current;
        }
      }
      next = cubicRate(this.wMax, this.k, (now - this.lastThrottle) / 1000, this.scale);
      // Growth is capped at twice the measured rate, but a rate is never lowered for want of calls: a client
      // that sends less for a while (its calls wait elsewhere) would otherwise find its rate gone when it
      // sends again.
      if (next > this.current)
        next = Math.min(next, Math.max(this.current, measured * MAX_RATE_OVER_MEASURED));
    }
    this.current = Math.max(this.minRate, next);
    return this.current;
  }

  /**
   * Records the first throttle of a scope that was held to a slow start (`SlowStart`) and answers the new fill
   * rate, `start` (calls/s), which the cubic climbs from to `plateau` x the slow start's `estimate` of the
   * quota; neither is capped by the measured rate (the slow start's pacing, not the quota, set that rate).
   * `quietMs` and `sentAt` as for {@link onResponse}.
   */
  startFromEstimate(now: number, estimate: number, start: number, quietMs = 0, sentAt = now): number {
    this.measured.record(now, false, sentAt);
    this.base = estimate;
    this.estimateSpanMs = 0;
    this.wMax = estimate * this.plateau;
    this.current = Math.max(this.minRate, Math.min(start, this.wMax));
    this.k = cubicK(this.current, this.wMax, this.scale);
    this.lastThrottle = now;
    this.quiet = now + Math.max(0, quietMs);
    this.measured.hold(now);
    this.on = true;
    return this.current;
  }

  /** The first throttle's rate from its estimate ({@link base}): its plateau, capped at {@link estimateCap}. */
  private fromEstimate(): number {
    this.wMax = this.base * this.plateau;
    return Math.min(this.estimateCap, this.wMax);
  }
}
