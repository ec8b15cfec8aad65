import { type AxiosInstance, isAxiosError } from 'axios';
import { createAttemptAuth } from './auth/attemptAuth.js';
import { createErrorCodeTable } from './errors/classify.js';
import { normalizeError } from './errors/normalizeError.js';
import { PartnerCenterError } from './errors/PartnerCenterError.js';
import { EventHub, eventsOf } from './observability/EventHub.js';
import type { ResilienceEvents } from './observability/events.js';
import { createSecretValues } from './observability/knownSecrets.js';
import { createLog } from './observability/logger.js';
import { createSanitizerWith } from './observability/sanitizer.js';
import { normalizeOptions } from './options/normalizeOptions.js';
import type { ResilienceOptions } from './options/ResilienceOptions.js';
import type { BreakerState } from './policies/breaker.js';
import { createEngine } from './policies/engine.js';
import { createStoreAccess } from './policies/storeAccess.js';
import { InMemoryScopeStateStore } from './tenancy/InMemoryScopeStateStore.js';
import type { ScopeStateStore } from './tenancy/ScopeStateStore.js';

export type { BreakerState } from './policies/breaker.js';

/** What {@link attachResilience} returns. */
export interface ResilienceHandle extends ResilienceEvents {
  /**
   * The instance the library is attached to. Hand the handle itself to `paginate` and `pollOperation`: they
   * send through this instance and scrub their own errors with {@link ResilienceHandle.sanitizer}.
   */
  readonly instance: AxiosInstance;
  /**
   * The redaction this attachment uses for its errors, events and logs: the built-in allow-lists, the
   * `allowedQueryParameters` and `secrets` options, and every token it sent. Use it to redact your own logs
   * (`handle.sanitizer.scrubText(text)`); `paginate` and `pollOperation` use it for the errors they build.
   */
  readonly sanitizer: {
    /** Returns the URL with userinfo removed and every query value outside the allow-list replaced. */
    sanitizeUrl(url: string): string;
    /** Returns only the allow-listed headers, lower-cased, as strings. */
    sanitizeHeaders(headers: unknown): Record<string, string>;
    /**
     * Removes bearer tokens, JWTs, the known secrets and `secret=`-style pairs from free text, sanitizes the
     * absolute URLs it contains like `sanitizeUrl`, and redacts query pairs whose key is outside the allow-list.
     */
    scrubText(text: string): string;
  };
  /** Removes the library's interceptors; the instance behaves exactly as before. Calls in flight finish. Idempotent. */
  detach(): void;
  /** Breaker state of a scope, or `undefined` for a scope not seen (or evicted). */
  breakerState(scope: string): BreakerState | undefined;
  /**
   * The circuit breaker of a scope (e.g. `customer:<tenant id>`, see `customerScope()`), made if the scope has
   * not been seen: hold it open by hand, or close it. `undefined` when breakers are off for the scope.
   */
  breaker(scope: string): BreakerControl | undefined;
  /** Number of scopes held in memory now. */
  readonly scopeCount: number;
}

/** A scope's circuit breaker, by hand (see {@link ResilienceHandle.breaker}). */
export interface BreakerControl {
  /** The breaker's state now. */
  readonly state: BreakerState;
  /**
   * Holds the breaker open (calls of the scope fail at once with `circuit-open`, nothing sent) until the
   * returned handle's `dispose()` or {@link BreakerControl.reset}. E.g. while a tenant is being migrated.
   */
  isolate(): { dispose(): void };
  /**
   * Closes the breaker now: failures counted so far are forgotten, an isolation is lifted, and the store's
   * open hint is cleared (processes sharing the store let calls through again). Reported through `onReset`
   * when the breaker was not closed.
   */
  reset(): void;
}

/** Instances with a live handle: attaching twice would run two engines, one inside the other. */
const attached = new WeakSet<AxiosInstance>();

/**
 * Attaches Partner Center resilience to an existing axios instance: every logical call then runs through
 * the policies of its tenant scope (throttle gate, circuit breaker, retry with Retry-After first,
 * timeouts), and every failure reaches the caller as one typed {@link PartnerCenterError}.
 *
 * The instance's own interceptors, defaults, custom adapter and agents keep working; `detach()` restores it.
 * Options are validated here: invalid options throw a `ResilienceOptionsError` naming each problem.
 */
