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
import type { CallInfo } from '../observability/callInfo.js';
import { callInfoOf } from '../observability/callInfo.js';
import type { EventHub } from '../observability/EventHub.js';
import type { Log } from '../observability/logger.js';
import type { ResolvedScopePolicy } from '../options/ScopePolicyOptions.js';
import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import type { Call } from './call.js';
import { circuitOpenError } from './callErrors.js';
import type { AttemptSpec, CallPolicy, Next, Outcome } from './pipeline.js';
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
  /** False for the instance's own store, which nothing else writes: its state is known without reading it. */
  readonly sharedStore: boolean;
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
 * The circuit breaker of one scope, a policy of its list: cockatiel's breaker (consecutive or sampling), the
 * shared store's breaker-open hint, and the breaker's events. Each event is reported by the place where it
 * happens: a break with the failure that caused it, half-open and reset with the test call that moved it.
 * `closed` and `holdsFailures` are fields the success path reads without a call.
 */
export class ScopeBreaker implements CallPolicy {
  readonly name = 'circuit breaker';
  private policy!: CircuitBreakerPolicy;
  private counter!: IBreaker;
  private isolation: { dispose(): void } | undefined;
  /** True while the breaker is closed (calls may take the success path). */
  closed = true;
  /** True while a success must be counted (a sampling breaker, or failures counted since the last success). */
  holdsFailures = false;

  constructor(
    private readonly scope: string,
    private readonly options: ResolvedScopePolicy['circuitBreaker'],
    private readonly deps: BreakerDeps,
  ) {
    this.build();
  }

  /** A fresh cockatiel breaker, closed, with no failures counted. */
  private build(): void {
    const s = this.options.strategy;
    const { store, access, log } = this.deps;
    const scope = this.scope;
    this.counter =
      s.type === 'consecutive'
        ? new ConsecutiveBreaker(s.threshold)
        : new SamplingBreaker({ threshold: s.threshold, duration: s.durationMs, minimumRps: s.minimumRps });
    const policy = circuitBreaker(countsAsFailure, {
      halfOpenAfter: this.options.halfOpenAfterMs,
      breaker: this.counter,
    });
    this.policy = policy;
    this.closed = true;
    this.holdsFailures = s.type === 'sampling';
    policy.onStateChange((state) => {
      if (this.policy === policy) this.closed = state === CircuitState.Closed;
    });
    policy.onBreak((reason) => {
      if (this.policy === policy) this.broke(reason);
    });
    policy.onReset(() => {
      if (this.policy !== policy) return;
      access.write('setOpenUntil', scope, () => store.setOpenUntil(scope, undefined));
      log?.('info', `circuit breaker of scope ${scope} closed`, { scope });
    });
  }

  /** The breaker's state. */
  get state(): BreakerState {
    return STATE_NAMES[this.policy.state];
  }

  /** True while the breaker refuses calls (open, or isolated by hand). */
  get refusing(): boolean {
    const state = this.policy.state;
    return state === CircuitState.Open || state === CircuitState.Isolated;
  }

  /** Counts a success-path success, as cockatiel does for a closed breaker. */
  recordSuccess(): void {
    if (this.policy.state !== CircuitState.Closed) return;
    this.counter.success(CircuitState.Closed);
    if (this.options.strategy.type === 'consecutive') this.holdsFailures = false;
  }

  /**
   * Counts a success-path failure through cockatiel, so that it may open the breaker; settles once the
   * breaker has taken it (a break is reported before the call goes on).
   */
  async recordFailure(error: PartnerCenterError): Promise<void> {
    if (this.policy.state !== CircuitState.Closed) return;
    if (countsAsBreakerFailure(error)) this.holdsFailures = true;
    await this.policy.execute(() => Promise.reject(error)).then(undefined, () => undefined);
  }

  /** True while the breaker lets its one test call through. */
  get halfOpen(): boolean {
    return this.policy.state === CircuitState.HalfOpen;
  }

  /** The store's breaker-open hint: epoch ms until which another process (or this one) holds it open. */
  private openUntil(call: Call): number | undefined | Promise<number | undefined> {
    const { store, access } = this.deps;
    const scope = this.scope;
    if (!this.deps.sharedStore) return undefined;
    return access.read('getOpenUntil', scope, () => store.getOpenUntil(scope), {
      deadline: call.deadline,
      abort: call.ensureAbort(),
    });
  }

