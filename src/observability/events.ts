import type { Event } from 'cockatiel';
import type { PartnerCenterErrorKind } from '../errors/classify.js';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { CallInfo } from './callInfo.js';

/**
 * Subscribe-able events of a handle, cockatiel style: `handle.onRetry(listener)` returns a disposable. What a
 * listener of an event receives is {@link ResilienceEvent} of its name (`ResilienceEvent<'onRetry'>`).
 */
export interface ResilienceEvents {
  /** An attempt is about to be sent. */
  readonly onRequest: Event<
    CallInfo & {
      /** 1 for the first attempt. */
      readonly attempt: number;
    }
  >;
  /** An attempt failed and another one will follow after `delayMs`. */
  readonly onRetry: Event<
    CallInfo & {
      /** The attempt that failed (1 for the first). */
      readonly attempt: number;
      /** Wait before the next attempt, in ms. */
      readonly delayMs: number;
      /** Where the delay came from: a server hint, or the exponential backoff. */
      readonly delaySource: NonNullable<PartnerCenterError['retryAfterSource']> | 'backoff';
      /** Why the attempt failed, in words. */
      readonly reason: string;
      readonly errorKind: PartnerCenterErrorKind;
      readonly status: number | undefined;
      readonly code: string | undefined;
    }
  >;
  /** A scope is throttled: a 429 set its deadline (`source` is the header), or a call waits at the gate. */
  readonly onThrottle: Event<
    CallInfo & {
      /** How long the call (or the scope) must wait, in ms. */
      readonly retryAfterMs: number;
      /** `'gate'`: the call waits for a deadline set by another call of its scope. */
      readonly source: NonNullable<PartnerCenterError['retryAfterSource']> | 'gate';
    }
  >;
  /** The rate limiter holds a call back: its next attempt waits `waitMs` for a slot of its scope's quota. */
  readonly onRateLimit: Event<
    CallInfo & {
      /** The attempt that waits (1 for the first). */
      readonly attempt: number;
      /** How long the attempt waits for a slot, in ms (it asks again after). */
      readonly waitMs: number;
    }
  >;
  /** A scope's circuit breaker opened. `CallInfo` is the call that caused it. */
  readonly onBreak: Event<
    CallInfo & {
      readonly reason: string;
    }
  >;
  /** A scope's circuit breaker let a trial call through (same event as `onBreak`). */
  readonly onHalfOpen: ResilienceEvents['onBreak'];
  /** A scope's circuit breaker closed again (same event as `onBreak`). */
  readonly onReset: ResilienceEvents['onBreak'];
  /** A token was fetched or refreshed. */
  readonly onTokenRefresh: Event<
    CallInfo & {
      readonly realm: string | undefined;
      /** `forced`: after a 401 (its challenge's realm and claims were passed to the provider). */
      readonly reason: 'initial' | 'expiring' | 'expired' | 'forced';
      readonly durationMs: number;
      readonly outcome: 'success' | 'failure';
    }
  >;
  /** A call gave up: `error` is what the caller receives. */
  readonly onGiveUp: Event<
    CallInfo & {
      readonly attempts: number;
      readonly durationMs: number;
      readonly error: PartnerCenterError;
    }
  >;
  /** A call succeeded. */
  readonly onSuccess: Event<
    CallInfo & {
      readonly attempts: number;
      readonly durationMs: number;
      readonly status: number;
    }
  >;
  /**
   * A non-idempotent call ended with an unknown outcome and `reconcile` decided it: `found` (the call resolves
   * with what it returned), `absent` (surely not created: resent with the same MS-RequestId), or `failed` (it
   * threw, gave something else or ran out of time: the call fails with the unknown-outcome error).
   */
  readonly onReconcile: Event<
    CallInfo & {
      /** What `reconcile` decided: found (`found`), surely not created (`absent`), or could not tell (`failed`). */
      readonly outcome: 'found' | 'absent' | 'failed';
      /** The attempts sent so far. */
      readonly attempts: number;
      /** How long the decision took, in ms. */
      readonly durationMs: number;
    }
  >;
  /**
   * The scope store failed (e.g. Redis is down) and the call went on without the shared state: with the
   * store's local fallback, or with none. Not tied to one call.
   */
  readonly onStoreError: Event<{
    readonly scope: string;
    /** The store method that failed (`getThrottleDeadline`, `takeRetryToken`, ...). */
    readonly operation: string;
    /** The failure's message, redacted. */
    readonly reason: string;
  }>;
  /**
   * Every event above, with one listener: it receives `{ name, event }`, where `name` is the event's name
   * (`'onRetry'`, ...) and narrows `event` to its type. For logs, metrics or tests that want the whole
   * story; subscribing builds every event object, as a listener per name would.
   */
  readonly onAny: Event<
    {
      readonly [K in Exclude<keyof ResilienceEvents, 'onAny'>]: {
        readonly name: K;
        readonly event: ResilienceEvent<K>;
      };
    }[Exclude<keyof ResilienceEvents, 'onAny'>]
  >;
}

