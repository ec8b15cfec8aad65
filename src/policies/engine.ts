import { type AxiosAdapter, type AxiosResponse, getAdapter, type InternalAxiosRequestConfig } from 'axios';
import type { ErrorCodeTable } from '../errors/classify.js';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import { callInfoOf } from '../observability/callInfo.js';
import type { EventHub } from '../observability/EventHub.js';
import type { Log } from '../observability/logger.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import type { NormalizedOptions } from '../options/normalizeOptions.js';
import type { LimitPlan } from '../stores/rateLimitProtocol.js';
import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import { createScopeOfCall } from '../tenancy/scopes.js';
import { Attempt, sendAttempt } from './attempt.js';
import { AttemptDeadlines } from './attemptDeadlines.js';
import { Call, requestOptions } from './call.js';
import { foreignValue } from './callErrors.js';
import { CallLimiter } from './callLimiter.js';
import { CALL_LINK_KEY } from './callLink.js';
import { type CallPolicy, composeList, countAttempts } from './pipeline.js';
import { rateLimitPolicy } from './rateLimitPolicy.js';
import { reconcilePolicy } from './reconcile.js';
import { retryPolicy } from './retry.js';
import { RetryBudgets } from './retryBudget.js';
import { backoffCache, createScopes, type ScopePolicy } from './scopePolicy.js';
import { createSlowCall } from './slowCall.js';
import type { StoreAccess } from './storeAccess.js';
import { type AttemptAuth, authPolicy } from './unauthorized.js';

/** What the engine needs from its surroundings. */
export interface EngineDeps {
  readonly options: NormalizedOptions;
  readonly store: ScopeStateStore;
  /** True when the store is the instance's own (made by attach): nothing else writes it. */
  readonly privateStore: boolean;
  readonly access: StoreAccess;
  readonly hub: EventHub;
  readonly sanitizer: Sanitizer;
  readonly codes: ErrorCodeTable;
  readonly log: Log | undefined;
  readonly auth: AttemptAuth | undefined;
  /** The instance's defaults (their `adapter`: the one a request naming none is sent through). */
  readonly defaults: { readonly adapter?: unknown };
}

const WRAPPED = Symbol.for('partner-center-resilience.wrappedAdapter');

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
/** True for axios's own adapters (http, xhr, fetch), which settle once their signal aborts (no race needed). */
function isAxiosOwnAdapter(adapter: AxiosAdapter): boolean {
  const name = (adapter as { adapterName?: unknown }).adapterName;
  return name === 'http' || name === 'xhr' || adapter === axiosFetchAdapter();
}

const WRAPPERS_LIMIT = 16; // distinct adapter settings whose wrapper is remembered

/**
 * The engine. A call whose scope is healthy (its gate idle, its breaker closed, nothing held in the store, a
 * rate limiter slot free now) takes the success path: one attempt awaited here, no policy, timer or
 * controller of its own. Any other call, or a call after its first failure (taken over as it is), runs
 * through its scope's list of policies, outermost first:
 * `retry -> reconcile -> auth -> throttle gate -> rate limit -> retry budget -> attempt count -> breaker -> attempt`.
 */
