import { MAX_TIMER_MS } from '../../options/rules.js';
import type { SweepCounters } from './concurrency.js';
import type { SweepTaskContext } from './SweepOptions.js';
import type { SweepEvents } from './sweepPlan.js';

/** The reason a task's signal is aborted with when the sweep cancels it (`stop: 'cancel'`). */
export const CANCELLED = Symbol('sweep cancelled');

/** How one attempt of a task ended. */
export type AttemptEnd =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: unknown; readonly timedOut: boolean; readonly cancelled: boolean };

/**
 * Runs one attempt of a tenant's task, bounded by `timeoutMs` (its signal is then aborted, and the sweep
 * stops waiting for it) and by `controller` (the sweep's cancel). Never throws: the end says how it went.
 */
export async function runAttempt(
  task: (tenantId: string, context: SweepTaskContext) => Promise<unknown>,
  context: SweepTaskContext,
  controller: AbortController,
  timeoutMs: number,
): Promise<AttemptEnd> {
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(controller.signal.reason);
    controller.signal.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(
      () => {
        timedOut = true;
        controller.abort(new Error(`the task ran past taskTimeoutMs (${timeoutMs} ms)`));
      },
      Math.min(MAX_TIMER_MS, timeoutMs),
    );
  });
  try {
    await Promise.race([Promise.resolve().then(() => task(context.tenantId, context)), stopped]);
    return { ok: true };
  } catch (error: unknown) {
    return { ok: false, error, timedOut, cancelled: !timedOut && controller.signal.reason === CANCELLED };
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) controller.signal.removeEventListener('abort', onAbort);
  }
}

/** Counts the handle's requests, limiter holds and 429s into `counters`; answers the unsubscribe. */
export function countEvents(
  events: SweepEvents,
  counters: { -readonly [K in keyof SweepCounters]: number },
): () => void {
  const subscriptions = [
    events.onRequest(() => {
      counters.calls += 1;
    }),
    events.onRateLimit(() => {
      counters.held += 1;
    }),
    events.onRetry((event) => {
      if (event.status === 429) counters.throttled += 1;
    }),
    events.onGiveUp((event) => {
      if (event.error.status === 429) counters.throttled += 1;
    }),
  ];
  return () => {
    for (const subscription of subscriptions) subscription.dispose();
  };
}
