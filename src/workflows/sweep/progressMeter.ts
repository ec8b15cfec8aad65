/** The span the finish rate is measured over, in ms. */
export const RATE_WINDOW_MS = 10_000;
const SLOT_MS = 1000;
const SLOTS = RATE_WINDOW_MS / SLOT_MS;

/** Tenants finished per second over the last {@link RATE_WINDOW_MS} (one-second slots, timer-free). */
export class ProgressMeter {
  private readonly counts = new Array<number>(SLOTS).fill(0);
  private slot = 0;

  constructor(private readonly startedAt: number) {}

  /** Counts one tenant finished at `now`. */
  finished(now: number): void {
    this.advance(now);
    this.counts[this.slot % SLOTS] = (this.counts[this.slot % SLOTS] ?? 0) + 1;
  }

  /** The rate at `now`: finishes in the window over the window's span (the time since start, when shorter). */
  rate(now: number): number {
    this.advance(now);
    const span = Math.min(RATE_WINDOW_MS, Math.max(SLOT_MS, now - this.startedAt));
    const total = this.counts.reduce((sum, count) => sum + count, 0);
    return (total * 1000) / span;
  }

  /**
   * Ms until `pending` tenants are finished at the rate at `now`: 0 when none is pending; `undefined` while the
   * total is not known or nothing has finished in the window.
   */
  etaMs(now: number, pending: number, totalKnown: boolean): number | undefined {
    if (pending === 0) return 0;
    const rate = this.rate(now);
    return totalKnown && rate > 0 ? Math.round((pending * 1000) / rate) : undefined;
  }

  private advance(now: number): void {
    const target = Math.floor((now - this.startedAt) / SLOT_MS);
    if (target <= this.slot) return;
    for (let next = this.slot + 1; next <= Math.min(target, this.slot + SLOTS); next++)
      this.counts[next % SLOTS] = 0;
    this.slot = target;
  }
}
