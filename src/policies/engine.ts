import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { ErrorCodeTable } from '../errors/errorCodes.js';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { EventHub } from '../observability/events.js';
import type { Log } from '../observability/logger.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import type { NormalizedOptions } from '../options.js';
import type { LimitPlan } from '../stores/rateLimitProtocol.js';
import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import type { AttemptAuth, AttemptDeps } from './attempt.js';
import { startAttempt } from './attempt.js';
import { AttemptDeadlines } from './attemptDeadlines.js';
import { Call, callInfo, requestOptions } from './call.js';
import { cancelledError, failureOf, foreignThrown } from './callErrors.js';
import { CallLimiter } from './callLimiter.js';
import { CALL_LINK_KEY, type CallLink, linkedFailure, linkOf, refusedResend } from './callLink.js';
import { PartnerRetryBudget } from './partnerRetryBudget.js';
import { noteThrottle, runSlowPath, type SlowPathDeps } from './retryLoop.js';
import { createScopeHealth } from './scopeHealth.js';
import { createScopeOfCall } from './scopeOfCall.js';
import type { ScopePolicy } from './scopePolicy.js';
import type { StoreAccess } from './storeAccess.js';

/** What the engine needs from its surroundings. */
export interface EngineDeps {
  readonly options: NormalizedOptions;
  readonly scopes: { get(scope: string): ScopePolicy };
  readonly store: ScopeStateStore;
  readonly access: StoreAccess;
  readonly hub: EventHub;
  readonly sanitizer: Sanitizer;
  readonly codes: ErrorCodeTable;
  readonly log: Log | undefined;
  readonly auth: AttemptAuth | undefined;
}

/**
 * The engine: composition only. A call whose scope is healthy (breaker closed, no throttle deadline or slow
 * start, the store answering synchronously) takes the success path: one attempt, no cockatiel layer, no
 * timer or controller of its own. Otherwise, or after its first failure, it takes the slow path:
 * `retry (decideRetry) -> throttle gate -> breaker -> attempt (auth, attempt timeout, send)`.
 */
