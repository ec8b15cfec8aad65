import type { Call } from './call.js';
import type { CallLimiter } from './callLimiter.js';
import type { AttemptSpec, CallPolicy, Next, Outcome } from './pipeline.js';
import type { ThrottleGate } from './throttleGate.js';

/**
 * The rate limiter as a policy of a scope's list, inside its throttle gate: waits for a slot for the attempt
 * (bounded by the call's budget, its abort and `rateLimit.maxWaitMs`), and teaches the limiter what the answer
 * says (every answer is measured; a 429 lowers the rates of the levels it charged). A 429 that came while the
 * call waited for its slot set a deadline: the call waits it out at the gate and takes a new slot after it (a
 * slot taken during a Retry-After pause would be spent in a burst when the pause ends). The success path's
 * failure, taken over, is only recorded.
 */
export function rateLimitPolicy(limiter: CallLimiter, gate: ThrottleGate): CallPolicy {
  return {
    name: 'rate limit',
    async run(call: Call, spec: AttemptSpec, next: Next): Promise<Outcome> {
      if (spec.resumed === true) return next(spec);
      const plan = limiter.planOf(call);
      const taken = spec.takenOver;
      if (taken !== undefined) {
        // Recorded at once, before any await: the next calls' slots already count it.
        learn(taken, call.startedAt);
        return next(spec);
      }
      const sentAt = await slot(call);
      const outcome = await next(spec);
      learn(outcome, sentAt);
      return outcome;

      function learn(outcome: Outcome, sentAt: number): void {
        const failure = outcome.failure;
        if (failure === undefined) limiter.record(call, plan, false, sentAt);
        else if (failure.status !== undefined) {
          limiter.record(call, plan, failure.status === 429, sentAt, failure.retryAfterMs);
        }
      }

      async function slot(own: Call): Promise<number> {
        // A slot of the slow start the call holds stays its own: only the deadline is waited out.
        while ((await limiter.waitForSlot(own, plan)) && (await gate.closed(own))) await gate.waitOpen(own);
        return Date.now();
      }
    },
  };
}
