import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { IBackoffFactory } from 'cockatiel';
import type { ErrorCodeTable } from '../errors/errorCodes.js';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { EventHub } from '../observability/events.js';
import type { Log } from '../observability/logger.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import type { NormalizedOptions, ResolvedScopePolicy } from '../options.js';
import { ScopeRegistry } from '../tenancy/ScopeRegistry.js';
import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import { Attempt, sendAttempt } from './attempt.js';
import { AttemptDeadlines } from './attemptDeadlines.js';
import { Call, callInfo, requestOptions } from './call.js';
import { cancelledError, failureOf, foreignThrown } from './callErrors.js';
import { CallLimiter } from './callLimiter.js';
import { CALL_LINK_KEY, type CallLink, linkedFailure, linkOf, refusedResend } from './callLink.js';
import { type CallPolicy, composeList, type Outcome } from './pipeline.js';
import type { LimitPlan } from './rateLimiter/plan.js';
import { rateLimitPolicy } from './rateLimitPolicy.js';
import { reconcilePolicy } from './reconcile.js';
import { retryPolicy } from './retry.js';
import { RetryBudgets } from './retryBudget.js';
import { createScopeOfCall } from './scopeOfCall.js';
import { backoffOf, createScopePolicy, type ScopePolicy } from './scopePolicy.js';
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
}

