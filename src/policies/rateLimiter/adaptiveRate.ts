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
 * The learnt send rate of one scope (AWS SDK adaptive mode). Off until the first throttle: then the rate is
 * `min(measured, current) * beta`, and each later response moves it along the cubic from that throttle, which
 * flattens at `plateau` x the rate at the throttle before it probes beyond,
 * floored at `minRate`; it grows no further than twice the measured send rate, but (unlike the AWS SDKs) is
 * never lowered by that cap, only by throttles. Timer-free: every method takes `now`.
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
      // Less than a bucket's width measured since the last pause says too little: the rate held to then is used
      // (and the measured rate does not cap the new one).
      const settled = !this.on || this.measured.settled;
      const base = !settled ? effectiveRate : this.on ? Math.min(measured, effectiveRate) : measured;
      this.base = base;
      this.wMax = base * this.plateau;
      this.k = cubicK(base * this.beta, this.wMax, this.scale);
      this.lastThrottle = now;
      this.quiet = now + Math.max(0, quietMs);
      this.measured.hold(now);
      this.on = true;
      next = settled ? Math.min(base * this.beta, measured * MAX_RATE_OVER_MEASURED) : base * this.beta;
    } else {
      if (!this.on) return this.current;
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
}
