import type { IBackoff, IBackoffFactory } from 'cockatiel';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import { callInfoOf } from '../observability/callInfo.js';
import type { EventHub } from '../observability/EventHub.js';
import type { Log } from '../observability/logger.js';
import type { ResolvedScopePolicy } from '../options/ScopePolicyOptions.js';
import type { Call } from './call.js';
import { abortedError, failureOf } from './callErrors.js';
import { decideRetry, type RetryAfterDelay } from './decideRetry.js';
import { type AttemptSpec, type CallPolicy, type Outcome, refused } from './pipeline.js';
import { resendView } from './reconcile.js';
import { sleep } from './sleep.js';

/** Asks whether a retry the retry policy decided on may go: `undefined` (it may), or why not. */
export type RetryPermit = (call: Call, failure: PartnerCenterError) => Promise<string | undefined>;

/** What the retry policy needs. */
export interface RetryDeps {
  readonly hub: EventHub;
  readonly log: Log | undefined;
  /** cockatiel's exponential backoff for a scope's options (asked when the server gave no Retry-After). */
  readonly backoffOf: (options: ResolvedScopePolicy) => IBackoffFactory<unknown>;
  /** The retry budgets, asked after each decision to retry and before its wait. */
  readonly permit: RetryPermit;
}

function reportRetry(call: Call, decision: RetryAfterDelay, deps: RetryDeps): void {
  const error = decision.error;
  if (deps.hub.listening.onRetry) {
    deps.hub.emit('onRetry', {
      ...callInfoOf(call),
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
    ...callInfoOf(call),
    attempt: call.attempts,
    delayMs: Math.round(decision.delayMs),
    kind: error.kind,
    status: error.status,
  });
}

/**
 * The retry policy, outermost in the list: after each failed attempt, {@link decideRetry} says whether to
 * retry and after how long (the server's Retry-After first, else cockatiel's backoff); the retry budgets may
 * still refuse; the wait is bounded by the call's budget and abort. It counts the attempts that were sent,
 * and passes the call's last failure down (a breaker's refusal keeps it).
 */
export function retryPolicy(deps: RetryDeps): CallPolicy {
  return {
    name: 'retry',
    async run(call, spec, next) {
      // What a policy below threw (a wait it could not make, an abort) is that attempt's failure, nothing sent.
      const attempt = (down: AttemptSpec): Promise<Outcome> =>
        next(down).catch((error: unknown) => refused(failureOf(call, error)));
      let outcome: Outcome = await attempt(spec);
      let backoff: IBackoff<unknown> | undefined;
      let last: PartnerCenterError | undefined;
      const policy = { options: call.options, backoff: deps.backoffOf(call.options) };
      for (;;) {
        if (outcome.failure === undefined) return outcome;
        const failure = outcome.failure;
        if (outcome.sent) call.sent += 1;
        if (outcome.final === true) return outcome;
        // A breaker's refusal keeps the call's last answer (passed down with the next attempt).
        if (failure.kind !== 'circuit-open') last = failure;
        const view = outcome.notProcessed === true ? resendView(call) : call;
        const decision = decideRetry(failure, view, policy, Date.now(), backoff);
        if (!decision.retry) {
          // The caller's own value goes back to it when the library added nothing to its failure.
          const thrown = decision.error === failure ? outcome.thrown : undefined;
          return { failure: decision.error, sent: false, thrown };
        }
        const refusal = await deps.permit(call, decision.error);
        const abort = call.ensureAbort();
        if (abort.aborted) return { failure: abortedError(call), sent: false };
        if (refusal !== undefined) return { failure: decision.error.with({ reason: refusal }), sent: false };
        backoff = decision.backoff;
        reportRetry(call, decision, deps);
        try {
          await sleep(decision.delayMs, abort, () => abortedError(call));
        } catch (error: unknown) {
          return { failure: error as PartnerCenterError, sent: false };
        }
        outcome = await attempt({ retry: true, last });
      }
    },
  };
}
