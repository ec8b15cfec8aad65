/** Task durations a sweep keeps to judge a stalled task by. */
const DURATIONS_KEPT = 64;
/** Durations known before any task counts as stalled. */
const DURATIONS_NEEDED = 8;
/** A task running longer than this many times the median duration is stalled... */
export const STALL_FACTOR = 4;
/** ...and never before this many ms. */
export const MIN_STALL_MS = 1000;

/**
 * The tenants waiting to start: those the source gave, in its order, and those to try again from a time on.
 * It also judges when a running task is stalled (see {@link TenantQueue.stallAfterMs}).
 */
export class TenantQueue {
  private readonly ready: string[] = [];
  private head = 0;
  private readonly later: { readonly id: string; readonly at: number }[] = [];
  private readonly durations: number[] = [];
  private stallMs = Number.POSITIVE_INFINITY;

  /** Adds a tenant to start in turn. */
  push(id: string): void {
    this.ready.push(id);
  }

  /** Adds a tenant to start once `at` (epoch ms) has come. */
  retryAt(id: string, at: number): void {
    this.later.push({ id, at });
  }

  /** True when no tenant waits, now or later. */
  get empty(): boolean {
    return this.head >= this.ready.length && this.later.length === 0;
  }

  /** When the next retry is due (epoch ms), or `undefined`. */
  get nextRetryAt(): number | undefined {
    let next: number | undefined;
    for (const entry of this.later) if (next === undefined || entry.at < next) next = entry.at;
    return next;
  }

  /** The next tenant to start at `now` (retries whose time has come first), or `undefined`. */
  next(now: number): string | undefined {
    const due = this.later.findIndex((entry) => entry.at <= now);
    if (due !== -1) return this.later.splice(due, 1)[0]?.id;
    if (this.head >= this.ready.length) return undefined;
    const id = this.ready[this.head] as string;
    this.ready[this.head++] = '';
    if (this.head > 1024 && this.head * 2 > this.ready.length) {
      this.ready.splice(0, this.head);
      this.head = 0;
    }
    return id;
  }

  /** Records a finished task's duration. */
  finished(durationMs: number): void {
    this.durations.push(durationMs);
    if (this.durations.length > DURATIONS_KEPT) this.durations.shift();
    if (this.durations.length < DURATIONS_NEEDED) return;
    const sorted = [...this.durations].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    this.stallMs = Math.max(MIN_STALL_MS, STALL_FACTOR * median);
  }

  /**
   * How long a task may run before it stops taking a slot of the concurrency: {@link STALL_FACTOR} x the
   * median of the last durations, at least {@link MIN_STALL_MS}; `Infinity` until 8 tasks have finished. A
   * tenant held up by its own throttle or breaker then no longer keeps the others from starting.
   */
  get stallAfterMs(): number {
    return this.stallMs;
  }
}
