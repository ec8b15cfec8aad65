import { type Event, EventEmitter, type IDisposable } from 'cockatiel';
import type { PartnerCenterErrorKind } from '../errors/classify.js';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { RetryAfterSource } from '../http/response.js';
import type { Log } from './logger.js';
import { defaultSanitizer } from './sanitizer.js';

/** What every event says about the logical call it belongs to. URLs are redacted. */
export interface CallInfo {
  /** `MS-RequestId` of the logical call. */
  readonly requestId: string;
  /** `MS-CorrelationId` of the logical call. */
  readonly correlationId: string;
  /** Tenant scope key. */
  readonly scope: string;
  /** HTTP method, upper case. */
  readonly method: string;
  /** URL with secret query values redacted. */
  readonly url: string;
}

/** An attempt is about to be sent. */
export interface RequestEvent extends CallInfo {
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/** An attempt failed and another one will follow after `delayMs`. */
export interface RetryEvent extends CallInfo {
  /** The attempt that failed (1 for the first). */
  readonly attempt: number;
  /** Wait before the next attempt, in ms. */
  readonly delayMs: number;
  /** Where the delay came from: a server hint, or the exponential backoff. */
  readonly delaySource: RetryAfterSource | 'backoff';
  /** Why the attempt failed, in words. */
  readonly reason: string;
  readonly errorKind: PartnerCenterErrorKind;
  readonly status: number | undefined;
  readonly code: string | undefined;
}

/** A scope is throttled: a 429 set its deadline (`source` is the header), or a call waits at the gate. */
export interface ThrottleEvent extends CallInfo {
  /** How long the call (or the scope) must wait, in ms. */
  readonly retryAfterMs: number;
  /** `'gate'`: the call waits for a deadline set by another call of its scope. */
  readonly source: RetryAfterSource | 'gate';
}

/** The rate limiter holds a call back: its next attempt waits `waitMs` for a slot of its scope's quota. */
export interface RateLimitEvent extends CallInfo {
  /** The attempt that waits (1 for the first). */
  readonly attempt: number;
  /** How long the attempt waits for a slot, in ms (it asks again after). */
  readonly waitMs: number;
}

/** A scope's circuit breaker changed state. `CallInfo` is the call that caused it. */
export interface BreakerEvent extends CallInfo {
  readonly reason: string;
}

/** A call gave up: `error` is what the caller receives. */
export interface GiveUpEvent extends CallInfo {
  readonly attempts: number;
  readonly durationMs: number;
  readonly error: PartnerCenterError;
}

/** A call succeeded. */
export interface SuccessEvent extends CallInfo {
  readonly attempts: number;
  readonly durationMs: number;
  readonly status: number;
}

/**
 * A non-idempotent call ended with an unknown outcome and `reconcile` decided it: `found` (the call resolves
 * with what it returned), `absent` (surely not created: resent with the same MS-RequestId), or `failed` (it
 * threw, gave something else or ran out of time: the call fails with the unknown-outcome error).
 */
export interface ReconcileEvent extends CallInfo {
  /** What `reconcile` decided: found (`found`), surely not created (`absent`), or could not tell (`failed`). */
  readonly outcome: 'found' | 'absent' | 'failed';
  /** The attempts sent so far. */
  readonly attempts: number;
  /** How long the decision took, in ms. */
  readonly durationMs: number;
}

/** A token was fetched or refreshed. */
export interface TokenRefreshEvent extends CallInfo {
  readonly realm: string | undefined;
  /** `forced`: after a 401 (its challenge's realm and claims were passed to the provider). */
  readonly reason: 'initial' | 'expiring' | 'expired' | 'forced';
  readonly durationMs: number;
  readonly outcome: 'success' | 'failure';
}

/**
 * The scope store failed (e.g. Redis is down) and the call went on without the shared state: with the
 * store's local fallback, or with none. Not tied to one call.
 */
export interface StoreErrorEvent {
  readonly scope: string;
  /** The store method that failed (`getThrottleDeadline`, `takeRetryToken`, ...). */
  readonly operation: string;
  /** The failure's message, redacted. */
  readonly reason: string;
}

/** A hook or listener threw or rejected. The call's outcome is unchanged. */
export interface HookErrorEvent {
  readonly hook: string;
  readonly error: unknown;
}

/** Hooks in options. Each receives one state object; what it returns (or throws) never changes the call. */
export interface ResilienceHooks {
  readonly onRequest?: (event: RequestEvent) => unknown;
  readonly onRetry?: (event: RetryEvent) => unknown;
  readonly onThrottle?: (event: ThrottleEvent) => unknown;
  /** The rate limiter holds a call back to stay under the quota (see {@link RateLimitEvent}). */
  readonly onRateLimit?: (event: RateLimitEvent) => unknown;
  readonly onBreak?: (event: BreakerEvent) => unknown;
  readonly onHalfOpen?: (event: BreakerEvent) => unknown;
  readonly onReset?: (event: BreakerEvent) => unknown;
  readonly onTokenRefresh?: (event: TokenRefreshEvent) => unknown;
  readonly onGiveUp?: (event: GiveUpEvent) => unknown;
  readonly onSuccess?: (event: SuccessEvent) => unknown;
  /** `reconcile` decided a call whose outcome was unknown (see {@link ReconcileEvent}). */
  readonly onReconcile?: (event: ReconcileEvent) => unknown;
  /** The scope store failed and calls went on without the shared state (see {@link StoreErrorEvent}). */
  readonly onStoreError?: (event: StoreErrorEvent) => unknown;
  /** Called when another hook throws or rejects. Default: a `warn` log line, else a process warning. */
  readonly onHookError?: (event: HookErrorEvent) => unknown;
}

/** Subscribe-able events of a handle, cockatiel style: `handle.onRetry(listener)` returns a disposable. */
export interface ResilienceEvents {
  readonly onRequest: Event<RequestEvent>;
  readonly onRetry: Event<RetryEvent>;
  readonly onThrottle: Event<ThrottleEvent>;
  readonly onRateLimit: Event<RateLimitEvent>;
  readonly onBreak: Event<BreakerEvent>;
  readonly onHalfOpen: Event<BreakerEvent>;
  readonly onReset: Event<BreakerEvent>;
  readonly onTokenRefresh: Event<TokenRefreshEvent>;
  readonly onGiveUp: Event<GiveUpEvent>;
  readonly onSuccess: Event<SuccessEvent>;
  readonly onReconcile: Event<ReconcileEvent>;
  readonly onStoreError: Event<StoreErrorEvent>;
  /**
   * Every event above, with one listener: it receives `{ name, event }`, where `name` is the event's name
   * (`'onRetry'`, ...) and narrows `event` to its type. For logs, metrics or tests that want the whole
   * story; subscribing builds every event object, as a listener per name would.
   */
  readonly onAny: Event<AnyResilienceEvent>;
}

/** What an {@link ResilienceEvents.onAny} listener receives: the event's name, and the event. */
export type AnyResilienceEvent = {
  readonly [K in Exclude<keyof ResilienceEvents, 'onAny'>]: {
    readonly name: K;
    readonly event: ResilienceEvents[K] extends Event<infer T> ? T : never;
  };
}[Exclude<keyof ResilienceEvents, 'onAny'>];

/**
 * The names of the handle's events, in one list: the hub, the handle and the hooks schema all iterate it,
 * and the compiler checks it against {@link ResilienceEvents} (`satisfies` for extra names, the `Listed`
 * check below for missing ones).
 */
export const EVENT_NAMES = [
  'onRequest',
  'onRetry',
  'onThrottle',
  'onRateLimit',
  'onBreak',
  'onHalfOpen',
  'onReset',
  'onTokenRefresh',
  'onGiveUp',
  'onSuccess',
  'onReconcile',
  'onStoreError',
] as const satisfies ReadonlyArray<keyof ResilienceEvents>;

/** The hook names accepted in options: every event, plus `onHookError`. */
export const HOOK_NAMES = [...EVENT_NAMES, 'onHookError'] as const satisfies ReadonlyArray<
  keyof ResilienceHooks
>;

/** Compiles only when the list names every key of `T` (ky's options registry check). */
type Listed<T, Names extends PropertyKey> = [Exclude<keyof T, Names>] extends [never] ? true : never;
type _EveryEventListed = Listed<Omit<ResilienceEvents, 'onAny'>, (typeof EVENT_NAMES)[number]> &
  Listed<ResilienceHooks, (typeof HOOK_NAMES)[number]>;
const _everyEventListed: _EveryEventListed = true;

type EventName = (typeof EVENT_NAMES)[number];
type Payload<K extends EventName> = ResilienceEvents[K] extends Event<infer T> ? T : never;

/**
 * The handle's subscribe functions (`handle.onRetry(listener)`), one per name in {@link EVENT_NAMES}, and
 * `onAny`, which subscribes one listener to all of them (one disposable for all).
 */
export function eventsOf(hub: EventHub): ResilienceEvents {
  const events: Partial<Record<EventName, Event<never>>> = {};
  for (const name of EVENT_NAMES) {
    events[name] = (listener) => hub.on(name, listener as (event: Payload<typeof name>) => unknown);
  }
  const onAny: Event<AnyResilienceEvent> = (listener) => {
    const subscriptions = EVENT_NAMES.map((name) =>
      hub.on(name, (event) => listener({ name, event } as AnyResilienceEvent)),
    );
    return {
      dispose: () => {
        for (const subscription of subscriptions) subscription.dispose();
      },
    };
  };
  return Object.freeze({ ...events, onAny }) as ResilienceEvents;
}

/**
 * The engine's event hub: one cockatiel emitter per event, hooks from options subscribed to them, and
 * every listener wrapped so that a throw or a rejection is reported once and never reaches the call.
 * `has(name)` lets the engine skip building event objects when nobody listens.
 */
export class EventHub {
  /** The subscribe functions, as {@link eventsOf} builds them. */
  readonly events: ResilienceEvents;
  private readonly emitters: { [K in EventName]: EventEmitter<Payload<K>> };
  private readonly reported = new WeakSet<object>();

