import { MAX_TIMER_DELAY } from './sleep.js';

/** What the bucket tells an attempt whose deadline passed: a function, or an object's `attemptTimedOut()`. */
export type DeadlineTarget = (() => void) | { attemptTimedOut(): void };

/** A group of attempts sharing one deadline, one AbortController and one timer. */
export interface DeadlineBucket {
  /** Aborts when the bucket's deadline passes (passed to the adapter as the attempt's signal). */
  readonly signal: AbortSignal;
  /** Attempts of the bucket still in flight, each with what ends it as timed out. */
  readonly pending: Set<DeadlineTarget>;
}

interface Bucket extends DeadlineBucket {
  readonly due: number;
  /** The attempt limit of the bucket's attempts: the window it takes attempts in ends at `due - limit`. */
  readonly limit: number;
  readonly controller: AbortController;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Lifts Node's listener warning threshold for a shared signal (a no-op outside Node). */
function unlimitedListeners(signal: AbortSignal): void {
  const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const events = node?.getBuiltinModule?.('node:events') as
    | { setMaxListeners?: (n: number, ...targets: EventTarget[]) => void }
    | undefined;
  events?.setMaxListeners?.(0, signal);
}

/** Grain of the shared deadlines: at most this much later than exact, and at most 1/32 of the limit. */
const MAX_GRAIN_MS = 100;

/**
 * The shared sweep for attempt deadlines on the success path: instead of an AbortController and a timer per
 * attempt, attempts that start within the same short window with the same limit share one bucket (one
 * controller, one timer). An attempt's deadline is at least its limit and at most one grain later. A bucket
 * whose attempts all ended clears its timer at once, so nothing is left behind and nothing keeps the process
 * alive. Attempts that need an exact deadline (the caller's signal, the call's own budget) use their own.
 */
export class AttemptDeadlines {
  private readonly buckets = new Map<number, Bucket>();

  /** Joins the bucket of attempts limited to `limitMs` starting now. */
  enter(limitMs: number, onTimeout: () => void): DeadlineBucket;
  enter(limitMs: number, target: { attemptTimedOut(): void }): DeadlineBucket;
  enter(limitMs: number, onTimeout: DeadlineTarget): DeadlineBucket {
    const grain = Math.max(1, Math.min(MAX_GRAIN_MS, Math.floor(limitMs / 32)));
    const now = Date.now();
    const due = (Math.floor(now / grain) + 1) * grain + limitMs;
    let bucket = this.buckets.get(due);
    if (bucket === undefined) {
      this.prune(now);
      const controller = new AbortController();
      // Every attempt of the bucket's window hands this one signal to its adapter, which listens to it.
      unlimitedListeners(controller.signal);
      bucket = {
        due,
        limit: limitMs,
        controller,
        signal: controller.signal,
        pending: new Set(),
        timer: undefined,
      };
      this.buckets.set(due, bucket);
    }
    if (bucket.timer === undefined) {
      const armed = bucket;
      armed.timer = setTimeout(() => this.fire(armed), Math.min(Math.max(1, due - now), MAX_TIMER_DELAY));
    }
    bucket.pending.add(onTimeout);
    return bucket;
  }

  /**
   * An attempt of `bucket` ended: the last one out clears the timer (a later attempt of the same window
   * re-arms it), so an idle process has no timer of ours.
   */
  leave(bucket: DeadlineBucket, onTimeout: () => void): void;
  leave(bucket: DeadlineBucket, target: { attemptTimedOut(): void }): void;
  leave(bucket: DeadlineBucket, onTimeout: DeadlineTarget): void {
    const own = bucket as Bucket;
    own.pending.delete(onTimeout);
    if (own.pending.size === 0 && own.timer !== undefined) {
      clearTimeout(own.timer);
      own.timer = undefined;
    }
  }

  /** Drops idle buckets whose window has closed (no attempt can join them any more). */
  private prune(now: number): void {
    if (this.buckets.size < 8) return;
    for (const [due, bucket] of this.buckets) {
      if (bucket.timer === undefined && bucket.pending.size === 0 && due - bucket.limit <= now) {
        this.buckets.delete(due);
      }
    }
  }

  private fire(bucket: Bucket): void {
    bucket.timer = undefined;
    const left = bucket.due - Date.now();
    if (left > 0) {
      // A deadline beyond the longest timer: wait again for the rest.
      bucket.timer = setTimeout(() => this.fire(bucket), Math.min(left, MAX_TIMER_DELAY));
      return;
    }
    if (this.buckets.get(bucket.due) === bucket) this.buckets.delete(bucket.due);
    const late = [...bucket.pending];
    bucket.pending.clear();
    for (const target of late) {
      if (typeof target === 'function') target();
      else target.attemptTimedOut();
    }
    bucket.controller.abort();
  }
}
