import type { AxiosResponse } from 'axios';
import type { EventHub } from '../observability/EventHub.js';
import { InMemoryScopeStateStore, type ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import { type Call, callInfo } from './call.js';
import type { PartnerRetryBudget } from './partnerRetryBudget.js';
import type { ScopePolicy } from './scopePolicy.js';
import type { StoreAccess } from './storeAccess.js';

/**
 * The success path's two questions to the scope: may this call take it (nothing holds the scope back), and
 * what a success records. The library's own in-memory store is read directly (its methods are synchronous
 * and never throw); any other store goes through `access`, which bounds and reports every call.
 */
export function createScopeHealth(
  store: ScopeStateStore,
  access: StoreAccess,
  hub: EventHub,
  partnerBudget: PartnerRetryBudget | undefined,
) {
  // Exactly the built-in class, with its own methods (checked per call: a subclass or a patched instance may
  // make one asynchronous or throwing, and goes through `access`).
  const local =
    store.constructor === InMemoryScopeStateStore ? (store as InMemoryScopeStateStore) : undefined;
  const own = InMemoryScopeStateStore.prototype;
  /** Set once the store answers with a promise: its calls then take the slow path, which awaits it. */
  let asyncStore = false;

  /**
   * True when nothing holds the scope back, so the success path may be taken; false when something does; or
   * the store's pending throttle read (an asynchronous store), which the slow path's gate then uses.
   */
  function healthy(call: Call, policy: ScopePolicy): boolean | Promise<number | undefined> {
    if (asyncStore || !policy.gate.idle || (policy.breaker !== undefined && !policy.breaker.closed)) {
      return false;
    }
    if (call.abort?.aborted === true) return false;
    const scope = call.scope;
    if (
      local !== undefined &&
      local.getThrottleDeadline === own.getThrottleDeadline &&
      local.getOpenUntil === own.getOpenUntil
    ) {
      return local.getThrottleDeadline(scope) === undefined && local.getOpenUntil(scope) === undefined;
    }
    const throttled = access.read('getThrottleDeadline', scope, () => store.getThrottleDeadline(scope), call);
    if (typeof throttled === 'object') {
      asyncStore = true;
      return throttled;
    }
    const now = Date.now();
    if (throttled !== undefined && throttled > now) return false;
    const openUntil = access.peek('getOpenUntil', scope, () => store.getOpenUntil(scope));
    if (openUntil === access.pending) {
      asyncStore = true;
      return false;
    }
    return openUntil === undefined || openUntil <= now;
  }

  /** Records a success: the retry budgets' refunds (the scope's and the partner's), and the `onSuccess` event. */
  function succeeded(call: Call, response: AxiosResponse): void {
    const { scope, options } = call;
    if (local !== undefined && local.refundRetryToken === own.refundRetryToken) {
      local.refundRetryToken(scope, options.retryBudget);
    } else access.write('refundRetryToken', scope, () => store.refundRetryToken(scope, options.retryBudget));
    partnerBudget?.refund();
    if (hub.has('onSuccess')) {
      hub.emit('onSuccess', {
        ...callInfo(call),
        attempts: call.attempts,
        durationMs: Date.now() - call.startedAt,
        status: response.status,
      });
    }
  }

  return { healthy, succeeded };
}
