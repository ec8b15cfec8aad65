import type { AxiosResponse } from 'axios';
import type { IBackoff } from 'cockatiel';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { EventHub } from '../observability/events.js';
import type { Log } from '../observability/logger.js';
import type { Reconcile } from '../options/Reconcile.js';
import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import { type AttemptDeps, sendAttempt } from './attempt.js';
import { refuseIfOpen } from './breaker.js';
import { type Call, callInfo } from './call.js';
import { abortedError, attemptTimeoutError, budgetSpentError, failureOf } from './callErrors.js';
import type { CallLimiter } from './callLimiter.js';
import { decideRetry, type RetryAfterDelay } from './decideRetry.js';
import type { PartnerRetryBudget } from './partnerRetryBudget.js';
import { reconcileStop } from './reconcile.js';
import type { ScopePolicy } from './scopePolicy.js';
import { linkedSignal, sleep } from './sleep.js';
import type { StoreAccess } from './storeAccess.js';
import type { GateEnvironment, ThrottleGate } from './throttleGate.js';

/** What the slow path needs from the engine. */
export interface SlowPathDeps {
  readonly store: ScopeStateStore;
  readonly access: StoreAccess;
  readonly hub: EventHub;
  readonly log: Log | undefined;
  readonly attempt: AttemptDeps;
  readonly gate: GateEnvironment;
  /** The instance-wide reconcile function, when given. */
  readonly reconcile: Reconcile | undefined;
  /** The rate limiter, unless it is off. */
  readonly limiter: CallLimiter | undefined;
  /** The partner-wide retry budget, unless it is off. */
  readonly partnerBudget: PartnerRetryBudget | undefined;
}

/** A 429 (or a 503 with a hint) sets the scope's throttle deadline for every call of the scope. */
export function noteThrottle(
  call: Call,
  gate: ThrottleGate,
  failure: PartnerCenterError,
  deps: SlowPathDeps,
): void {
  const hinted = failure.retryAfterMs;
  if (hinted === undefined || (failure.status !== 429 && failure.status !== 503)) return;
  const scope = call.scope;
  const deadline = Date.now() + hinted;
  gate.note(deadline);
  deps.access.write('extendThrottleDeadline', scope, () =>
    deps.store.extendThrottleDeadline(scope, deadline),
  );
  if (deps.hub.has('onThrottle')) {
    deps.hub.emit('onThrottle', {
      ...callInfo(call),
      retryAfterMs: hinted,
      source: failure.retryAfterSource ?? 'retry-after',
    });
  }
}

/**
 * The slow path of a call, entered for a call whose scope is not healthy or after the first failure (which
 * it takes over as already normalised and counted): `retry (decideRetry) -> throttle gate -> breaker ->
 * attempt`, with a 401 replayed once after a token refresh (not counted as a retry, never a breaker
 * failure). Every wait is bounded by the call's budget and abort.
 */
