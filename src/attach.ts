import {
  type AxiosAdapter,
  type AxiosInstance,
  getAdapter,
  type InternalAxiosRequestConfig,
  isAxiosError,
} from 'axios';
import { createAttemptAuth } from './auth/attemptAuth.js';
import { createErrorCodeTable } from './errors/errorCodes.js';
import { normalizeError } from './errors/normalizeError.js';
import { PartnerCenterError } from './errors/PartnerCenterError.js';
import { EventHub, eventsOf, type ResilienceEvents } from './observability/events.js';
import { createSecretValues } from './observability/knownSecrets.js';
import { createLog } from './observability/logger.js';
import { createSanitizerWith, type Sanitizer } from './observability/sanitizer.js';
import { normalizeOptions } from './options/normalize.js';
import type { ResilienceOptions } from './options.js';
import type { BreakerState } from './policies/breaker.js';
import { createEngine } from './policies/engine.js';
import { createScopePolicy, type ScopePolicy } from './policies/scopePolicy.js';
import { createStoreAccess } from './policies/storeAccess.js';
import { ScopeRegistry } from './tenancy/ScopeRegistry.js';
import { InMemoryScopeStateStore, type ScopeStateStore } from './tenancy/ScopeStateStore.js';

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
  readonly sanitizer: Sanitizer;
  /** Removes the library's interceptors; the instance behaves exactly as before. Calls in flight finish. Idempotent. */
  detach(): void;
  /** Breaker state of a scope, or `undefined` for a scope not seen (or evicted). */
  breakerState(scope: string): BreakerState | undefined;
  /** Number of scopes held in memory now. */
  readonly scopeCount: number;
}

const WRAPPED = Symbol.for('partner-center-resilience.wrappedAdapter');

/** Instances with a live handle: attaching twice would run two engines, one inside the other. */
const attached = new WeakSet<AxiosInstance>();

type WrappedAdapter = AxiosAdapter & { [WRAPPED]?: AxiosAdapter };

/** True when `list` holds the same entries as `other`, in the same order. */
function sameEntries(list: readonly unknown[], other: readonly unknown[] | undefined): boolean {
  if (other === undefined || list.length !== other.length) return false;
  for (let i = 0; i < list.length; i++) if (list[i] !== other[i]) return false;
  return true;
}

/** axios's own fetch adapter for this runtime, or `null` where it has none. */
function axiosFetchAdapter(): AxiosAdapter | null {
  try {
    return getAdapter('fetch');
  } catch {
    return null;
  }
}

/**
 * True for axios's own adapters (http, xhr, fetch): each settles as soon as its request's signal aborts, so an
 * attempt through one needs no race against its limit. A custom adapter is not trusted to.
 */
function isAxiosOwnAdapter(adapter: AxiosAdapter): boolean {
  const name = (adapter as { adapterName?: unknown }).adapterName;
  return name === 'http' || name === 'xhr' || adapter === axiosFetchAdapter();
}

/** Most distinct adapter settings whose wrapper is remembered. */
const WRAPPERS_LIMIT = 16;

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
    if (hub.has('onStoreError')) hub.emit('onStoreError', failure);
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

  const breakerDeps = { store, access, hub, log };
  const backoffs: Parameters<typeof createScopePolicy>[2] = new Map();
  const scopes = new ScopeRegistry<ScopePolicy>({
    maxScopes: normalized.maxScopes,
    idleEvictionMs: normalized.idleEvictionMs,
    create: (scope) =>
      createScopePolicy(
        scope,
        normalized.scopePolicies.get(scope) ?? normalized.policy,
        backoffs,
        breakerDeps,
      ),
    evictable: (policy) => policy.breaker?.refusing !== true,
  });
  let engine: ReturnType<typeof createEngine>;
  try {
    engine = createEngine({
      options: normalized,
      scopes,
      store,
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

  /** One wrapper per adapter setting (the instance default, or a request's own adapter). */
  const wrappers = new Map<unknown, WrappedAdapter>();
  // axios copies an adapter list into every request's config: a list of names is keyed by its contents, and
  // the last list seen is compared entry by entry first (no key string built per request).
  let lastList: readonly unknown[] | undefined;
  let lastListWrapper: WrappedAdapter | undefined;
  const wrapperOf = (setting: unknown): WrappedAdapter => {
    if (lastListWrapper !== undefined && Array.isArray(setting) && sameEntries(setting, lastList)) {
      return lastListWrapper;
    }
    const names = Array.isArray(setting) && setting.every((entry) => typeof entry === 'string');
    const key = names ? setting.join('|') : setting;
    let wrapped = wrappers.get(key);
    if (wrapped === undefined) {
      const base = getAdapter(setting as Parameters<typeof getAdapter>[0]);
      const settlesOnAbort = isAxiosOwnAdapter(base);
      wrapped = (config) => engine.execute(config, base, settlesOnAbort);
      wrapped[WRAPPED] = base;
      if (wrappers.size >= WRAPPERS_LIMIT) wrappers.clear();
      wrappers.set(key, wrapped);
    }
    if (names) {
      lastList = [...setting];
      lastListWrapper = wrapped;
    }
    return wrapped;
  };
  const requestId = instance.interceptors.request.use(
    (config: InternalAxiosRequestConfig) => {
      const current = config.adapter as WrappedAdapter | undefined;
      if (typeof current !== 'function' || current[WRAPPED] === undefined) {
        config.adapter = wrapperOf(current ?? instance.defaults.adapter);
      }
      return config;
    },
    undefined,
    { synchronous: true },
  );
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
      const policy = scopes.peek(scope);
      if (!policy) return undefined;
      return policy.breaker ? policy.breaker.state : 'closed';
    },
    get scopeCount() {
      return scopes.size;
    },
  };
  return handle;
}
