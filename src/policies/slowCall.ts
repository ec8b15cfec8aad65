import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { callInfoOf } from '../observability/callInfo.js';
import type { EventHub } from '../observability/EventHub.js';
import type { Log } from '../observability/logger.js';
import { Call, type CallContext, requestOptions } from './call.js';
import { cancelledError, failureOf } from './callErrors.js';
import { CALL_LINK_KEY, type CallLink, linkedFailure, linkOf, refusedResend } from './callLink.js';
import type { Outcome } from './pipeline.js';
import type { RetryBudgets } from './retryBudget.js';
import type { ScopePolicy } from './scopePolicy.js';

/** What the rest of a call needs from the engine. */
export interface SlowCallDeps {
  readonly hub: EventHub;
  readonly log: Log | undefined;
  readonly context: CallContext;
  readonly budgets: RetryBudgets;
  readonly scopes: { get(scope: string): ScopePolicy };
  /** The engine's identity in the links of its errors' configs. */
  readonly owner: object;
  /** True when the library writes Authorization itself (a token provider). */
  readonly libraryAuth: boolean;
  /** Records a success (the retry budgets' refunds, `onSuccess`). */
  readonly succeeded: (call: Call, response: AxiosResponse) => void;
  /** Runs a config as a new call (a re-send of another engine's error config). */
  readonly execute: (
    config: InternalAxiosRequestConfig,
    base: AxiosAdapter,
    settlesOnAbort: boolean,
  ) => Promise<AxiosResponse>;
}

/**
 * A call off the success path: through its scope's list of policies (from the start, or taking over the
 * success path's first outcome), and a re-send of an error's config, which continues the call it ended.
 * The caller gets the response, or one PartnerCenterError whose config links back to the call.
 */
export function createSlowCall(deps: SlowCallDeps) {
  const { hub, budgets, scopes, context, owner, libraryAuth, succeeded } = deps;

  /** axios-retry re-sends what the library already retried: said once, through the logger. */
  function warnAxiosRetry(): void {
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
    let thrown: { readonly value: unknown } | undefined;
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
      if (outcome.failure !== undefined) {
        thrown = outcome.thrown;
        throw outcome.failure;
      }
      succeeded(call, outcome.response);
      return outcome.response;
    } catch (error: unknown) {
      const failure = failureOf(call, error);
      if (hub.listening.onGiveUp) {
        hub.emit('onGiveUp', {
          ...callInfoOf(call),
          attempts: call.attempts,
          durationMs: Date.now() - call.startedAt,
          error: failure,
        });
      }
      if (thrown !== undefined) throw thrown.value;
      throw linkedFailure(owner, call, failure, link, libraryAuth);
    } finally {
      call.close();
      budgets.calls -= 1;
    }
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
      return deps.execute(config, base, settlesOnAbort);
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

  return { slowCall, resend, warnAxiosRetry };
}