export function createEngine(deps: EngineDeps) {
  const { store, access, hub } = deps;
  const context = { sanitizer: deps.sanitizer, codes: deps.codes };
  const scopeOf = createScopeOfCall(deps.options, deps.log, deps.sanitizer);
  const attemptDeps: AttemptDeps = { hub, deadlines: new AttemptDeadlines(), auth: deps.auth };
  const { rateLimit, partnerRetryBudget } = deps.options;
  const limiter =
    rateLimit === false ? undefined : new CallLimiter(rateLimit, deps.options, store, access, hub);
  const partnerBudget =
    partnerRetryBudget === false
      ? undefined
      : new PartnerRetryBudget(deps.options.partnerScope, partnerRetryBudget, store, access);
  const slow: SlowPathDeps = {
    limiter,
    partnerBudget,
    store,
    access,
    hub,
    log: deps.log,
    attempt: attemptDeps,
    reconcile: deps.options.reconcile,
    gate: {
      sharedDeadline: (call) =>
        access.read('getThrottleDeadline', call.scope, () => store.getThrottleDeadline(call.scope), call),
      onWait: (call, waitMs) => {
        if (hub.has('onThrottle'))
          hub.emit('onThrottle', { ...callInfo(call), retryAfterMs: waitMs, source: 'gate' });
      },
    },
  };

  const { healthy, succeeded } = createScopeHealth(store, access, hub, partnerBudget);
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

  /**
   * Runs one logical call through `base`; `settlesOnAbort`: the base adapter is one of axios's own, which
   * settle once their signal aborts. A healthy scope's call takes {@link fast}; any other, {@link slowCall}.
   */
  function execute(
    config: InternalAxiosRequestConfig,
    base: AxiosAdapter,
    settlesOnAbort = false,
  ): Promise<AxiosResponse> {
    let call: Call;
    let policy: ScopePolicy;
    let health: boolean | Promise<number | undefined>;
    const fields = config as unknown as Record<string, unknown>;
    if (fields[CALL_LINK_KEY] !== undefined) return resend(config, base, settlesOnAbort);
    if (!axiosRetrySeen && fields['axios-retry'] !== undefined) warnAxiosRetry();
    try {
      const request = requestOptions(config);
      const scope = scopeOf(config, request);
      policy = deps.scopes.get(scope);
      call = new Call(config, base, request, scope, policy.options, context, settlesOnAbort);
      health = healthy(call, policy);
      if (limiter !== undefined) {
        const plan = limiter.planOf(call);
        call.limitPlan = plan;
        // The one synchronous check: a slot now, or the slow path (which waits for one).
        if (health === true && !limiter.tryNow(plan)) health = false;
      }
    } catch (error: unknown) {
      return Promise.reject(error);
    }
    partnerBudget?.callStarted();
    if (health !== true) return slowCall(call, policy, health);
    // Hooks never run inside the caller's own `instance.get()` stack.
    return hub.has('onRequest') ? Promise.resolve().then(() => fast(call, policy)) : fast(call, policy);
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
    let policy: ScopePolicy;
    try {
      link.resends += 1;
      link.restore(config);
      const request = requestOptions(config);
      const previous = link.latestCall();
      const scope = previous.scope;
      policy = deps.scopes.get(scope);
      call = new Call(config, base, request, scope, policy.options, context, settlesOnAbort, previous);
      if (limiter !== undefined) call.limitPlan = limiter.planOf(call);
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
          ? linkedFailure(owner, call, cancelledError(call), link, libraryAuth)
          : refusedResend(call, link, `${spent}: the re-sent request was not sent`, libraryAuth);
      return Promise.reject(failure);
    }
    partnerBudget?.callStarted();
    return slowCall(call, policy, false, undefined, link);
  }

  /** The success path: one attempt, awaited here (it has no frame of its own); a failure goes on to slowCall. */
  async function fast(call: Call, policy: ScopePolicy): Promise<AxiosResponse> {
    call.attempts = 1;
    const attempt = startAttempt(call, attemptDeps);
    let failure: PartnerCenterError;
    try {
      const response = attempt.answered(await attempt.sending);
      attempt.end();
      policy.breaker?.recordSuccess();
      if (limiter !== undefined) limiter.record(call, call.limitPlan as LimitPlan, false, call.startedAt);
      succeeded(call, response);
      call.close();
      partnerBudget?.callEnded();
      return response;
    } catch (error: unknown) {
      failure = attempt.failure(error);
      attempt.end();
    }
    if (limiter !== undefined && failure.status !== undefined) {
      limiter.record(
        call,
        call.limitPlan as LimitPlan,
        failure.status === 429,
        call.startedAt,
        failure.retryAfterMs,
      );
    }
    return slowCall(call, policy, false, failure);
  }

  /**
   * The rest of a call: the success path's first failure taken over when `first` is given, then the slow
   * path. `health`: the scope's health, or the store's pending throttle read that the gate then uses.
   */
  async function slowCall(
    call: Call,
    policy: ScopePolicy,
    health: boolean | Promise<number | undefined>,
    first?: PartnerCenterError,
    link?: CallLink,
  ): Promise<AxiosResponse> {
    try {
      if (first !== undefined) {
        // The throttle deadline first, before any await: the scope's next call must already see it.
        noteThrottle(call, policy.gate, first, slow);
        await policy.breaker?.recordFailure(first);
      }
      const prefetched = typeof health === 'object' ? health : undefined;
      // A re-send after an unknown outcome starts from that failure: retried only if reconcile says so.
      const last = link?.lastFailure();
      const resumed = last?.outcomeUnknown === true ? last : first;
      const response = await runSlowPath(call, policy, slow, resumed, prefetched);
      succeeded(call, response);
      return response;
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
      partnerBudget?.callEnded();
    }
  }

  return { execute };
}

/** Runs one logical call. */
export type Engine = ReturnType<typeof createEngine>;