  /**
   * Runs one attempt behind the breaker. A breaker opened by this or another process (the store's hint)
   * refuses before anything is sent, unless this process lets its test call through; a refusal is the call's
   * `circuit-open` error, keeping its last failure. The success path's failure, taken over, is counted only.
   */
  async run(call: Call, spec: AttemptSpec, next: Next): Promise<Outcome> {
    if (spec.resumed === true) return next(spec);
    if (spec.takenOver !== undefined) {
      const outcome = await next(spec);
      if (outcome.failure !== undefined) await this.recordFailure(outcome.failure);
      return outcome;
    }
    const read = this.openUntil(call);
    const until = typeof read === 'object' ? await read : read;
    const now = Date.now();
    if (until !== undefined && until > now && !this.halfOpen) {
      return { failure: circuitOpenError(call, until - now, spec.last), sent: false };
    }
    const wasOpen = this.policy.state === CircuitState.Open;
    let probe = false;
    // The attempt's outcome: cockatiel counts its failure (thrown as itself, so nothing else of the outcome,
    // e.g. the Authorization value sent, ever reaches the breaker's events), and it is returned as it was.
    let answer: Outcome | undefined;
    try {
      const outcome = await this.policy.execute(async () => {
        if (wasOpen) {
          probe = true;
          this.halfOpened(call);
        }
        answer = await next(spec);
        if (answer.failure !== undefined) throw answer.failure;
        return answer;
      });
      if (this.options.strategy.type === 'consecutive') this.holdsFailures = false;
      if (probe && this.policy.state === CircuitState.Closed) this.resetBy(call);
      return outcome;
    } catch (error: unknown) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        return { failure: circuitOpenError(call, undefined, spec.last), sent: false };
      }
      if (probe && this.policy.state === CircuitState.Closed) this.resetBy(call);
      if (answer?.failure !== undefined && error === answer.failure) {
        if (countsAsBreakerFailure(error)) this.holdsFailures = true;
        return answer;
      }
      throw error;
    }
  }

  /** Holds the breaker open by hand until the returned handle is disposed (cockatiel's isolate). */
  isolate(): { dispose(): void } {
    const handle = this.policy.isolate();
    this.isolation = handle;
    return handle;
  }

  /**
   * Closes the breaker by hand: failures counted so far are forgotten, an isolation is lifted, and the store's
   * open hint is cleared (other processes sharing the store let calls through again).
   */
  reset(): void {
    const wasClosed = this.policy.state === CircuitState.Closed;
    this.isolation?.dispose();
    this.isolation = undefined;
    this.build();
    const { store, access, log, hub } = this.deps;
    const scope = this.scope;
    access.write('setOpenUntil', scope, () => store.setOpenUntil(scope, undefined));
    if (!wasClosed) {
      log?.('info', `circuit breaker of scope ${scope} closed by hand`, { scope });
      if (hub.listening.onReset)
        hub.emit('onReset', { ...infoOfError(undefined, scope), reason: 'reset by hand' });
    }
  }

  private broke(reason: { error: Error } | { value: unknown } | { isolated: true }): void {
    const { store, access, hub, log } = this.deps;
    const scope = this.scope;
    access.write('setOpenUntil', scope, () =>
      store.setOpenUntil(scope, Date.now() + this.options.halfOpenAfterMs),
    );
    const { why, cause } = failureReason(reason);
    log?.('warn', `circuit breaker of scope ${scope} opened`, { scope, reason: why });
    if (hub.listening.onBreak) hub.emit('onBreak', { ...infoOfError(cause, scope), reason: why });
  }

  private halfOpened(call: Call): void {
    const scope = this.scope;
    this.deps.log?.('info', `circuit breaker of scope ${scope} is half-open: one test call goes through`, {
      scope,
    });
    if (this.deps.hub.listening.onHalfOpen) {
      this.deps.hub.emit('onHalfOpen', { ...callInfoOf(call), reason: 'testing with one call' });
    }
  }

  private resetBy(call: Call): void {
    if (this.deps.hub.listening.onReset) {
      this.deps.hub.emit('onReset', { ...callInfoOf(call), reason: 'the test call succeeded' });
    }
  }
}
