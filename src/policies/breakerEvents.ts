import { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { CallInfo, EventHub } from '../observability/events.js';
import type { Log } from '../observability/logger.js';
import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import type { ScopePolicy } from './scopePolicy.js';
import type { StoreAccess } from './storeAccess.js';

/** What {@link watchBreaker} reports to. */
export interface BreakerWatch {
  readonly store: ScopeStateStore;
  readonly access: StoreAccess;
  readonly hub: EventHub;
  readonly log: Log | undefined;
}

function callOf(error: PartnerCenterError, scope: string): CallInfo {
  return {
    requestId: error.requestId ?? '',
    correlationId: error.correlationId ?? '',
    scope,
    method: error.method ?? '',
    url: error.url ?? '',
  };
}

/**
 * Reports a scope's breaker transitions to the store (so other processes see an open breaker), the log and
 * the hooks. Each event is attributed to the call that caused it: the failure that opened the breaker, the
 * call whose `execute()` moved it to half-open, and that same test call when it closes.
 */
export function watchBreaker(policy: ScopePolicy, watch: BreakerWatch): void {
  const breaker = policy.breaker;
  if (!breaker) return;
  const { store, access, hub, log } = watch;
  const scope = policy.scope;
  // Copies the fields: a call's URL is redacted lazily, on first read.
  const infoOf = (call: CallInfo | undefined): CallInfo =>
    call
      ? {
          requestId: call.requestId,
          correlationId: call.correlationId,
          scope,
          method: call.method,
          url: call.url,
        }
      : { requestId: '', correlationId: '', scope, method: '', url: '' };

  breaker.onBreak((reason) => {
    access.write('setOpenUntil', scope, () =>
      store.setOpenUntil(scope, Date.now() + policy.options.circuitBreaker.halfOpenAfterMs),
    );
    const error = 'error' in reason ? reason.error : undefined;
    const cause = PartnerCenterError.is(error) ? error : undefined;
    policy.halfOpenCall = undefined;
    let why = 'failures';
    if ('isolated' in reason) why = 'isolated by hand';
    else if (cause) {
      why = `${cause.kind}${cause.status ? ` ${cause.status}` : ''}: ${cause.reason ?? cause.description ?? 'failure'}`;
    }
    log?.('warn', `circuit breaker of scope ${scope} opened`, { scope, reason: why });
    if (hub.has('onBreak')) {
      hub.emit('onBreak', { ...(cause ? callOf(cause, scope) : infoOf(policy.activeCall)), reason: why });
    }
  });
  breaker.onHalfOpen(() => {
    policy.halfOpenCall = policy.activeCall;
    log?.('info', `circuit breaker of scope ${scope} is half-open: one test call goes through`, { scope });
    if (hub.has('onHalfOpen')) {
      hub.emit('onHalfOpen', { ...infoOf(policy.activeCall), reason: 'testing with one call' });
    }
  });
  breaker.onReset(() => {
    access.write('setOpenUntil', scope, () => store.setOpenUntil(scope, undefined));
    log?.('info', `circuit breaker of scope ${scope} closed`, { scope });
    if (hub.has('onReset')) {
      hub.emit('onReset', { ...infoOf(policy.halfOpenCall), reason: 'the test call succeeded' });
    }
    policy.halfOpenCall = undefined;
  });
}
