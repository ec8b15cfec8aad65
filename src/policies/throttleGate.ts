import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import { callInfoOf } from '../observability/callInfo.js';
import type { EventHub } from '../observability/EventHub.js';
import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import type { Call } from './call.js';
import { abortedError, budgetSpentError, throttledTooLongError } from './callErrors.js';
import type { AttemptSpec, CallPolicy, Next, Outcome } from './pipeline.js';
import { sleep, waitFor } from './sleep.js';
import type { StoreAccess } from './storeAccess.js';

/** Calls allowed in flight at once when a scope comes out of a throttle window; doubles per success. */
const RECOVERY_START = 1;
/** Past this limit the scope leaves recovery: no cap on calls in flight. */
const RECOVERY_END = 16;

/** What the gates of an instance share: the store and the hooks. */
export interface GateDeps {
  /** False for the instance's own store, which nothing else writes: its state is known without reading it. */
  readonly sharedStore: boolean;
  readonly store: ScopeStateStore;
  readonly access: StoreAccess;
  readonly hub: EventHub;
}

/** Slow start after a throttle window: a cap on the scope's calls in flight, doubling with each success. */
class Recovery {
  limit = RECOVERY_START;
  inFlight = 0;
  private notify: () => void = () => undefined;
  /** Settles (and is replaced) whenever a slot frees or the limit changes. */
  changed: Promise<void> = this.next();

  private next(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.notify = resolve;
    });
  }

  wake(): void {
    const notify = this.notify;
    this.changed = this.next();
    notify();
  }
}

/**
 * The throttle gate of one scope, owning its state: the latest Retry-After deadline this process learnt,
 * and the slow start that follows it. A call waits for the deadline (the later of this process's and the
 * shared store's), or fails at once when the deadline is beyond its budget or `maxRetryAfterMs`. When a
 * deadline passes, the scope comes back in slow start: one call goes first (a probe), then 2, 4, 8 and 16
 * at a time as calls succeed, then no cap; a new 429 sets a new deadline and starts over.
 */
export class ThrottleGate implements CallPolicy {
  readonly name = 'throttle gate';
  private throttledUntil: number | undefined;
  private recovery: Recovery | undefined;
  /** True when nothing holds calls back in this process (the store is asked separately): a field, read by the success path. */
  idle = true;

  constructor(
    private readonly scope: string,
    private readonly deps: GateDeps,
  ) {}

  /** The scope's throttle deadline in the store (a bounded read). */
  private sharedDeadline(call: Call): number | undefined | Promise<number | undefined> {
    const { store, access } = this.deps;
    const scope = this.scope;
    if (!this.deps.sharedStore) return undefined;
    return access.read('getThrottleDeadline', scope, () => store.getThrottleDeadline(scope), call);
  }

  /** True when the scope is under a throttle deadline now (this process's, or the shared store's). */
  async closed(call: Call): Promise<boolean> {
    if (this.throttledUntil !== undefined && this.throttledUntil > Date.now()) return true;
    const read = this.sharedDeadline(call);
    const shared = typeof read === 'object' ? await read : read;
    return shared !== undefined && shared > Date.now();
  }

  /** Records a deadline learnt for the scope (from a 429 or a hinted 503, or the store). */
  note(deadline: number): void {
    this.throttledUntil = Math.max(this.throttledUntil ?? 0, deadline);
    this.idle = false;
  }

  /**
   * Holds the call until the scope is open (the throttle deadline, then a slot of the slow start), runs the
   * rest of the list, and notes a deadline its answer brings before the slot is released (the scope's next
   * calls must already see it). The success path's failure, taken over, is only noted.
   */
  async run(call: Call, spec: AttemptSpec, next: Next): Promise<Outcome> {
    if (spec.resumed === true) return next(spec);
    const taken = spec.takenOver;
    if (taken !== undefined) {
      // Noted at once, before any await: the scope's next calls must already see the deadline.
      if (taken.failure !== undefined) this.noteThrottle(call, taken.failure);
      return next(spec);
    }
    const release = await this.pass(call);
    try {
      const outcome = await next(spec);
      if (outcome.failure !== undefined) this.noteThrottle(call, outcome.failure);
      return outcome;
    } finally {
      release?.();
    }
  }

