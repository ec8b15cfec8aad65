import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { ScopePolicy } from './scopePolicy.js';
import { type AbortLike, sleep, waitFor } from './sleep.js';

/** What the gate needs to know about the call passing it. */
export interface GateCall {
  /** Reads the shared throttle deadline of the scope (the store). */
  readonly sharedDeadline: () => number | undefined | Promise<number | undefined>;
  /** Epoch ms at which the call's total budget runs out (or `Infinity`). */
  readonly budgetDeadline: number;
  /** Longest server-requested wait the call accepts. */
  readonly maxRetryAfterMs: number;
  readonly signal: AbortLike;
  /** The error to reject with when `signal` aborts during a wait. */
  readonly onAbort: () => unknown;
  /** The error to reject with when the call's budget runs out while it waits for a probe. */
  readonly onBudgetSpent: () => unknown;
  /** The error to throw when the deadline is beyond what the call may wait. */
  readonly tooLong: (waitMs: number, reason: string) => PartnerCenterError;
  /** Called before each wait. */
  readonly onWait: (waitMs: number) => void;
}

/** Records a deadline this process learnt for the scope (from a 429 or a hinted 503). */
export function noteThrottle(policy: ScopePolicy, deadline: number): void {
  policy.throttledUntil = Math.max(policy.throttledUntil ?? 0, deadline);
}

/**
 * The throttle gate of a scope. A call waits for the scope's Retry-After deadline (the later of what this
 * process learnt and what the shared store says), or fails at once when the deadline is beyond its budget or
 * `maxRetryAfterMs`. After a deadline passes, the first call through is a probe: the scope's other calls wait
 * for its outcome instead of all reaching the server in the same millisecond. Returns the probe's release
 * function, to be called once the probe's outcome is recorded (a 429 has set the next deadline).
 */
export async function passThrottleGate(
  policy: ScopePolicy,
  call: GateCall,
): Promise<(() => void) | undefined> {
  for (;;) {
    const read = call.sharedDeadline();
    const shared = typeof read === 'object' ? await read : read;
    const now = Date.now();
    const local = policy.throttledUntil ?? 0;
    const deadline = Math.max(shared ?? 0, local > now ? local : 0);
    if (deadline > now) {
      noteThrottle(policy, deadline);
      const wait = deadline - now;
      if (now + wait > call.budgetDeadline) {
        throw call.tooLong(wait, `${Math.max(0, call.budgetDeadline - now)} ms left in its budget`);
      }
      if (wait > call.maxRetryAfterMs) throw call.tooLong(wait, `maxRetryAfterMs ${call.maxRetryAfterMs}`);
      call.onWait(wait);
      await sleep(wait, call.signal, call.onAbort);
      continue;
    }
    if (policy.probe) {
      await waitFor(policy.probe, call.signal, call.onAbort, call.budgetDeadline - now, call.onBudgetSpent);
      continue;
    }
    if (policy.throttledUntil === undefined) return undefined;
    // The deadline passed: this call probes alone.
    policy.throttledUntil = undefined;
    let release: () => void = () => undefined;
    const probe = new Promise<void>((resolve) => {
      release = resolve;
    });
    policy.probe = probe;
    return () => {
      if (policy.probe === probe) policy.probe = undefined;
      release();
    };
  }
}
