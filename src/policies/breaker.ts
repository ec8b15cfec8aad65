import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type IBreaker,
  IsolatedCircuitError,
  SamplingBreaker,
} from 'cockatiel';
import { countsAsBreakerFailure } from '../errors/classify.js';
import { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { CallInfo, EventHub } from '../observability/events.js';
import type { Log } from '../observability/logger.js';
import type { ResolvedScopePolicy } from '../options/ScopePolicyOptions.js';
import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import { type Call, callInfo } from './call.js';
import { circuitOpenError } from './callErrors.js';
import type { StoreAccess } from './storeAccess.js';

/** State of a scope's circuit breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** What a breaker reports to. */
export interface BreakerDeps {
  readonly store: ScopeStateStore;
  readonly access: StoreAccess;
  readonly hub: EventHub;
  readonly log: Log | undefined;
}

const countsAsFailure = handleWhen(countsAsBreakerFailure);

function failureReason(reason: { error: Error } | { value: unknown } | { isolated: true }): {
  why: string;
  cause: PartnerCenterError | undefined;
} {
  if ('isolated' in reason) return { why: 'isolated by hand', cause: undefined };
  const error = 'error' in reason ? reason.error : undefined;
  if (!PartnerCenterError.is(error)) return { why: 'failures', cause: undefined };
  const detail = error.reason ?? error.description ?? 'failure';
  return { why: `${error.kind}${error.status ? ` ${error.status}` : ''}: ${detail}`, cause: error };
}

function infoOfError(error: PartnerCenterError | undefined, scope: string): CallInfo {
  return {
    requestId: error?.requestId ?? '',
    correlationId: error?.correlationId ?? '',
    scope,
    method: error?.method ?? '',
    url: error?.url ?? '',
  };
}

/**
 * The circuit breaker of one scope: cockatiel's breaker (consecutive or sampling), the shared store's
 * breaker-open hint, and the breaker's events. Each event is reported by the room where it happens: a break
 * with the failure that caused it, half-open and reset with the test call that moved the breaker.
 */
export class ScopeBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private readonly counter: IBreaker;

  constructor(
    private readonly scope: string,
    private readonly options: ResolvedScopePolicy['circuitBreaker'],
    private readonly deps: BreakerDeps,
  ) {
    const s = options.strategy;
    this.counter =
      s.type === 'consecutive'
        ? new ConsecutiveBreaker(s.threshold)
        : new SamplingBreaker({ threshold: s.threshold, duration: s.durationMs, minimumRps: s.minimumRps });
    this.policy = circuitBreaker(countsAsFailure, {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: this.counter,
    });
    this.policy.onBreak((reason) => this.broke(reason));
    this.policy.onReset(() => {
      deps.access.write('setOpenUntil', scope, () => deps.store.setOpenUntil(scope, undefined));
      deps.log?.('info', `circuit breaker of scope ${scope} closed`, { scope });
    });
  }

  /** The breaker's state. */
  get state(): BreakerState {
    return STATE_NAMES[this.policy.state];
  }

  /** True while calls may take the success path (no state change can follow a success). */
  get closed(): boolean {
    return this.policy.state === CircuitState.Closed;
  }

  /** True while the breaker refuses calls (open, or isolated by hand). */
  get refusing(): boolean {
    const state = this.policy.state;
    return state === CircuitState.Open || state === CircuitState.Isolated;
  }

  /** Counts a success-path success, as cockatiel does for a closed breaker. */
  recordSuccess(): void {
    if (this.policy.state === CircuitState.Closed) this.counter.success(CircuitState.Closed);
  }

  /**
   * Counts a success-path failure through cockatiel, so that it may open the breaker; settles once the
   * breaker has taken it (a break is reported before the call goes on).
   */
  async recordFailure(error: PartnerCenterError): Promise<void> {
    if (this.policy.state !== CircuitState.Closed) return;
    await this.policy.execute(() => Promise.reject(error)).then(undefined, () => undefined);
  }

  /** True while the breaker lets its one test call through. */
  get halfOpen(): boolean {
    return this.policy.state === CircuitState.HalfOpen;
  }

  /** Runs one attempt behind the breaker; a refusal becomes the call's `circuit-open` error. */
  async run<T>(call: Call, attempt: () => Promise<T>, last: PartnerCenterError | undefined): Promise<T> {
    const wasOpen = this.policy.state === CircuitState.Open;
    let probe = false;
    try {
      const result = await this.policy.execute(() => {
        if (wasOpen) {
          probe = true;
          this.halfOpened(call);
        }
        return attempt();
      });
      if (probe && this.policy.state === CircuitState.Closed) this.resetBy(call);
      return result;
    } catch (error: unknown) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        throw circuitOpenError(call, undefined, last);
      }
      if (probe && this.policy.state === CircuitState.Closed) this.resetBy(call);
      throw error;
    }
  }

  /** Holds the breaker open by hand (cockatiel's isolate). */
  isolate(): { dispose(): void } {
    return this.policy.isolate();
  }

  private broke(reason: { error: Error } | { value: unknown } | { isolated: true }): void {
    const { store, access, hub, log } = this.deps;
    const scope = this.scope;
    access.write('setOpenUntil', scope, () =>
      store.setOpenUntil(scope, Date.now() + this.options.halfOpenAfterMs),
    );
    const { why, cause } = failureReason(reason);
    log?.('warn', `circuit breaker of scope ${scope} opened`, { scope, reason: why });
    if (hub.has('onBreak')) hub.emit('onBreak', { ...infoOfError(cause, scope), reason: why });
  }

  private halfOpened(call: Call): void {
    const scope = this.scope;
    this.deps.log?.('info', `circuit breaker of scope ${scope} is half-open: one test call goes through`, {
      scope,
    });
    if (this.deps.hub.has('onHalfOpen')) {
      this.deps.hub.emit('onHalfOpen', { ...callInfo(call), reason: 'testing with one call' });
    }
  }

  private resetBy(call: Call): void {
    if (this.deps.hub.has('onReset')) {
      this.deps.hub.emit('onReset', { ...callInfo(call), reason: 'the test call succeeded' });
    }
  }
}

/**
 * Refuses the call when the shared store says the scope's breaker is open (this or another process opened
 * it), unless this process's breaker is letting its test call through. `last` is the call's last failure,
 * kept on the error.
 */
export function refuseIfOpen(
  call: Call,
  breaker: ScopeBreaker | undefined,
  openUntil: number | undefined,
  last: PartnerCenterError | undefined,
): void {
  const now = Date.now();
  if (openUntil !== undefined && openUntil > now && breaker?.halfOpen !== true) {
    throw circuitOpenError(call, openUntil - now, last);
  }
}