  /**
   * `scrub` redacts what a failed hook's error says before it is logged: the instance's sanitizer, so that
   * the tokens it knows are removed too. Default: the built-in allow-lists.
   */
  constructor(
    hooks: ResilienceHooks | undefined,
    private readonly log: Log | undefined,
    private readonly scrub: (text: string) => string = defaultSanitizer.scrubText,
  ) {
    const emitters: Partial<Record<EventName, EventEmitter<never>>> = {};
    for (const name of EVENT_NAMES) emitters[name] = new EventEmitter<never>();
    this.emitters = emitters as unknown as { [K in EventName]: EventEmitter<Payload<K>> };
    this.events = eventsOf(this);
    for (const name of EVENT_NAMES) {
      const hook = hooks?.[name];
      if (typeof hook === 'function') this.on(name, hook as (event: unknown) => unknown);
    }
    this.onHookError = hooks?.onHookError;
  }

  /** Subscribes `listener` to `name`; a throw or rejection of it is reported, never reaches the call. */
  on<K extends EventName>(name: K, listener: (event: Payload<K>) => unknown): IDisposable {
    return (this.emitters[name] as EventEmitter<Payload<K>>).addListener(this.guard(name, listener));
  }

  private readonly onHookError: ((event: HookErrorEvent) => unknown) | undefined;

