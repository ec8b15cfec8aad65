import { randomUUID } from 'node:crypto';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { BrokenCircuitError, type IBackoff, IsolatedCircuitError } from 'cockatiel';
import { isIdempotentMethod, surelyNotProcessed } from '../errors/classify.js';
import type { ErrorCodeTable } from '../errors/errorCodes.js';
import { normalizeError } from '../errors/normalizeError.js';
import { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { EventHub } from '../observability/events.js';
import type { Log } from '../observability/logger.js';
import { requestUrl } from '../observability/requestUrl.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import type { NormalizedOptions, PartnerCenterRequestOptions } from '../options.js';
import { customerScope, defaultScopeOf } from '../tenancy/resolveScope.js';
import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import { watchBreaker } from './breakerEvents.js';
import { isBreakerHalfOpen, retryDecisions, type ScopePolicy } from './scopePolicy.js';
import { CallAbort, linkedSignal, sleep } from './sleep.js';
import { createStoreAccess } from './storeAccess.js';
import { noteThrottle, passThrottleGate } from './throttleGate.js';

/** What the engine needs from its surroundings. */
export interface EngineDeps {
  readonly options: NormalizedOptions;
  readonly scopes: { get(scope: string): ScopePolicy };
  readonly store: ScopeStateStore;
  readonly hub: EventHub;
  readonly sanitizer: Sanitizer;
  readonly codes: ErrorCodeTable;
  readonly log: Log | undefined;
  /**
   * Called before each attempt to set per-attempt headers (the token). May throw a PartnerCenterError.
   * `replay` is called by the engine when an attempt answered 401; it returns true to replay the attempt once.
   */
  readonly auth?: AttemptAuth | undefined;
}

/** The token seam: the engine asks it to authorise each attempt and to handle a 401. */
export interface AttemptAuth {
  authorize(config: InternalAxiosRequestConfig, call: CallState, signal: AbortSignal): Promise<void> | void;
  /** After a 401: refresh the token if that can help; true to replay the attempt (once per call). */
  onUnauthorized(error: PartnerCenterError, call: CallState, signal: AbortSignal): Promise<boolean>;
}

/** The state of one logical call, shared by its attempts. */
export interface CallState {
  readonly scope: string;
  readonly method: string;
  readonly url: string;
  readonly requestId: string;
  readonly correlationId: string;
  readonly startedAt: number;
  /** Epoch ms at which the total budget runs out, or `Infinity`. */
  readonly deadline: number;
  attempts: number;
  authReplays: number;
}

const IDEMPOTENT_UNKNOWN = 'the outcome is unknown: the request may have been processed';

/** Reads the per-request options without trusting their shape. */
function requestOptions(config: InternalAxiosRequestConfig): PartnerCenterRequestOptions {
  const value = (config as { partnerCenter?: unknown }).partnerCenter;
  return value !== null && typeof value === 'object' ? (value as PartnerCenterRequestOptions) : {};
}

function isStreamBody(data: unknown): boolean {
  return data !== null && typeof data === 'object' && typeof (data as { pipe?: unknown }).pipe === 'function';
}

/** A signal that never aborts, for cockatiel's backoff context. */
const NEVER_ABORTED = new AbortController().signal;

/**
 * Creates the function that runs one logical call through its scope's policies:
 * `total budget & caller abort -> retry (cockatiel) -> throttle gate -> breaker (cockatiel) -> attempt
 * timeout -> auth -> base adapter`. Every attempt, the first included, passes the gate and the breaker.
 */
export function createEngine(deps: EngineDeps) {
  const { options, store, hub, sanitizer, codes, log } = deps;

  const reportStoreFailure = (failure: { scope: string; operation: string; reason: string }) => {
    if (hub.has('onStoreError')) hub.emit('onStoreError', failure);
  };
  const access = createStoreAccess(log, sanitizer, reportStoreFailure);
  // Failures a store absorbs itself (a Redis store answering from memory) are reported the same way.
  const unsubscribeStore = store.onFailure?.((failure) => {
    const reason = sanitizer.scrubText(
      failure.error instanceof Error ? failure.error.message : String(failure.error),
    );
    log?.('warn', 'scope store failed; answered from its local fallback', {
      operation: failure.operation,
      scope: failure.scope,
      error: reason,
    });
    reportStoreFailure({ scope: failure.scope, operation: failure.operation, reason });
  });

  function resolveScope(config: InternalAxiosRequestConfig, req: PartnerCenterRequestOptions): string {
    if (typeof req.scope === 'string' && req.scope !== '') return req.scope;
    if (typeof req.tenant === 'string' && req.tenant !== '') return customerScope(req.tenant);
    if (options.resolve) {
      try {
        const resolved = options.resolve(config);
        if (typeof resolved === 'string' && resolved !== '') return resolved;
      } catch (error: unknown) {
        log?.('warn', 'tenants.resolve threw; using the default scope', {
          error: error instanceof Error ? sanitizer.scrubText(error.message) : 'unknown',
        });
      }
    }
    return defaultScopeOf(config.url, options.partnerScope);
  }

  async function execute(config: InternalAxiosRequestConfig, base: AxiosAdapter): Promise<AxiosResponse> {
    // Hooks never run inside the caller's own `instance.get()` stack: a hook that starts another call must
    // not re-enter the engine before the first call has returned its promise.
    await Promise.resolve();
    const req = requestOptions(config);
    const scope = resolveScope(config, req);
    const policy = deps.scopes.get(scope);
    const opts = policy.options;

    // One MS-RequestId and MS-CorrelationId per logical call; caller-set values are never overwritten.
    const headers = config.headers;
    let requestId = headers.get('MS-RequestId');
    if (typeof requestId !== 'string' || requestId === '') {
      requestId = randomUUID();
      headers.set('MS-RequestId', requestId);
    }
    let correlationId = headers.get('MS-CorrelationId');
    if (typeof correlationId !== 'string' || correlationId === '') {
      correlationId = randomUUID();
      headers.set('MS-CorrelationId', correlationId);
    }

    const method = (config.method ?? 'get').toUpperCase();
    const startedAt = Date.now();
    const totalMs =
      typeof config.timeout === 'number' && config.timeout > 0 ? config.timeout : opts.timeout.totalMs;
    let url: string | undefined;
    const call: CallState = {
      scope,
      method,
      // Redacted on first use only: most successful calls never report their URL.
      get url() {
        url ??= sanitizer.sanitizeUrl(requestUrl(config) ?? '');
        return url;
      },
      requestId,
      correlationId,
      startedAt,
      deadline: totalMs > 0 ? startedAt + totalMs : Number.POSITIVE_INFINITY,
      attempts: 0,
      authReplays: 0,
    };
    const idempotent = req.idempotent === true || opts.retry.retryUnsafeMethods || isIdempotentMethod(method);
    const nonIdempotentByMethod = !isIdempotentMethod(method) && req.idempotent !== true;
    const singleAttemptReason =
      req.retry === false
        ? 'retries are off for this request'
        : isStreamBody(config.data)
          ? 'the request body is a stream and cannot be replayed'
          : undefined;
    const maxAttempts = singleAttemptReason ? 1 : opts.retry.maxAttempts;

    // The call's abort: the caller's signal or cancel token. The total budget needs no timer of its own:
    // every wait is bounded by it and each attempt's timer stops at it.
    const abort = new CallAbort();
    const callerSignal = config.signal as AbortSignal | undefined;
    const callerTimeout = config.timeout;
    const onCallerAbort = () => abort.abort('caller');
    if (callerSignal?.aborted) abort.abort('caller');
    else callerSignal?.addEventListener?.('abort', onCallerAbort, { once: true });
    const cancelToken = config.cancelToken;
    if (cancelToken) {
      if (cancelToken.reason) abort.abort('caller');
      else cancelToken.subscribe(onCallerAbort);
    }

    const callInfo = () => ({
      requestId: call.requestId,
      correlationId: call.correlationId,
      scope,
      method,
      url: call.url,
    });
    /** Fields every error of this call carries (redacted with the instance's allow-lists). */
    const where = () => ({ ...callInfo(), attempts: call.attempts, sanitizer });
    /** Context for normalizeError. */
    const ctx = () => ({ ...where(), codes });

    const abortError = (attemptTimedOut: boolean, attemptMs = 0): PartnerCenterError => {
      if (abort.cause === 'caller') {
        return new PartnerCenterError({
          kind: 'cancelled',
          retryable: false,
          reason: sending
            ? 'the caller aborted the request while it was in flight'
            : 'the caller aborted the request',
          // Aborting a sent POST does not undo it on the server.
          outcomeUnknown: nonIdempotentByMethod && sending,
          ...where(),
        });
      }
      if (abort.cause === 'total-timeout' || (attemptTimedOut && Date.now() >= call.deadline)) {
        return new PartnerCenterError({
          kind: 'timeout',
          retryable: false,
          reason: `the call's total time budget of ${totalMs} ms ran out`,
          outcomeUnknown: nonIdempotentByMethod && (sending || call.attempts > 0),
          ...where(),
        });
      }
      return new PartnerCenterError({
        kind: 'timeout',
        retryable: attemptTimedOut,
        reason: `the attempt timed out after ${attemptMs} ms`,
        ...where(),
      });
    };

    /** True while an attempt is with the base adapter (sent, or being sent). */
    let sending = false;
    let pendingDelay = 0;
    let backoff: IBackoff<unknown> | undefined;

    const gate = {
      sharedDeadline: () => access.read('getThrottleDeadline', scope, () => store.getThrottleDeadline(scope)),
      budgetDeadline: call.deadline,
      maxRetryAfterMs: opts.retry.maxRetryAfterMs,
      signal: abort,
      onAbort: () => abortError(false),
      onBudgetSpent: () => {
        abort.abort('total-timeout');
        return abortError(false);
      },
      tooLong: (waitMs: number, limit: string) =>
        new PartnerCenterError({
          kind: 'throttled',
          retryable: false,
          reason: `scope ${scope} is throttled for another ${waitMs} ms, more than this call may wait (${limit}); no request was sent`,
          retryAfterMs: waitMs,
          ...where(),
        }),
      onWait: (waitMs: number) => {
        if (hub.has('onThrottle'))
          hub.emit('onThrottle', { ...callInfo(), retryAfterMs: waitMs, source: 'gate' });
      },
    };

    /** One attempt: authorise, send through the base adapter, race the attempt timeout and aborts. */
    const send = async (): Promise<AxiosResponse> => {
      const attemptController = new AbortController();
      const attemptMs = Math.min(
        opts.timeout.attemptMs > 0 ? opts.timeout.attemptMs : Number.POSITIVE_INFINITY,
        call.deadline - Date.now(),
      );
      let attemptTimedOut = false;
      let fail: ((error: unknown) => void) | undefined;
      const stop = (timedOut: boolean) => {
        attemptTimedOut = timedOut;
        attemptController.abort();
        fail?.(abortError(timedOut, attemptMs));
      };
      const attemptTimer = Number.isFinite(attemptMs)
        ? setTimeout(() => stop(true), Math.max(0, attemptMs))
        : undefined;
      const unlink = abort.onAbort(() => stop(false));
      try {
        // The request's own config (axios made it for this request) carries the attempt's signal; the
        // caller's signal, timeout and cancel token are put back when the call ends.
        const attempt = config as { signal?: unknown; timeout?: number | undefined; cancelToken?: unknown };
        attempt.signal = attemptController.signal;
        attempt.timeout = 0;
        attempt.cancelToken = undefined;
        if (deps.auth) await deps.auth.authorize(config, call, attemptController.signal);
        if (attemptController.signal.aborted) throw abortError(attemptTimedOut, attemptMs);
        if (hub.has('onRequest')) hub.emit('onRequest', { ...callInfo(), attempt: call.attempts });
        sending = true;
        // Settles with the adapter, or at once when the attempt times out or the caller aborts (an adapter
        // that ignores its signal cannot hold the call).
        const response = await new Promise<AxiosResponse>((resolve, reject) => {
          fail = reject;
          base(config).then(resolve, reject);
        });
        return response;
      } catch (error: unknown) {
        if (PartnerCenterError.is(error)) throw error;
        if (attemptController.signal.aborted) throw abortError(attemptTimedOut, attemptMs);
        throw normalizeError(error, ctx());
      } finally {
        sending = false;
        if (attemptTimer !== undefined) clearTimeout(attemptTimer);
        unlink();
      }
    };

    /** Decides what follows a failed attempt; records the decision for cockatiel's retry predicate. */
    const decide = async (error: PartnerCenterError): Promise<PartnerCenterError> => {
      let result = error;
      const refuse = (
        reason: string | undefined,
        changes: Partial<ConstructorParameters<typeof PartnerCenterError>[0]> = {},
      ) => {
        result = result.with({ ...changes, ...(reason ? { reason } : {}) });
        retryDecisions.set(result, { retry: false });
        return result;
      };
      const unknownOutcome = !surelyNotProcessed(error);
      if (nonIdempotentByMethod && unknownOutcome && !error.outcomeUnknown && error.kind !== 'cancelled') {
        result = result.with({ outcomeUnknown: true });
      }

      // A 429 (or a 503 with a hint) sets the scope's throttle deadline for every call of the scope.
      const hinted = error.retryAfterMs;
      if (hinted !== undefined && (error.status === 429 || error.status === 503)) {
        const deadline = Date.now() + hinted;
        noteThrottle(policy, deadline);
        access.write('extendThrottleDeadline', scope, () => store.extendThrottleDeadline(scope, deadline));
        if (hub.has('onThrottle')) {
          hub.emit('onThrottle', {
            ...callInfo(),
            retryAfterMs: hinted,
            source: error.retryAfterSource ?? 'retry-after',
          });
        }
      }

      if (!error.retryable || error.kind === 'cancelled' || error.kind === 'circuit-open')
        return refuse(undefined);
      if (call.attempts >= maxAttempts) return refuse(maxAttempts === 1 ? singleAttemptReason : undefined);
      if (!idempotent && unknownOutcome) {
        return refuse(
          `${method} is not idempotent and ${IDEMPOTENT_UNKNOWN}; not retried (set idempotent: true or retryUnsafeMethods to allow)`,
          { outcomeUnknown: true },
        );
      }

      // Server hints first, then the exponential backoff.
      let delay: number;
      let delaySource: 'backoff' | NonNullable<PartnerCenterError['retryAfterSource']> = 'backoff';
      if (error.retryAfterMs !== undefined) {
        if (error.retryAfterMs > opts.retry.maxRetryAfterMs) {
          const asked = error.retryAfterMs;
          return refuse(
            `the server asked to wait ${Math.ceil(asked / 1000)} s (${asked} ms), more than maxRetryAfterMs (${opts.retry.maxRetryAfterMs} ms)`,
            { retryable: false },
          );
        }
        delay = error.retryAfterMs;
        delaySource = error.retryAfterSource ?? 'retry-after';
      } else {
        backoff = backoff
          ? backoff.next({ attempt: call.attempts, signal: NEVER_ABORTED, result: { error } })
          : policy.backoff.next({ attempt: call.attempts, signal: NEVER_ABORTED, result: { error } });
        delay = backoff.duration;
      }
      const now = Date.now();
      if (now + delay >= call.deadline) {
        return refuse(
          `the next attempt would start after the call's total time budget runs out (${Math.max(0, call.deadline - now)} ms left, ${Math.round(delay)} ms to wait)`,
        );
      }
      const token = await access.read('takeRetryToken', scope, () =>
        store.takeRetryToken(scope, opts.retryBudget),
      );
      if (token === false)
        return refuse(`the retry budget of scope ${scope} is spent (too many retries, too few successes)`);

      pendingDelay = delay;
      retryDecisions.set(result, { retry: true });
      if (hub.has('onRetry')) {
        hub.emit('onRetry', {
          ...callInfo(),
          attempt: call.attempts,
          delayMs: delay,
          delaySource,
          reason: error.reason ?? error.description ?? error.kind,
          errorKind: error.kind,
          status: error.status,
          code: error.code,
        });
      }
      log?.('debug', 'retrying', {
        ...callInfo(),
        attempt: call.attempts,
        delayMs: delay,
        kind: error.kind,
        status: error.status,
      });
      return result;
    };

    /** One pass of cockatiel's retry loop: wait, gate, breaker, send; failures are decided, then thrown. */
    const attempt = async (): Promise<AxiosResponse> => {
      let releaseSlot: (() => void) | undefined;
      try {
        if (pendingDelay > 0) {
          const wait = pendingDelay;
          pendingDelay = 0;
          await sleep(wait, abort, () => abortError(false));
        }
        if (abort.aborted) throw abortError(false);
        const passed = passThrottleGate(policy, gate);
        releaseSlot = typeof passed === 'object' ? await passed : passed;
        call.attempts += 1;
        // A breaker opened by this or another process (shared store) refuses before anything is sent.
        const read = access.read('getOpenUntil', scope, () => store.getOpenUntil(scope));
        const openUntil = typeof read === 'object' ? await read : read;
        if (openUntil !== undefined && openUntil > Date.now() && !isBreakerHalfOpen(policy)) {
          throw circuitOpen(openUntil - Date.now());
        }
        for (;;) {
          try {
            if (!policy.breaker) return await send();
            // Breaker events fired synchronously by execute() (half-open) belong to this call.
            policy.activeCall = call;
            const pending = policy.breaker.execute(() => send());
            policy.activeCall = undefined;
            return await pending;
          } catch (error: unknown) {
            if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
              throw circuitOpen(undefined);
            }
            const failure = PartnerCenterError.is(error) ? error : normalizeError(error, ctx());
            if (failure.status === 401 && deps.auth && (await refreshAfter401(deps.auth, failure))) {
              call.authReplays += 1;
              continue;
            }
            throw failure;
          }
        }
      } catch (error: unknown) {
        throw await decide(normalizeError(error, ctx()));
      } finally {
        // After decide(): a call answered 429 has set the new deadline before the waiters look again.
        releaseSlot?.();
      }
    };

    /** A 401's token refresh, bounded by the caller's abort and the call's remaining budget. */
    const refreshAfter401 = async (auth: AttemptAuth, failure: PartnerCenterError): Promise<boolean> => {
      const linked = linkedSignal(abort, call.deadline - Date.now(), () => abort.abort('total-timeout'));
      try {
        return await auth.onUnauthorized(failure, call, linked.signal);
      } catch (error: unknown) {
        if (abort.aborted) throw abortError(false);
        throw error;
      } finally {
        linked.dispose();
      }
    };

    const circuitOpen = (retryInMs: number | undefined) =>
      new PartnerCenterError({
        kind: 'circuit-open',
        retryable: false,
        reason: `the circuit breaker of scope ${scope} is open${retryInMs ? ` for another ${retryInMs} ms` : ''}; no request was sent`,
        ...where(),
      });

    try {
      const response = await policy.retry.execute(() => attempt());
      access.write('refundRetryToken', scope, () => store.refundRetryToken(scope, opts.retryBudget));
      if (hub.has('onSuccess')) {
        hub.emit('onSuccess', {
          ...callInfo(),
          attempts: call.attempts,
          durationMs: Date.now() - startedAt,
          status: response.status,
        });
      }
      return response;
    } catch (error: unknown) {
      const failure = normalizeError(error, ctx());
      if (hub.has('onGiveUp')) {
        hub.emit('onGiveUp', {
          ...callInfo(),
          attempts: call.attempts,
          durationMs: Date.now() - startedAt,
          error: failure,
        });
      }
      throw failure;
    } finally {
      callerSignal?.removeEventListener?.('abort', onCallerAbort);
      cancelToken?.unsubscribe(onCallerAbort);
      const restored = config as { signal?: unknown; timeout?: number | undefined; cancelToken?: unknown };
      restored.signal = callerSignal;
      restored.timeout = callerTimeout;
      restored.cancelToken = cancelToken;
    }
  }

  return {
    execute,
    /** Stops listening to the store (on detach). */
    dispose: () => unsubscribeStore?.(),
    /** Wires a new scope's breaker events to the store, the log and the hooks. */
    watchBreaker: (policy: ScopePolicy) => watchBreaker(policy, { store, access, hub, log }),
  };
}

/** Runs one logical call. */
export type Engine = ReturnType<typeof createEngine>;
