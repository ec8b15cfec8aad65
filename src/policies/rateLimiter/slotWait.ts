import { callInfoOf } from '../../observability/callInfo.js';
import type { EventHub } from '../../observability/EventHub.js';
import type { LimiterSettings, LimitPlan, RateLimitBackend } from '../../stores/rateLimitProtocol.js';
import type { Call } from '../call.js';
import { abortedError, rateLimitedTooLongError } from '../callErrors.js';
import { sleep } from '../sleep.js';
import type { StoreAccess } from '../storeAccess.js';

/** What {@link waitForSlot} asks and reports through. */
export interface SlotWaitDeps {
  readonly backend: RateLimitBackend;
  readonly settings: LimiterSettings;
  readonly access: StoreAccess;
  readonly hub: EventHub;
  /** `rateLimit.maxWaitMs`: the longest wait for a slot (ms). */
  readonly maxWaitMs: number;
}

/**
 * Waits for a slot for the call's next attempt: bounded by the call's budget, its abort and `maxWaitMs`;
 * each wait is reported through `onRateLimit`. Rejects with kind `throttled` when the next slot is beyond
 * what the call may wait (no request is sent). A backend that fails or times out lets the call go (a
 * synchronous one is asked directly: it neither throws nor hangs). Resolves with true when the call waited.
 */
export async function waitForSlot(deps: SlotWaitDeps, call: Call, plan: LimitPlan): Promise<boolean> {
  const { backend, settings, access, hub, maxWaitMs } = deps;
  const abort = call.ensureAbort();
  const bound = { deadline: call.deadline, abort };
  let waited = false;
  for (;;) {
    if (backend.free?.(plan) === true) return waited;
    const read =
      backend.synchronous === true
        ? backend.acquire(plan, settings, Date.now())
        : access.read(
            'rateLimit.acquire',
            call.scope,
            () => backend.acquire(plan, settings, Date.now()),
            bound,
          );
    const wait = typeof read === 'object' ? await read : read;
    if (abort.aborted) throw abortedError(call);
    // A store that failed (undefined) never holds a call back.
    if (wait === undefined || wait <= 0) return waited;
    const now = Date.now();
    if (now + wait > call.deadline) {
      throw rateLimitedTooLongError(call, wait, `${Math.max(0, call.deadline - now)} ms left in its budget`);
    }
    if (wait > maxWaitMs) throw rateLimitedTooLongError(call, wait, `rateLimit.maxWaitMs ${maxWaitMs}`);
    if (hub.listening.onRateLimit) {
      hub.emit('onRateLimit', { ...callInfoOf(call), attempt: call.attempts + 1, waitMs: wait });
    }
    await sleep(wait, abort, () => abortedError(call));
    waited = true;
  }
}
