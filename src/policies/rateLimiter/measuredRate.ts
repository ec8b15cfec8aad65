/** Width of one measuring bucket (ms): the AWS SDKs' 0.5 s. */
export const MEASURE_BUCKET_MS = 500;
/** Weight of the newest bucket in the smoothed rate. */
export const MEASURE_SMOOTHING = 0.8;
/** A silence longer than this (ms) between two answers ends a run of answers (see {@link MeasuredRate.quotaEstimate}). */
export const RUN_GAP_MS = 1000;

/** An estimate of a quota: calls per second, and the time (ms) its calls are spread over. */
export interface QuotaEstimate {
  readonly rate: number;
  readonly spanMs: number;
}

/**
 * The smoothed rate (requests/s) of a scope's answers, measured as the AWS SDKs measure their send rate:
 * answers are counted per bucket of at least 0.5 s; when a bucket closes, its count over its width updates an
 * exponentially smoothed rate (`0.8 * new + 0.2 * old`). Until the first bucket closes, the rate is the count
 * over the time since the first answer (at least one bucket's width): a throttle in a client's first half
 * second would otherwise find a rate of 0 and drop the learnt rate to its floor.
 *
 * A throttle pauses the scope ({@link hold}): answers to requests sent before it are not counted, and
 * measuring starts over from the first request sent after it ({@link resume}). The rate after a Retry-After
 * pause is then the rate the scope got through while it could send, not one diluted by a second of silence
 * the server imposed (which would set the next throttle's rate far below the quota), nor one remembered from
 * before the throttle (which was too high).
 *
 * The fields the common answer changes (`count`, `runCount`, `lastAt`) are also written by the limiter's fast
 * path (src/policies/callLimiter.ts), which counts an answer that closes no bucket, starts no run and ends no
 * pause as {@link record} does, without a call; the other fields are written here only.
 */
export class MeasuredRate {
  /** Answers counted in the open bucket. */
  count = 0;
  /** When the open bucket started (epoch ms), or undefined before the first answer. */
  start: number | undefined;
  private smoothed = 0;
  /** True until the first bucket closes (since the start or the last resume). */
  private provisional = true;
  /** When the last answer came (epoch ms). */
  lastAt = 0;
  /** When the scope was paused by a throttle, until an answer to a request sent after it comes. */
  heldAt: number | undefined;
  /** The current run of answers (none more than {@link RUN_GAP_MS} apart): its start and counted answers. */
  runStart: number | undefined;
  runCount = 0;

  /** The current smoothed rate (before the first bucket closes: the count so far over the time so far). */
  get rate(): number {
    if (!this.provisional) return this.smoothed;
    if (this.start === undefined) return 0;
    return (this.count * 1000) / Math.max(MEASURE_BUCKET_MS, this.lastAt - this.start);
  }

  /** True once the rate spans at least one bucket's width since the start or the last pause. */
  get settled(): boolean {
    return !this.provisional || (this.start !== undefined && this.lastAt - this.start >= MEASURE_BUCKET_MS);
  }

  /**
   * Records an answer at `now` and answers the smoothed rate; `counted`: false for an answer that only moves
   * the clock (a 429). `sentAt`: when the answered request was sent (default `now`); answers to requests sent
   * before a pause began are not counted.
   */
  record(now: number, counted = true, sentAt = now): number {
    const held = this.heldAt;
    if (held !== undefined) {
      if (sentAt < held) return this.rate;
      // The first request sent after the pause: measuring starts over from its send.
      this.heldAt = undefined;
      this.provisional = true;
      this.count = 0;
      this.start = sentAt;
      this.runStart = sentAt;
      this.runCount = 0;
    } else if (this.runStart === undefined || now - this.lastAt > RUN_GAP_MS) {
      this.runStart = now;
      this.runCount = 0;
    }
    if (counted) {
      this.count += 1;
      this.runCount += 1;
    }
    this.lastAt = now;
    if (this.start === undefined) this.start = now;
    else if (now - this.start >= MEASURE_BUCKET_MS) {
      const current = (this.count * 1000) / (now - this.start);
      this.smoothed = this.provisional
        ? current
        : current * MEASURE_SMOOTHING + this.smoothed * (1 - MEASURE_SMOOTHING);
      this.provisional = false;
      this.count = 0;
      this.start = now;
    }
    return this.rate;
  }

  /**
   * The rate of the current run of answers (since the last silence longer than {@link RUN_GAP_MS}, or the
   * last pause), over at least one bucket's width; beside {@link rate}, which a long silence before the run
   * dilutes (a bucket spanning it counts almost nothing).
   */
  get runRate(): number {
    if (this.runStart === undefined) return 0;
    return (this.runCount * 1000) / Math.max(MEASURE_BUCKET_MS, this.lastAt - this.runStart);
  }

  /**
   * What the scope got through before a throttle, spread over the time until the server lets it send again
   * (`pauseMs`, the throttle's Retry-After): an estimate of the quota. A quota counted over a window throttles
   * a client that sent `n` calls in a burst `E` ms long with a Retry-After of about the window's length less
   * `E`, so `n / (E + pause)` estimates the quota itself, where {@link rate} (`n / max(0.5 s, E)`) says only how
   * fast the burst went. `n` is the current run's (since the last silence longer than {@link RUN_GAP_MS} or
   * the last pause: a burst after a long silence is estimated from the burst), or, once a bucket has closed,
   * the smoothed rate over the run's length when that is more (a rate that rose during a long run).
   */
  quotaEstimate(pauseMs: number): QuotaEstimate {
    const pause = Math.max(0, pauseMs);
    const runMs = this.runStart === undefined ? 0 : this.lastAt - this.runStart;
    const spanMs = Math.max(MEASURE_BUCKET_MS, runMs + pause);
    const calls = this.provisional ? this.runCount : Math.max(this.runCount, (this.smoothed * runMs) / 1000);
    return { rate: (calls * 1000) / spanMs, spanMs };
  }

  /** The scope was paused at `now` by a throttle: see {@link record}'s `sentAt`. */
  hold(now: number): void {
    if (this.heldAt === undefined) this.heldAt = now;
  }
}
