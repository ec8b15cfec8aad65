/** Width of one measuring bucket (ms): the AWS SDKs' 0.5 s. */
export const MEASURE_BUCKET_MS = 500;
/** Weight of the newest bucket in the smoothed rate. */
export const MEASURE_SMOOTHING = 0.8;

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
 */
export class MeasuredRate {
  private count = 0;
  /** When the open bucket started (epoch ms), or undefined before the first answer. */
  private start: number | undefined;
  private smoothed = 0;
  /** True until the first bucket closes (since the start or the last resume). */
  private provisional = true;
  private lastAt = 0;
  /** When measuring began (the first answer, or the first request sent after the last pause). */
  private sinceAt = 0;
  /** When the scope was paused by a throttle, until an answer to a request sent after it comes. */
  private heldAt: number | undefined;

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
      this.sinceAt = sentAt;
    }
    if (counted) this.count += 1;
    this.lastAt = now;
    if (this.start === undefined) {
      this.start = now;
      this.sinceAt = now;
    } else if (now - this.start >= MEASURE_BUCKET_MS) {
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
   * The rate over the time measured so far plus `pauseMs` more of silence: what the scope got through before
   * a throttle, spread over the time until the server lets it send again (the throttle's Retry-After). A
   * sliding-window quota throttles a client that sent `n` calls in a burst `E` ms long with a Retry-After of
   * about the window's length less `E`, so `n / (E + pause)` estimates the quota itself, where {@link rate}
   * (`n / max(0.5 s, E)`) says only how fast the burst went. Over a long measurement the pause weighs little
   * and this is {@link rate}. `pauseMs <= 0`: {@link rate}.
   */
  rateSpanning(pauseMs: number): number {
    if (!(pauseMs > 0)) return this.rate;
    if (this.start === undefined) return 0;
    if (this.provisional)
      return (this.count * 1000) / Math.max(MEASURE_BUCKET_MS, this.lastAt - this.start + pauseMs);
    const span = Math.max(0, this.lastAt - this.sinceAt);
    return (this.smoothed * span) / (span + pauseMs);
  }

  /** When measuring began (epoch ms): the first answer, or the first request sent after the last pause. */
  get since(): number {
    return this.sinceAt;
  }

  /** The scope was paused at `now` by a throttle: see {@link record}'s `sentAt`. */
  hold(now: number): void {
    if (this.heldAt === undefined) this.heldAt = now;
  }
}