/**
 * What a listener of the event `K` of {@link ResilienceEvents} receives (and its hook in options):
 * `ResilienceEvent<'onRetry'>` is a retry's event, `ResilienceEvent<'onAny'>` is `{ name, event }`.
 */
export type ResilienceEvent<K extends keyof ResilienceEvents> =
  ResilienceEvents[K] extends Event<infer T> ? T : never;

/**
 * Hooks in options: one per event of {@link ResilienceEvents} (receiving what its listeners receive), and
 * `onHookError`. Each receives one state object; what it returns (or throws) never changes the call.
 */
export type ResilienceHooks = {
  readonly [K in Exclude<keyof ResilienceEvents, 'onAny'>]?: (event: ResilienceEvent<K>) => unknown;
} & {
  /**
   * Called when another hook or listener throws or rejects (the call's outcome is unchanged), with the
   * hook's name and what it threw. Default: a `warn` log line, else a process warning.
   */
  readonly onHookError?: (event: { readonly hook: string; readonly error: unknown }) => unknown;
};

// The events by name, for the library's own code (the public API names them `ResilienceEvent<'onRetry'>`, ...).
export type RequestEvent = ResilienceEvent<'onRequest'>;
export type RetryEvent = ResilienceEvent<'onRetry'>;
export type ThrottleEvent = ResilienceEvent<'onThrottle'>;
export type RateLimitEvent = ResilienceEvent<'onRateLimit'>;
export type BreakerEvent = ResilienceEvent<'onBreak'>;
export type GiveUpEvent = ResilienceEvent<'onGiveUp'>;
export type SuccessEvent = ResilienceEvent<'onSuccess'>;
export type ReconcileEvent = ResilienceEvent<'onReconcile'>;
export type TokenRefreshEvent = ResilienceEvent<'onTokenRefresh'>;
export type StoreErrorEvent = ResilienceEvent<'onStoreError'>;
export type AnyResilienceEvent = ResilienceEvent<'onAny'>;
export type HookErrorEvent = Parameters<NonNullable<ResilienceHooks['onHookError']>>[0];

/**
 * The names of the handle's events, in one frozen list: the hub, the handle and the hooks schema all iterate it,
 * and the compiler checks it against {@link ResilienceEvents} (`satisfies` for extra names, the `Listed`
 * check below for missing ones).
 */
export const EVENT_NAMES = Object.freeze([
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
] as const satisfies ReadonlyArray<keyof ResilienceEvents>);

/** The hook names accepted in options: every event, plus `onHookError`. */
export const HOOK_NAMES = Object.freeze([...EVENT_NAMES, 'onHookError'] as const satisfies ReadonlyArray<
  keyof ResilienceHooks
>);

/** Compiles only when the list names every key of `T` (ky's options registry check). */
type Listed<T, Names extends PropertyKey> = [Exclude<keyof T, Names>] extends [never] ? true : never;
type _EveryEventListed = Listed<Omit<ResilienceEvents, 'onAny'>, (typeof EVENT_NAMES)[number]> &
  Listed<ResilienceHooks, (typeof HOOK_NAMES)[number]>;
const _everyEventListed: _EveryEventListed = true;

/** The name of one of the handle's events (`'onRetry'`, ...). */
export type EventName = (typeof EVENT_NAMES)[number];

/** What a listener of the event `K` receives. */
export type EventPayload<K extends EventName> = ResilienceEvent<K>;
