import type { ThrottleConfig } from './scenario.js';

interface ScopeState {
  windowEnd: number;
  count: number;
  /** Absolute time (injected clock) before which the scope was told not to come back. */
  deadline: number;
  /** When the latest Retry-After for the scope was sent. */
  announcedAt: number;
}

/** How a hit relates to the Retry-After deadlines the simulator announced. */
export interface DeadlineCheck {
  /** The scope was under a deadline, announced more than the grace period before the hit. */
  readonly beforeDeadline: boolean;
  /** The scope was under a deadline announced less than the grace period before: already in flight. */
  readonly inFlight: boolean;
  /** This very MS-RequestId was told a deadline that has not passed: a retry that came back too early. */
  readonly earlyRetry: boolean;
}

/** Request ids remembered with the deadline they were told. */
const MAX_REQUEST_DEADLINES = 10_000;

/** Scope states kept before expired ones are pruned. */
const PRUNE_AT = 10_000;

/** Default of `scenario.deadlineGraceMs`. */
export const DEFAULT_DEADLINE_GRACE_MS = 50;

/** The scope name of partner-level requests in stats and logs. */
export const PARTNER_SCOPE = 'partner';

/**
 * Fixed-window rate limits and announced Retry-After deadlines, per scope (`partner` or a customer id).
 * Memory: states whose window and deadline have both passed are pruned once more than 10_000 exist.
 */
export class ScopeTracker {
  private readonly states = new Map<string, ScopeState>();

  private readonly requestDeadlines = new Map<string, number>();

  constructor(
    private readonly throttle: ThrottleConfig | undefined,
    private readonly graceMs = 0,
  ) {}

  /** Where a hit of `scope` with `requestId` stands against the announced deadlines. */
  check(scope: string, requestId: string, now: number): DeadlineCheck {
    const state = this.states.get(scope);
    const under = state !== undefined && now < state.deadline;
    const inFlight = under && now - state.announcedAt < this.graceMs;
    const told = this.requestDeadlines.get(requestId);
    return { beforeDeadline: under && !inFlight, inFlight, earlyRetry: told !== undefined && now < told };
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
  announce(scope: string, now: number, seconds: number, requestId: string): void {
    const state = this.state(scope, now);
    state.deadline = Math.max(state.deadline, now + seconds * 1000);
    state.announcedAt = now;
    this.requestDeadlines.delete(requestId);
    this.requestDeadlines.set(requestId, now + seconds * 1000);
    if (this.requestDeadlines.size > MAX_REQUEST_DEADLINES) {
      const oldest = this.requestDeadlines.keys().next();
      if (!oldest.done) this.requestDeadlines.delete(oldest.value);
    }
  }

  private state(scope: string, now: number): ScopeState {
    let state = this.states.get(scope);
    if (state === undefined) {
      if (this.states.size >= PRUNE_AT) this.prune(now);
      state = {
        windowEnd: Number.NEGATIVE_INFINITY,
        count: 0,
        deadline: Number.NEGATIVE_INFINITY,
        announcedAt: Number.NEGATIVE_INFINITY,
      };
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
