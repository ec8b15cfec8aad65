import {
  type AxiosAdapter,
  type AxiosInstance,
  getAdapter,
  type InternalAxiosRequestConfig,
  isCancel,
} from 'axios';
import { createAttemptAuth } from './auth/attemptAuth.js';
import { createErrorCodeTable } from './errors/errorCodes.js';
import { normalizeError } from './errors/normalizeError.js';
import { PartnerCenterError } from './errors/PartnerCenterError.js';
import { EventHub, eventsOf, type ResilienceEvents } from './observability/events.js';
import { createLog } from './observability/logger.js';
import { createSanitizer } from './observability/sanitizer.js';
import { normalizeOptions, type ResilienceOptions } from './options.js';
import { createEngine } from './policies/compose.js';
import { CircuitState, createScopePolicy, isBreakerOpen, type ScopePolicy } from './policies/scopePolicy.js';
import { ScopeRegistry } from './tenancy/ScopeRegistry.js';
import { InMemoryScopeStateStore } from './tenancy/ScopeStateStore.js';

/** State of a scope's circuit breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/** What {@link attachResilience} returns. */
export interface ResilienceHandle extends ResilienceEvents {
  /** The instance the library is attached to. */
  readonly instance: AxiosInstance;
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

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * Attaches Partner Center resilience to an existing axios instance: every logical call then runs through
 * the cockatiel policy of its tenant scope (throttle gate, circuit breaker, retry with Retry-After first,
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
  const hub = new EventHub(normalized.hooks, log);
  const sanitizer = createSanitizer({ allowedQueryParameters: normalized.allowedQueryParameters });
  const codes = createErrorCodeTable(normalized.errorCodes);
  const store = normalized.store ?? new InMemoryScopeStateStore({ maxScopes: normalized.maxScopes });

  const scopes: ScopeRegistry<ScopePolicy> = new ScopeRegistry<ScopePolicy>({
    maxScopes: normalized.maxScopes,
    idleEvictionMs: normalized.idleEvictionMs,
    create: (scope) => {
      const policy = createScopePolicy(scope, normalized.scopePolicies.get(scope) ?? normalized.policy);
      engine.watchBreaker(policy);
      return policy;
    },
    evictable: (policy) => !isBreakerOpen(policy),
  });
  const engine = createEngine({
    options: normalized,
    scopes,
    store,
    hub,
    sanitizer,
    codes,
    log,
    auth: normalized.tokenProvider
      ? createAttemptAuth({
          provider: normalized.tokenProvider,
          options: options.token,
          hub,
          log,
          maxScopes: normalized.maxScopes,
          partnerScope: normalized.partnerScope,
        })
      : undefined,
  });

  /** The engine's error of each call the caller cancelled, by the call's config (see the response interceptor). */
  const cancelled = new WeakMap<object, PartnerCenterError>();
  const requestId = instance.interceptors.request.use(
    (config: InternalAxiosRequestConfig) => {
      const current = config.adapter as WrappedAdapter | undefined;
      const base: AxiosAdapter =
        typeof current === 'function' && current[WRAPPED]
          ? current[WRAPPED]
          : getAdapter(config.adapter ?? instance.defaults.adapter);
      const wrapped: WrappedAdapter = (attemptConfig) =>
        engine.execute(attemptConfig, base).catch((error: unknown) => {
          if (PartnerCenterError.is(error) && error.kind === 'cancelled') cancelled.set(attemptConfig, error);
          throw error;
        });
      wrapped[WRAPPED] = base;
      config.adapter = wrapped;
      return config;
    },
    undefined,
    { synchronous: true },
  );
  const responseId = instance.interceptors.response.use(undefined, (error: unknown) => {
    if (PartnerCenterError.is(error)) return Promise.reject(error);
    // On a caller abort axios replaces the engine's error with a bare CanceledError: give back the engine's,
    // which carries the call's scope and attempts (and is the one onGiveUp reported).
    const config = isCancel(error) ? (error as { config?: unknown }).config : undefined;
    const known = config !== null && typeof config === 'object' ? cancelled.get(config) : undefined;
    return Promise.reject(known ?? normalizeError(error, { codes, sanitizer }));
  });

  attached.add(instance);
  let detached = false;
  const handle: ResilienceHandle = {
    ...eventsOf(hub),
    instance,
    detach() {
      if (detached) return;
      detached = true;
      attached.delete(instance);
      engine.dispose();
      instance.interceptors.request.eject(requestId);
      instance.interceptors.response.eject(responseId);
    },
    breakerState(scope: string): BreakerState | undefined {
      const policy = scopes.peek(scope);
      if (!policy) return undefined;
      return policy.breaker ? STATE_NAMES[policy.breaker.state] : 'closed';
    },
    get scopeCount() {
      return scopes.size;
    },
  };
  return handle;
}
