/** Running totals the concurrency is adjusted from (requests sent, 429s, limiter holds), never reset. */
export interface SweepCounters {
  /** Requests sent (attempts). */
  readonly calls: number;
  /** 429 responses. */
  readonly throttled: number;
  /** Times the rate limiter held a request back for a slot. */
  readonly held: number;
}

/** Share of a round's requests the limiter may hold back while the concurrency still grows. */
export const GROW_WHILE_HELD_BELOW = 0.1;
/** The concurrency after a round with a 429: this fraction of what it was. */
export const SHRINK_ON_THROTTLE = 0.7;

/**
 * How many tasks a sweep runs at once: TCP-style slow start and AIMD on the sweep's own rounds. A round is as
 * many task ends as the limit allowed at its start. After a round with no 429 in which the rate limiter held
 * back fewer than {@link GROW_WHILE_HELD_BELOW} of the requests (the quota has room the sweep does not use),
 * the limit doubles (slow start) or, once a round has been throttled, grows by one. A round with a 429
 * multiplies it by {@link SHRINK_ON_THROTTLE}. A round in which the limiter held requests back keeps it: the
 * limiter is pacing, and more tasks would only wait in it. Timer-free and bounded to `min..max`.
 */
export class AdaptiveConcurrency {
  private current: number;
  private slowStart = true;
  private endsLeft: number;
  private mark: SweepCounters = { calls: 0, throttled: 0, held: 0 };

  constructor(
    initial: number,
    private readonly max: number,
    private readonly min = 1,
  ) {
    this.current = Math.min(max, Math.max(min, Math.floor(initial)));
    this.endsLeft = this.current;
  }

  /** Tasks allowed to run at once now. */
  get limit(): number {
    return this.current;
  }

  /** True until the first round with a 429. */
  get slowStarting(): boolean {
    return this.slowStart;
  }

  /** Records a task's end with the totals now; at the end of a round, adjusts {@link limit}. */
  taskEnded(totals: SweepCounters): void {
    this.endsLeft -= 1;
    if (this.endsLeft > 0) return;
    const calls = totals.calls - this.mark.calls;
    const throttled = totals.throttled - this.mark.throttled;
    const held = Math.min(calls, totals.held - this.mark.held);
    this.mark = { calls: totals.calls, throttled: totals.throttled, held: totals.held };
    if (throttled > 0) {
      this.slowStart = false;
      this.current = Math.max(this.min, Math.floor(this.current * SHRINK_ON_THROTTLE));
    } else if (held <= calls * GROW_WHILE_HELD_BELOW) {
      this.current = Math.min(this.max, this.slowStart ? this.current * 2 : this.current + 1);
    }
    this.endsLeft = this.current;
  }
}