  /** True when someone listens to `name`: build the event object only then. */
  has(name: EventName): boolean {
    return this.emitters[name].size > 0;
  }

  emit<K extends EventName>(name: K, event: Payload<K>): void {
    this.emitters[name].emit(event);
  }

  private guard<T>(name: string, listener: (event: T) => unknown): (event: T) => void {
    return (event: T) => {
      try {
        const result = listener(event);
        if (
          result !== null &&
          typeof result === 'object' &&
          typeof (result as PromiseLike<unknown>).then === 'function'
        ) {
          (result as PromiseLike<unknown>).then(undefined, (error: unknown) => this.report(name, error));
        }
      } catch (error: unknown) {
        this.report(name, error);
      }
    };
  }

  private report(hook: string, error: unknown): void {
    if (error !== null && typeof error === 'object') {
      if (this.reported.has(error)) return;
      this.reported.add(error);
    }
    if (this.onHookError) {
      try {
        this.onHookError({ hook, error });
        return;
      } catch {
        // fall through to the log
      }
    }
    const message = this.scrub(error instanceof Error ? error.message : String(error)).slice(0, 500);
    if (this.log) {
      this.log('warn', `hook ${hook} failed; the call's outcome is unchanged`, { hook, error: message });
    } else {
      runtimeWarning(
        `partner-center-resilience: hook ${hook} failed (${message}); the call's outcome is unchanged`,
        'PARTNER_CENTER_RESILIENCE_HOOK',
      );
    }
  }
}

/**
 * A process warning where the runtime has them (Node, Bun, Deno's Node compatibility), else `console.warn`:
 * the main entry uses no Node-only global without a feature check.
 */
function runtimeWarning(message: string, code: string): void {
  const emitWarning = (
    globalThis as { process?: { emitWarning?: (message: string, options: { code: string }) => void } }
  ).process?.emitWarning;
  if (typeof emitWarning === 'function') emitWarning.call(globalThis.process, message, { code });
  else globalThis.console?.warn?.(message);
}
