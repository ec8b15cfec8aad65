import type { ResilienceHandle } from '../attach.js';
import type { SweepCounters } from '../workflows/sweep/concurrency.js';

/** Running totals of what an attached instance sent, for the adaptive concurrency; `dispose()` stops counting. */
export interface CountingCounters extends SweepCounters {
  dispose(): void;
}

/** The handle of a first argument: a {@link ResilienceHandle}, or a client carrying one (`client.resilience`). */
export function handleOf(client: unknown): ResilienceHandle | undefined {
  const isHandle = (value: unknown): value is ResilienceHandle =>
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { onRequest?: unknown }).onRequest === 'function' &&
    typeof (value as { onRateLimit?: unknown }).onRateLimit === 'function';
  if (isHandle(client)) return client;
  const carried =
    client !== null && (typeof client === 'object' || typeof client === 'function')
      ? (client as { resilience?: unknown }).resilience
      : undefined;
  return isHandle(carried) ? carried : undefined;
}

/**
 * Counts, from the handle's events, the attempts sent (`onRequest`), the 429s answered (a retry or a give-up
 * after a 429) and the rate limiter's holds (`onRateLimit`). Without a handle every count stays 0.
 */
export function countCalls(handle: ResilienceHandle | undefined): CountingCounters {
  const totals = { calls: 0, throttled: 0, held: 0 };
  if (handle === undefined) return { ...totals, dispose: () => undefined };
  const subscriptions = [
    handle.onRequest(() => {
      totals.calls += 1;
    }),
    handle.onRetry((event) => {
      if (event.status === 429) totals.throttled += 1;
    }),
    handle.onGiveUp((event) => {
      if (event.error.status === 429) totals.throttled += 1;
    }),
    handle.onRateLimit(() => {
      totals.held += 1;
    }),
  ];
  return {
    get calls() {
      return totals.calls;
    },
    get throttled() {
      return totals.throttled;
    },
    get held() {
      return totals.held;
    },
    dispose() {
      for (const subscription of subscriptions) subscription.dispose();
    },
  };
}
