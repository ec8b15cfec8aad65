import type { ThrottleConfig } from './scenario.js';

interface ScopeState {
  windowEnd: number;
  count: number;
  /** Absolute time (injected clock) before which the scope was told not to come back. */
  deadline: number;
}

/** Scope states kept before expired ones are pruned. */
const PRUNE_AT = 10_000;

/** The scope name of partner-level requests in stats and logs. */
export const PARTNER_SCOPE = 'partner';

/**
 * Fixed-window rate limits and announced Retry-After deadlines, per scope (`partner` or a customer id).
 * Memory: states whose window and deadline have both passed are pruned once more than 10_000 exist.
 */
export class ScopeTracker {
  private readonly states = new Map<string, ScopeState>();

  constructor(private readonly throttle: ThrottleConfig | undefined) {}

  /** True when `scope` was told a Retry-After deadline that has not passed yet. */
  isBeforeDeadline(scope: string, now: number): boolean {
    const state = this.states.get(scope);
    return state !== undefined && now < state.deadline;
  }

  /**
   * Counts a hit against the scope's window. Returns `undefined` when it is within the limit, else the
   * `Retry-After` seconds until the window resets (rounded up, at least 1).
   */
  take(scope: string, now: number): number | undefined {
    const limit = scope === PARTNER_SCOPE ? this.throttle?.partner : this.throttle?.customer;
    if (limit === undefined) return undefined;
    const state = this.state(scope, now);
    if (now >= state.windowEnd) {
      state.windowEnd = now + limit.windowMs;
      state.count = 0;
    }
    state.count++;
    if (state.count <= limit.limit) return undefined;
    return Math.max(1, Math.ceil((state.windowEnd - now) / 1000));
  }

  /** Records that the scope was told to wait `seconds` from `now`. */
  announce(scope: string, now: number, seconds: number): void {
    const state = this.state(scope, now);
    state.deadline = Math.max(state.deadline, now + seconds * 1000);
  }

  private state(scope: string, now: number): ScopeState {
    let state = this.states.get(scope);
    if (state === undefined) {
      if (this.states.size >= PRUNE_AT) this.prune(now);
      state = { windowEnd: Number.NEGATIVE_INFINITY, count: 0, deadline: Number.NEGATIVE_INFINITY };
      this.states.set(scope, state);
    }
    return state;
  }

  private prune(now: number): void {
    for (const [scope, state] of this.states) {
      if (state.windowEnd <= now && state.deadline <= now) this.states.delete(scope);
    }
  }
}