export async function runSlowPath(
  call: Call,
  policy: ScopePolicy,
  deps: SlowPathDeps,
  first: PartnerCenterError | undefined,
  prefetched?: Promise<number | undefined>,
): Promise<AxiosResponse> {
  // Hooks never run inside the caller's own `instance.get()` stack.
  if (first === undefined) await null;
  const scope = call.scope;
  const abort = call.ensureAbort();
  const bound = { deadline: call.deadline, abort };
  let failure = first;
  let last = first;
  let backoff: IBackoff<unknown> | undefined;
  let replay = false;
  const limiter = deps.limiter;
  if (limiter !== undefined) call.limitPlan ??= limiter.planOf(call);
  const plan = call.limitPlan;
  const partnerBudget = deps.partnerBudget;
  /** The next attempt is a retry the partner budget allowed: it counts as in flight while it is sent. */
  let retryAllowed = false;
  /** A retry is in flight (counted in the partner's retries in flight until its answer). */
  let retrying = false;
  try {
    for (;;) {
      if (failure !== undefined) {
        let replayable = false;
        if (failure.status === 401) {
          try {
            replayable = await refreshAfter401(call, failure, deps);
          } catch (error: unknown) {
            failure = failureOf(call, error);
          }
        }
        if (replayable) {
          call.authReplays += 1;
          replay = true;
        } else {
          let decision = decideRetry(failure, call, policy, Date.now(), backoff);
          if (!decision.retry) {
            const next = await reconcileStop(call, decision, policy, backoff, deps.reconcile, deps.hub);
            if (next.retry === 'answered') return next.response;
            decision = next;
          }
          const budget = policy.options.retryBudget;
          const read = deps.access.read(
            'takeRetryToken',
            scope,
            () => deps.store.takeRetryToken(scope, budget),
            bound,
          );
          const token = typeof read === 'object' ? await read : read;
          if (abort.aborted) throw abortedError(call);
          if (token === false) {
            throw decision.error.with({
              reason: `the retry budget of scope ${scope} is spent (too many retries, too few successes)`,
            });
          }
          if (partnerBudget !== undefined) {
            const refused = await partnerBudget.tryRetry(call, decision.error.status === 429);
            if (abort.aborted) throw abortedError(call);
            if (refused !== undefined) throw decision.error.with({ reason: refused });
            retryAllowed = true;
          }
          backoff = decision.backoff;
          reportRetry(call, decision, deps);
          await sleep(decision.delayMs, abort, () => abortedError(call));
          replay = false;
        }
        failure = undefined;
      }
      if (abort.aborted) throw abortedError(call);
      let release: (() => void) | undefined;
      for (;;) {
        release = await policy.gate.pass(call, deps.gate, prefetched);
        prefetched = undefined;
        if (limiter === undefined || plan === undefined) break;
        let waited: boolean;
        try {
          waited = await limiter.waitForSlot(call, plan);
        } catch (error: unknown) {
          release?.();
          throw error;
        }
        // A 429 that came while the call waited for its slot set a deadline: back to the gate, and a new slot
        // after it (a slot taken during a Retry-After pause would be spent in a burst when the pause ends).
        if (!waited || !(await policy.gate.closed(call, deps.gate))) break;
        release?.();
      }
      const sentAt = Date.now();
      if (retryAllowed) {
        retryAllowed = false;
        retrying = true;
        partnerBudget?.retrySent();
      }
      try {
        if (!replay) call.attempts += 1;
        // A breaker opened by this or another process (shared store) refuses before anything is sent.
        const read = deps.access.read('getOpenUntil', scope, () => deps.store.getOpenUntil(scope), bound);
        const openUntil = typeof read === 'object' ? await read : read;
        refuseIfOpen(call, policy.breaker, openUntil, last);
        const breaker = policy.breaker;
        const response = breaker
          ? await breaker.run(call, () => sendAttempt(call, deps.attempt), last)
          : await sendAttempt(call, deps.attempt);
        if (limiter !== undefined && plan !== undefined) limiter.record(call, plan, false, sentAt);
        return response;
      } catch (error: unknown) {
        failure = failureOf(call, error);
        if (failure.kind !== 'circuit-open') last = failure;
        noteThrottle(call, policy.gate, failure, deps);
        if (limiter !== undefined && plan !== undefined && failure.status !== undefined) {
          limiter.record(call, plan, failure.status === 429, sentAt, failure.retryAfterMs);
        }
      } finally {
        // After the failure is noted: a call answered 429 has set the new deadline before the waiters look.
        release?.();
        if (retrying) {
          retrying = false;
          partnerBudget?.retryEnded();
        }
      }
    }
  } finally {
    if (retrying) partnerBudget?.retryEnded();
  }
}

function reportRetry(call: Call, decision: RetryAfterDelay, deps: SlowPathDeps): void {
  const error = decision.error;
  if (deps.hub.has('onRetry')) {
    deps.hub.emit('onRetry', {
      ...callInfo(call),
      attempt: call.attempts,
      delayMs: Math.round(decision.delayMs),
      delaySource: decision.source,
      reason: error.reason ?? error.description ?? error.kind,
      errorKind: error.kind,
      status: error.status,
      code: error.code,
    });
  }
  deps.log?.('debug', 'retrying', {
    ...callInfo(call),
    attempt: call.attempts,
    delayMs: Math.round(decision.delayMs),
    kind: error.kind,
    status: error.status,
  });
}

/**
 * A 401's token refresh, bounded by the caller's abort, the call's remaining budget and the attempt limit.
 * True to replay the attempt. A refresh that fails keeps the 401's status and code on the call's error.
 */
async function refreshAfter401(
  call: Call,
  failure: PartnerCenterError,
  deps: SlowPathDeps,
): Promise<boolean> {
  const auth = deps.attempt.auth;
  if (auth === undefined) return false;
  const abort = call.ensureAbort();
  const attemptMs = call.options.timeout.attemptMs;
  const left = call.deadline - Date.now();
  const limit = attemptMs > 0 && attemptMs < left ? attemptMs : left;
  let timedOut = false;
  const linked = linkedSignal(abort, limit, () => {
    timedOut = true;
  });
  try {
    return await auth.onUnauthorized(failure, call, linked.signal);
  } catch (error: unknown) {
    if (abort.aborted) throw abortedError(call);
    if (timedOut) {
      throw Date.now() >= call.deadline ? budgetSpentError(call) : attemptTimeoutError(call, limit);
    }
    const refresh = failureOf(call, error);
    throw failure.with({
      retryable: false,
      reason: `the token refresh after this 401 failed: ${refresh.reason ?? refresh.message}`,
      cause: refresh,
    });
  } finally {
    linked.dispose();
  }
}
