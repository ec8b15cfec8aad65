import type { CallInfo } from '../observability/callInfo.js';

/**
 * The part of a `ResilienceHandle` the OpenTelemetry bridge reads, declared structurally so that the
 * `./otel` entry does not carry its own copy of the main entry's classes: any `ResilienceHandle` fits.
 * The call's fields are the main entry's {@link CallInfo} (a type only: nothing of it is bundled).
 */

/** A cockatiel-style event: subscribing returns a disposable. */
export type Subscribe<T> = (listener: (event: T) => void) => { dispose(): void };

/** `onRequest`: an attempt is about to be sent. */
export interface RequestFields extends CallInfo {
  readonly attempt: number;
}

/** `onRetry`: an attempt failed and another follows. */
export interface RetryFields extends CallInfo {
  readonly attempt: number;
  readonly delayMs: number;
  readonly delaySource: string;
  readonly reason: string;
  readonly errorKind: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
}

/** `onThrottle`: a 429 (or hinted 503) set a scope deadline, or a call waits at the scope's gate. */
export interface ThrottleFields extends CallInfo {
  readonly retryAfterMs: number;
  readonly source: string;
}

/** `onRateLimit`: the rate limiter holds a call's attempt back for `waitMs`. */
export interface RateLimitFields extends CallInfo {
  readonly attempt: number;
  readonly waitMs: number;
}

/** `onBreak`, `onHalfOpen`, `onReset`. */
export interface BreakerFields extends CallInfo {
  readonly reason: string;
}

/** `onTokenRefresh`. */
export interface TokenRefreshFields extends CallInfo {
  readonly reason: string;
  readonly durationMs: number;
  readonly outcome: 'success' | 'failure';
}

/** `onSuccess`. */
export interface SuccessFields extends CallInfo {
  readonly attempts: number;
  readonly durationMs: number;
  readonly status: number;
}

/** `onGiveUp`: only the error fields the bridge reads. */
export interface GiveUpFields extends CallInfo {
  readonly attempts: number;
  readonly durationMs: number;
  readonly error: {
    readonly kind: string;
    readonly status?: number | undefined;
    readonly code?: string | undefined;
  };
}

/** `onReconcile`: `reconcile` decided a call whose outcome was unknown. */
export interface ReconcileFields extends CallInfo {
  readonly outcome: string;
  readonly attempts: number;
  readonly durationMs: number;
}

/** What {@link instrumentResilience} subscribes to: a `ResilienceHandle` from `attachResilience()`. */
export interface ResilienceEventSource {
  readonly onRequest: Subscribe<RequestFields>;
  readonly onRetry: Subscribe<RetryFields>;
  readonly onThrottle: Subscribe<ThrottleFields>;
  readonly onBreak: Subscribe<BreakerFields>;
  readonly onHalfOpen: Subscribe<BreakerFields>;
  readonly onReset: Subscribe<BreakerFields>;
  readonly onTokenRefresh: Subscribe<TokenRefreshFields>;
  readonly onGiveUp: Subscribe<GiveUpFields>;
  readonly onSuccess: Subscribe<SuccessFields>;
  /** Optional: a handle of a version without `reconcile` has none. */
  readonly onReconcile?: Subscribe<ReconcileFields>;
  /** Optional: a handle of a version without the rate limiter has none. */
  readonly onRateLimit?: Subscribe<RateLimitFields>;
}
