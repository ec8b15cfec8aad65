import type { SweepCounters } from './concurrency.js';
import type { SweepEvents } from './sweepPlan.js';

/** Running totals a sweep (or a BullMQ worker) keeps: the concurrency adapts to them. */
export type CountedCalls = { -readonly [K in keyof SweepCounters]: number };

/**
 * Counts, from a handle's events, the attempts sent (`onRequest`), the 429s answered (a retry or a give-up
 * after a 429) and the rate limiter's holds (`onRateLimit`), into `totals`; `dispose()` stops counting.
 * Without events every count stays 0 (the caller may count its tasks' 429s itself).
 */
export function countCalls(events: SweepEvents | undefined): {
  readonly totals: CountedCalls;
  dispose(): void;
} {
  const totals: CountedCalls = { calls: 0, throttled: 0, held: 0 };
  if (events === undefined) return { totals, dispose: () => undefined };
  const subscriptions = [
    events.onRequest(() => {
      totals.calls += 1;
    }),
    events.onRateLimit(() => {
      totals.held += 1;
    }),
    events.onRetry((event) => {
      if (event.status === 429) totals.throttled += 1;
    }),
    events.onGiveUp((event) => {
      if (event.error.status === 429) totals.throttled += 1;
    }),
  ];
  return {
    totals,
    dispose() {
      for (const subscription of subscriptions) subscription.dispose();
    },
  };
}