export function createEngine(deps: EngineDeps) {
  const { store, access, hub, options } = deps;
  const context = { sanitizer: deps.sanitizer, codes: deps.codes };
  const scopeOf = createScopeOfCall(options, deps.log, deps.sanitizer);
  const attemptDeps = { hub, deadlines: new AttemptDeadlines() };
  const backoffFor = backoffCache();
  const limiter =
    options.rateLimit === false ? undefined : new CallLimiter(options.rateLimit, options, store, access, hub);
  const budgets = new RetryBudgets({
    store,
    access,
    privateStore: deps.privateStore,
    partnerScope: options.partnerScope,
    maxScopes: options.maxScopes,
    partner: options.partnerRetryBudget,
  });
  const outer: CallPolicy[] = [
    retryPolicy({ hub, log: deps.log, backoffOf: backoffFor, permit: (call, f) => budgets.permit(call, f) }),
    reconcilePolicy({ hub, reconcile: options.reconcile, backoffOf: backoffFor }),
  ];
  if (deps.auth !== undefined) outer.push(authPolicy(deps.auth));
  const send = (call: Call, spec: Parameters<typeof sendAttempt>[1]) => sendAttempt(call, spec, attemptDeps);
  const scopeDeps = {
    sharedStore: !deps.privateStore,
    store,
    access,
    hub,
    log: deps.log,
    listOf: (gate: ScopePolicy['gate'], breaker: ScopePolicy['breaker']) => {
      const list = [...outer, gate];
      if (limiter !== undefined) list.push(rateLimitPolicy(limiter, gate));
      list.push(budgets, countAttempts);
      if (breaker !== undefined) list.push(breaker);
      return composeList(list, send);
    },
  };
  const scopes = createScopes(options, deps.privateStore, scopeDeps);
  let axiosRetrySeen = false;
  const rest = createSlowCall({
    hub,
    log: deps.log,
    context,
    budgets,
    scopes,
    owner: {},
    libraryAuth: deps.auth !== undefined,
    succeeded,
    execute,
  });

  /** The one synchronous health check: may the call take the success path? */
  function healthy(call: Call, scope: ScopePolicy): boolean {
    const breaker = scope.breaker;
    if (!scope.gate.idle || (breaker !== undefined && !breaker.closed) || call.abort?.aborted === true)
      return false;
    if (deps.privateStore) return true;
    const key = call.scope;
    // A store that does not say it answers synchronously is read by the gate and the breaker (bounded); a
    // synchronous one through `access` too, which reports a read that throws instead of trusting it.
    if (store.synchronous !== true) return false;
    const throttled = access.peek('getThrottleDeadline', key, () => store.getThrottleDeadline(key));
    const now = Date.now();
    if (typeof throttled === 'number' && throttled > now) return false;
    const openUntil = access.peek('getOpenUntil', key, () => store.getOpenUntil(key));
    if (openUntil === access.pending) return false;
    return openUntil === undefined || openUntil <= now;
  }

  /** A success: the retry budgets' refunds, and the `onSuccess` event. */
  function succeeded(call: Call, response: AxiosResponse): void {
    if (!deps.privateStore || budgets.owed.size > 0) budgets.succeeded(call);
    if (hub.listening.onSuccess) {
      hub.emit('onSuccess', {
        ...callInfoOf(call),
        attempts: call.attempts,
        durationMs: Date.now() - call.startedAt,
        status: response.status,
      });
    }
  }

  /**
   * Runs one logical call through `base`; `settlesOnAbort`: the base adapter is one of axios's own, which
   * settle once their signal aborts. A healthy scope's call takes {@link fast}; any other, {@link slowCall}.
   */
  function execute(
    config: InternalAxiosRequestConfig,
    base: AxiosAdapter,
    settlesOnAbort = false,
  ): Promise<AxiosResponse> {
    const fields = config as unknown as Record<string, unknown>;
    if (fields[CALL_LINK_KEY] !== undefined) return rest.resend(config, base, settlesOnAbort);
    if (!axiosRetrySeen && fields['axios-retry'] !== undefined) {
      axiosRetrySeen = true;
      rest.warnAxiosRetry();
    }
    let call: Call;
    let scope: ScopePolicy;
    let plan: LimitPlan | undefined;
    try {
      const request = requestOptions(config);
      const key = scopeOf(config, request);
      scope = scopes.get(key);
      call = new Call(config, base, request, key, scope.options, context, settlesOnAbort);
      if (limiter !== undefined) plan = limiter.planOf(call);
    } catch (error: unknown) {
      return Promise.reject(error);
    }
    budgets.calls += 1;
    // The one synchronous check: healthy and a rate limiter slot now, or the list (which waits for one).
    if (!healthy(call, scope) || (plan !== undefined && !(limiter as CallLimiter).tryNow(plan))) {
      return rest.slowCall(call, scope);
    }
    // Hooks never run inside the caller's own `instance.get()` stack.
    return hub.listening.onRequest
      ? Promise.resolve().then(() => fast(call, scope, plan))
      : fast(call, scope, plan);
  }

  /** The success path: one attempt, awaited here (it has no frame of its own); a failure goes on to slowCall. */
  async function fast(call: Call, scope: ScopePolicy, plan: LimitPlan | undefined): Promise<AxiosResponse> {
    call.attempts = 1;
    const attempt = new Attempt(call, attemptDeps, deps.auth);
    let failure: PartnerCenterError;
    let thrown: { readonly value: unknown } | undefined;
    try {
      const response = attempt.answered(await attempt.sending);
      attempt.end();
      const breaker = scope.breaker;
      if (breaker?.holdsFailures) breaker.recordSuccess();
      if (plan !== undefined) (limiter as CallLimiter).record(call, plan, false, call.startedAt);
      succeeded(call, response);
      call.close();
      budgets.calls -= 1;
      return response;
    } catch (error: unknown) {
      failure = attempt.failure(error);
      thrown = foreignValue(failure, error);
      attempt.end();
    }
    return rest.slowCall(call, scope, {
      failure,
      sent: attempt.sent,
      authorization: attempt.authorization,
      thrown,
    });
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
      wrapped = (config) => execute(config, base, settlesOnAbort);
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

  /**
   * The library's request interceptor (synchronous, after the caller's own): swaps the request's adapter for
   * the engine's wrapper of it (of the instance's default adapter, when the request names none).
   */
  function interceptRequest(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig {
    const current = config.adapter as WrappedAdapter | undefined;
    if (typeof current !== 'function' || current[WRAPPED] === undefined) {
      config.adapter = wrapperOf(current ?? deps.defaults.adapter);
    }
    return config;
  }

  return { execute, interceptRequest, scopes };
}
