/** Width of one measuring bucket (ms): the AWS SDKs' 0.5 s. */
export const MEASURE_BUCKET_MS = 500;
/** Weight of the newest bucket in the smoothed rate. */
export const MEASURE_SMOOTHING = 0.8;

/**
 * The smoothed send rate (requests/s) of a scope, measured as the AWS SDKs do: events are counted per 0.5 s
 * bucket; when a new bucket starts, the count over the time since the last closed bucket updates an
 * exponentially smoothed rate (`0.8 * new + 0.2 * old`). Until the first bucket closes, the rate is the count
 * over the time since the first event (at least one bucket's width): a throttle in a client's first half
 * second would otherwise find a rate of 0 and drop the learnt rate to its floor.
 */
export class MeasuredRate {
  private count = 0;
  private lastBucket: number | undefined;
  private smoothed = 0;
  /** The first event's time, until the first bucket closes. */
  private firstAt: number | undefined;
  private lastAt = 0;

  /** The current smoothed rate (before the first bucket closes: the count so far over the time so far). */
  get rate(): number {
    const first = this.firstAt;
    if (first === undefined) return this.smoothed;
    return (this.count * 1000) / Math.max(MEASURE_BUCKET_MS, this.lastAt - first);
  }

  /** Counts one event at `now` and answers the smoothed rate. */
  record(now: number): number {
    const bucket = Math.floor(now / MEASURE_BUCKET_MS) * MEASURE_BUCKET_MS;
    this.count += 1;
    this.lastAt = now;
    if (this.lastBucket === undefined) {
      this.lastBucket = bucket;
      this.firstAt = now;
    } else if (bucket > this.lastBucket) {
      this.firstAt = undefined;
      const current = this.count / ((bucket - this.lastBucket) / 1000);
      this.smoothed = current * MEASURE_SMOOTHING + this.smoothed * (1 - MEASURE_SMOOTHING);
      this.count = 0;
      this.lastBucket = bucket;
    }
    return this.rate;
  }
}