  /** A 429 (or a 503 with a hint) sets the scope's throttle deadline for every call of the scope. */
  private noteThrottle(call: Call, failure: PartnerCenterError): void {
    const hinted = failure.retryAfterMs;
    if (hinted === undefined || (failure.status !== 429 && failure.status !== 503)) return;
    const { store, access, hub } = this.deps;
    const scope = this.scope;
    const deadline = Date.now() + hinted;
    this.note(deadline);
    access.write('extendThrottleDeadline', scope, () => store.extendThrottleDeadline(scope, deadline));
    if (hub.listening.onThrottle) {
      hub.emit('onThrottle', {
        ...callInfoOf(call),
        retryAfterMs: hinted,
        source: failure.retryAfterSource ?? 'retry-after',
      });
    }
  }

  /**
   * Waits out the scope's throttle deadline (the later of this process's and the shared store's), without
   * taking a slot of the slow start. Rejects with the call's error when it cannot wait (too long, budget
   * spent, aborted).
   */
  async waitOpen(call: Call): Promise<void> {
    const abort = call.ensureAbort();
    const maxRetryAfterMs = call.options.retry.maxRetryAfterMs;
    for (;;) {
      const read = this.sharedDeadline(call);
      const shared = typeof read === 'object' ? await read : read;
      const now = Date.now();
      const local = this.throttledUntil ?? 0;
      const deadline = Math.max(shared ?? 0, local > now ? local : 0);
      if (deadline <= now) return;
      this.note(deadline);
      const wait = deadline - now;
      if (now + wait > call.deadline) {
        throw throttledTooLongError(call, wait, `${Math.max(0, call.deadline - now)} ms left in its budget`);
      }
      if (wait > maxRetryAfterMs)
        throw throttledTooLongError(call, wait, `maxRetryAfterMs ${maxRetryAfterMs}`);
      if (this.deps.hub.listening.onThrottle)
        this.deps.hub.emit('onThrottle', { ...callInfoOf(call), retryAfterMs: wait, source: 'gate' });
      await sleep(wait, abort, () => abortedError(call));
    }
  }

  /**
   * Lets `call` through: resolves with the slot's release function (to be called once the call's outcome is
   * recorded), or `undefined` when the scope is not recovering. Rejects with the call's error when it cannot
   * wait (too long, budget spent, aborted).
   */
  async pass(call: Call): Promise<(() => void) | undefined> {
    const abort = call.ensureAbort();
    for (;;) {
      await this.waitOpen(call);
      const now = Date.now();
      let recovery = this.recovery;
      if (recovery === undefined) {
        if (this.throttledUntil === undefined) {
          this.idle = true;
          return undefined;
        }
        // The deadline passed: the scope starts again with one call.
        recovery = new Recovery();
        this.recovery = recovery;
      }
      if (recovery.inFlight >= recovery.limit) {
        await waitFor(
          recovery.changed,
          abort,
          () => abortedError(call),
          call.deadline - now,
          () => {
            abort.abort('total-timeout');
            return budgetSpentError(call, false);
          },
        );
        continue;
      }
      recovery.inFlight += 1;
      const slot = recovery;
      return () => this.release(slot);
    }
  }

  /** A slot's call ended: double the cap, or back to one call if it brought a new throttle deadline. */
  private release(recovery: Recovery): void {
    recovery.inFlight -= 1;
    if (this.recovery === recovery) {
      if (this.throttledUntil !== undefined && this.throttledUntil > Date.now()) {
        recovery.limit = RECOVERY_START;
      } else {
        this.throttledUntil = undefined;
        recovery.limit *= 2;
        if (recovery.limit > RECOVERY_END) {
          this.recovery = undefined;
          this.idle = true;
        }
      }
    }
    recovery.wake();
  }
}
