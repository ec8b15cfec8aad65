import { CUBIC_BETA, CUBIC_SCALE, cubicK, cubicRate } from './cubic.js';
import { MeasuredRate } from './measuredRate.js';

/** The lowest fill rate the adaptive limiter sets (requests/s). */
export const MIN_FILL_RATE = 0.5;
/** The adaptive rate never exceeds this multiple of the measured send rate. */
export const MAX_RATE_OVER_MEASURED = 2;

/** Tuning of {@link AdaptiveRate}; the defaults are the AWS SDKs'. */
export interface AdaptiveRateOptions {
  /** Multiplier applied on a throttle. Default `0.8` (the AWS SDKs use 0.7: see {@link CUBIC_BETA}). */
  readonly beta?: number;
  /** The cubic's scale constant C. Default `0.005` (the AWS SDKs use 0.4: see {@link CUBIC_SCALE}). */
  readonly scale?: number;
  /** Lowest fill rate (requests/s). Default `0.5`. */
  readonly minRate?: number;
}

/**
 * The learnt send rate of one scope (AWS SDK adaptive mode). Off until the first throttle: then the rate is
 * `min(measured, current) * beta`, and each later response moves it along the cubic from that throttle,
 * floored at `minRate`; it grows no further than twice the measured send rate, but (unlike the AWS SDKs) is
 * never lowered by that cap, only by throttles. Timer-free: every method takes `now`.
 */
export class AdaptiveRate {
  private readonly measured: MeasuredRate;
  private readonly beta: number;
  private readonly scale: number;
  private readonly minRate: number;
  private on = false;
  private current = Number.POSITIVE_INFINITY;
  private wMax = 0;
  private k = 0;
  private lastThrottle = 0;

  /** `measured`: the scope's send-rate meter, when it is kept before the first throttle. Default: a new one. */
  constructor(options: AdaptiveRateOptions = {}, measured: MeasuredRate = new MeasuredRate()) {
    this.measured = measured;
    this.beta = options.beta ?? CUBIC_BETA;
    this.scale = options.scale ?? CUBIC_SCALE;
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

  /** The rate at the last throttle (the cubic's W_max). */
  get rateAtThrottle(): number {
    return this.wMax;
  }

  /**
   * Records a response at `now` and answers the new fill rate (or `Infinity` while not enabled).
   * `effectiveRate` is the rate the scope was actually held to (the lower of this rate and a static rule).
   */
  onResponse(now: number, throttled: boolean, effectiveRate: number = this.current): number {
    const measured = this.measured.record(now);
    let next: number;
    if (throttled) {
      const base = this.on ? Math.min(measured, effectiveRate) : measured;
      this.wMax = base;
      this.k = cubicK(base, this.beta, this.scale);
      this.lastThrottle = now;
      this.on = true;
      next = Math.min(base * this.beta, measured * MAX_RATE_OVER_MEASURED);
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