/** Counts the attempts: every pass down to the breaker and the send, but a 401's replay or a taken-over one. */
const countAttempts: CallPolicy = {
  name: 'attempt count',
  run(call, spec, next) {
    if (spec.takenOver === undefined && spec.replay !== true) call.attempts += 1;
    return next(spec);
  },
};

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
  const backoffs = new Map<ResolvedScopePolicy, IBackoffFactory<unknown>>();
  const backoffFor = (policy: ResolvedScopePolicy): IBackoffFactory<unknown> => {
    let backoff = backoffs.get(policy);
    if (backoff === undefined) {
      backoff = backoffOf(policy);
      backoffs.set(policy, backoff);
    }
    return backoff;
  };
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
  /**
   * What the instance's own store says of a scope whose entry is made again (after an eviction): epoch ms it
   * holds it back until (0: nothing). A shared store is read by the gate and the breaker on every call anyway.
   */
  const heldUntil = (scope: string): number => {
    if (!deps.privateStore) return 0;
    return Math.max(
      (store.getThrottleDeadline(scope) as number | undefined) ?? 0,
      (store.getOpenUntil(scope) as number | undefined) ?? 0,
    );
  };
  const scopes = new ScopeRegistry<ScopePolicy>({
    maxScopes: options.maxScopes,
    idleEvictionMs: options.idleEvictionMs,
    create: (scope) => {
      const held = heldUntil(scope);
      const policy = createScopePolicy(
        scope,
        options.scopePolicies.get(scope) ?? options.policy,
        held,
        scopeDeps,
      );
      if (held > Date.now()) policy.gate.note(held);
      return policy;
    },
    evictable: (policy) => policy.breaker?.refusing !== true,
  });
  /** The engine's identity in the links of its errors' configs. */
  const owner = {};
  const libraryAuth = deps.auth !== undefined;
  let axiosRetrySeen = false;

  /** axios-retry re-sends what the library already retried: said once, through the logger. */
  function warnAxiosRetry(): void {
    axiosRetrySeen = true;
    const message =
      'axios-retry is installed on this instance beside partner-center-resilience: both retry the same failures. ' +
      'A re-send of error.config continues the same call, so the pair stays within retry.maxAttempts, but ' +
      "axios-retry's own delays ignore Retry-After and the scope's throttle: remove axios-retry, or set its " +
      'retries to 0 (see docs/migrating-from-axios-retry.md)';
    if (deps.log !== undefined) deps.log('warn', message, {});
    else if (typeof process === 'object' && typeof process.emitWarning === 'function') {
      process.emitWarning(message, { code: 'PCR_AXIOS_RETRY' });
    }
  }

  /** The one synchronous health check: may the call take the success path? */
  function healthy(call: Call, scope: ScopePolicy): boolean {
    const breaker = scope.breaker;
    if (!scope.gate.idle || (breaker !== undefined && !breaker.closed) || call.abort?.aborted === true)
      return false;
    const held = scope.heldUntil;
    if (held !== 0 && held > Date.now()) return false;
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
    if (hub.has('onSuccess')) {
      hub.emit('onSuccess', {
        ...callInfo(call),
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
    if (fields[CALL_LINK_KEY] !== undefined) return resend(config, base, settlesOnAbort);
    if (!axiosRetrySeen && fields['axios-retry'] !== undefined) warnAxiosRetry();
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
      return slowCall(call, scope);
    }
    // Hooks never run inside the caller's own `instance.get()` stack.
    return hub.has('onRequest')
      ? Promise.resolve().then(() => fast(call, scope, plan))
      : fast(call, scope, plan);
  }

  /**
   * A re-send of an error's config: the same logical call goes on (ids, budget, deadline, attempts spent), or
   * fails at once with its last error when its attempts or budget are spent (nothing sent). An unsafe request
   * whose outcome is unknown is sent again only when `reconcile` says the first did not land.
   */
  function resend(
    config: InternalAxiosRequestConfig,
    base: AxiosAdapter,
    settlesOnAbort: boolean,
  ): Promise<AxiosResponse> {
    const link = linkOf(config, owner);
    if (link === undefined) {
      // Another instance's call, or a foreign value under the key: a new call.
      delete (config as unknown as Record<string, unknown>)[CALL_LINK_KEY];
      return execute(config, base, settlesOnAbort);
    }
    let call: Call;
    let scope: ScopePolicy;
    try {
      link.resends += 1;
      link.restore(config);
      const request = requestOptions(config);
      const previous = link.latestCall();
      scope = scopes.get(previous.scope);
      call = new Call(
        config,
        base,
        request,
        previous.scope,
        scope.options,
        context,
        settlesOnAbort,
        previous,
      );
    } catch (error: unknown) {
      return Promise.reject(error);
    }
    const spent =
      call.attempts >= call.maxAttempts
        ? `the call's ${call.maxAttempts} attempts are spent`
        : Date.now() >= call.deadline
          ? `the call's total time budget of ${call.totalMs} ms is spent`
          : link.resends >= call.maxAttempts
            ? `the call was re-sent ${link.resends} times`
            : undefined;
    if (spent !== undefined || call.abort?.aborted === true) {
      call.close();
      const failure =
        spent === undefined
          ? linkedFailure(owner, call, cancelledError(call, false), link, libraryAuth)
          : refusedResend(call, link, `${spent}: the re-sent request was not sent`, libraryAuth);
      return Promise.reject(failure);
    }
    budgets.calls += 1;
    return slowCall(call, scope, undefined, link);
  }

  /** The success path: one attempt, awaited here (it has no frame of its own); a failure goes on to slowCall. */
  async function fast(call: Call, scope: ScopePolicy, plan: LimitPlan | undefined): Promise<AxiosResponse> {
    call.attempts = 1;
    const attempt = new Attempt(call, attemptDeps, deps.auth);
    let failure: PartnerCenterError;
    try {
      const response = attempt.answered(await attempt.sending);
      attempt.end();
      const breaker = scope.breaker;
      if (breaker !== undefined && breaker.holdsFailures) breaker.recordSuccess();
      if (plan !== undefined) (limiter as CallLimiter).record(call, plan, false, call.startedAt);
      succeeded(call, response);
      call.close();
      budgets.calls -= 1;
      return response;
    } catch (error: unknown) {
      failure = attempt.failure(error);
      attempt.end();
    }
    return slowCall(call, scope, { failure, sent: attempt.sent, authorization: attempt.authorization });
  }

  /**
   * The rest of a call through its scope's list: from the start, or taking over the success path's first
   * outcome (`first`). A re-send (`link`) whose last outcome was unknown starts from that failure: it is sent
   * again only if reconcile says so.
   */
  async function slowCall(
    call: Call,
    scope: ScopePolicy,
    first?: Outcome,
    link?: CallLink,
  ): Promise<AxiosResponse> {
    try {
      // Hooks never run inside the caller's own `instance.get()` stack.
      if (first === undefined) await null;
      const last = link?.lastFailure();
      const resumed: Outcome | undefined =
        last?.outcomeUnknown === true ? { failure: last, sent: false } : undefined;
      const outcome = await scope.run(call, {
        retry: false,
        takenOver: first ?? resumed,
        resumed: first === undefined && resumed !== undefined,
      });
      if (outcome.failure !== undefined) throw outcome.failure;
      succeeded(call, outcome.response);
      return outcome.response;
    } catch (error: unknown) {
      const failure = failureOf(call, error);
      if (hub.has('onGiveUp')) {
        hub.emit('onGiveUp', {
          ...callInfo(call),
          attempts: call.attempts,
          durationMs: Date.now() - call.startedAt,
          error: failure,
        });
      }
      const thrown = foreignThrown(failure);
      if (thrown !== undefined) throw thrown.thrown;
      throw linkedFailure(owner, call, failure, link, libraryAuth);
    } finally {
      call.close();
      budgets.calls -= 1;
    }
  }

  return { execute, scopes };
}

/** Runs one logical call. */
export type Engine = ReturnType<typeof createEngine>;