export function attachResilience(instance: AxiosInstance, options: ResilienceOptions = {}): ResilienceHandle {
  if (attached.has(instance)) {
    throw new TypeError(
      'partner-center-resilience is already attached to this axios instance: detach() the first handle before attaching again',
    );
  }
  const normalized = normalizeOptions(options);
  const log = createLog(normalized.logger);
  // Every token the engine sends is added to `secrets`, so that the sanitizer removes it wherever it shows.
  const secrets = createSecretValues();
  const sanitizer = createSanitizerWith(
    { allowedQueryParameters: normalized.allowedQueryParameters, secrets: normalized.secrets },
    secrets,
  );
  const hub = new EventHub(normalized.hooks, log, sanitizer.scrubText);
  const codes = createErrorCodeTable(normalized.errorCodes);
  const store: ScopeStateStore =
    normalized.store ?? new InMemoryScopeStateStore({ maxScopes: normalized.maxScopes });
  const reportStoreFailure = (failure: { scope: string; operation: string; reason: string }) => {
    if (hub.listening.onStoreError) hub.emit('onStoreError', failure);
  };
  const access = createStoreAccess(log, sanitizer, reportStoreFailure, normalized.storeTimeoutMs);
  // Failures a store absorbs itself (a Redis store answering from memory) are reported the same way.
  const unsubscribeStore = store.onFailure?.((failure) => {
    const reason = sanitizer.scrubText(
      failure.error instanceof Error ? failure.error.message : String(failure.error),
    );
    if (failure.resetKey === undefined) {
      log?.('warn', 'scope store failed; answered from its local fallback', {
        operation: failure.operation,
        scope: failure.scope,
        error: reason,
      });
    } else {
      log?.('warn', 'scope store reset a key it could not read; the operation went on in the store', {
        operation: failure.operation,
        scope: failure.scope,
        key: sanitizer.scrubText(failure.resetKey),
        error: reason,
      });
    }
    reportStoreFailure({ scope: failure.scope, operation: failure.operation, reason });
  });

  let engine: ReturnType<typeof createEngine>;
  try {
    engine = createEngine({
      options: normalized,
      store,
      privateStore: normalized.store === undefined,
      defaults: instance.defaults,
      access,
      hub,
      sanitizer,
      codes,
      log,
      auth: normalized.tokenProvider
        ? createAttemptAuth({
            provider: normalized.tokenProvider,
            options: normalized.token,
            hub,
            log,
            maxScopes: normalized.maxScopes,
            partnerScope: normalized.partnerScope,
            secrets,
          })
        : undefined,
    });
  } catch (error: unknown) {
    // Nothing of a refused attach stays subscribed.
    unsubscribeStore?.();
    throw error;
  }

  const requestId = instance.interceptors.request.use(engine.interceptRequest, undefined, {
    synchronous: true,
  });
  // axios's own failures outside the engine (a cancel before the request was dispatched, a response body
  // axios could not parse) become PartnerCenterErrors; what the caller's own code threw (an interceptor, a
  // transformResponse) goes on as it was thrown.
  const responseId = instance.interceptors.response.use(undefined, (error: unknown) =>
    Promise.reject(
      PartnerCenterError.is(error) || !isAxiosError(error)
        ? error
        : normalizeError(error, { codes, sanitizer }),
    ),
  );

  attached.add(instance);
  let detached = false;
  const handle: ResilienceHandle = {
    ...eventsOf(hub),
    instance,
    sanitizer,
    detach() {
      if (detached) return;
      detached = true;
      attached.delete(instance);
      unsubscribeStore?.();
      instance.interceptors.request.eject(requestId);
      instance.interceptors.response.eject(responseId);
    },
    breakerState(scope: string): BreakerState | undefined {
      const policy = engine.scopes.peek(scope);
      if (!policy) return undefined;
      return policy.breaker ? policy.breaker.state : 'closed';
    },
    breaker(scope: string): BreakerControl | undefined {
      const breaker = engine.scopes.get(scope).breaker;
      if (breaker === undefined) return undefined;
      return {
        get state() {
          return breaker.state;
        },
        isolate: () => breaker.isolate(),
        reset: () => breaker.reset(),
      };
    },
    get scopeCount() {
      return engine.scopes.size;
    },
  };
  return handle;
}
