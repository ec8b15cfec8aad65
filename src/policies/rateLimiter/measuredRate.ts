/** Width of one measuring bucket (ms): the AWS SDKs' 0.5 s. */
export const MEASURE_BUCKET_MS = 500;
/** Weight of the newest bucket in the smoothed rate. */
export const MEASURE_SMOOTHING = 0.8;

/**
 * The smoothed send rate (requests/s) of a scope, measured as the AWS SDKs do: events are counted per 0.5 s
 * bucket; when a new bucket starts, the count over the time since the last closed bucket updates an
 * exponentially smoothed rate (`0.8 * new + 0.2 * old`).
 */
export class MeasuredRate {
  private count = 0;
  private lastBucket: number | undefined;
  private smoothed = 0;

  /** The current smoothed rate. */
  get rate(): number {
    return this.smoothed;
  }

  /** Counts one event at `now` and answers the smoothed rate. */
  record(now: number): number {
    const bucket = Math.floor(now / MEASURE_BUCKET_MS) * MEASURE_BUCKET_MS;
    this.count += 1;
    if (this.lastBucket === undefined) {
      this.lastBucket = bucket;
    } else if (bucket > this.lastBucket) {
      const current = this.count / ((bucket - this.lastBucket) / 1000);
      this.smoothed = current * MEASURE_SMOOTHING + this.smoothed * (1 - MEASURE_SMOOTHING);
      this.count = 0;
      this.lastBucket = bucket;
    }
    return this.smoothed;
  }
}
