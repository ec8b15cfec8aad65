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

/** Calls allowed in flight at once when a scope comes out of a throttle window; doubles per success. */
const RECOVERY_START = 1;
/** Past this limit the scope leaves recovery: no cap on calls in flight. */
const RECOVERY_END = 16;

/** Slow start after a throttle window: a cap on the scope's calls in flight, doubling with each success. */
export interface ThrottleRecovery {
  limit: number;
  inFlight: number;
  /** Settles (and is replaced) whenever a slot frees or the limit changes. */
  changed: Promise<void>;
  notify: () => void;
}

function startRecovery(): ThrottleRecovery {
  const recovery: ThrottleRecovery = {
    limit: RECOVERY_START,
    inFlight: 0,
    changed: Promise.resolve(),
    notify: () => undefined,
  };
  recovery.changed = new Promise<void>((resolve) => {
    recovery.notify = resolve;
  });
  return recovery;
}

/** A slot's call ended: double the cap, or back to one call if it brought a new throttle deadline. */
function endSlot(policy: ScopePolicy, recovery: ThrottleRecovery): void {
  recovery.inFlight -= 1;
  if (policy.recovery === recovery) {
    if (policy.throttledUntil !== undefined && policy.throttledUntil > Date.now()) {
      recovery.limit = RECOVERY_START;
    } else {
      policy.throttledUntil = undefined;
      recovery.limit *= 2;
      if (recovery.limit > RECOVERY_END) policy.recovery = undefined;
    }
  }
  const notify = recovery.notify;
  recovery.changed = new Promise<void>((resolve) => {
    recovery.notify = resolve;
  });
  notify();
}

/**
 * The throttle gate of a scope. A call waits for the scope's Retry-After deadline (the later of what this
 * process learnt and what the shared store says), or fails at once when the deadline is beyond its budget or
 * `maxRetryAfterMs`. When a deadline passes, the scope comes back in slow start: one call goes first (a
 * probe), then 2, 4, 8 and 16 at a time as calls succeed, then no cap; a new 429 sets a new deadline and
 * starts over. So the calls held at the gate do not all reach the server in the same millisecond. Returns
 * the slot's release function, to be called once the call's outcome is recorded (a 429 has set the next
 * deadline), or `undefined` when the scope is not recovering.
 */
export function passThrottleGate(
  policy: ScopePolicy,
  call: GateCall,
): (() => void) | undefined | Promise<(() => void) | undefined> {
  const first = call.sharedDeadline();
  // The common case answers synchronously: a synchronous store, no deadline, no recovery under way.
  if (
    policy.throttledUntil === undefined &&
    policy.recovery === undefined &&
    typeof first !== 'object' &&
    (first === undefined || first <= Date.now())
  ) {
    return undefined;
  }
  return waitAtGate(policy, call, first);
}

async function waitAtGate(
  policy: ScopePolicy,
  call: GateCall,
  first: ReturnType<GateCall['sharedDeadline']>,
): Promise<(() => void) | undefined> {
  let useFirst = true;
  for (;;) {
    const current = useFirst ? first : call.sharedDeadline();
    useFirst = false;
    const shared = typeof current === 'object' ? await current : current;
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
    let recovery = policy.recovery;
    if (recovery === undefined) {
      if (policy.throttledUntil === undefined) return undefined;
      // The deadline passed: the scope starts again with one call.
      recovery = startRecovery();
      policy.recovery = recovery;
    }
    if (recovery.inFlight >= recovery.limit) {
      await waitFor(
        recovery.changed,
        call.signal,
        call.onAbort,
        call.budgetDeadline - now,
        call.onBudgetSpent,
      );
      continue;
    }
    recovery.inFlight += 1;
    const slot = recovery;
    return () => endSlot(policy, slot);
  }
}
