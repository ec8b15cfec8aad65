import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { EventHub } from '../observability/EventHub.js';
import type { AttemptDeadlines } from './attemptDeadlines.js';
import { type Call, callInfo } from './call.js';

/** The token seam: the attempt asks it to authorise each attempt, the retry loop asks it about a 401. */
export interface AttemptAuth {
  /**
   * Sets the attempt's Authorization header on `call.config.headers`: synchronously (returns `undefined`)
   * while the token is fresh, else returns a promise that settles once the header is set. May throw or
   * reject with a PartnerCenterError. `signal`, when the attempt has one, aborts when it ends early.
   */
  authorize(call: Call, signal: AbortSignal | undefined): Promise<void> | undefined;
  /** After a 401: refresh the token if that can help; true to replay the attempt (once per call). */
  onUnauthorized(error: PartnerCenterError, call: Call, signal: AbortSignal): Promise<boolean>;
}

/** What an attempt needs from the engine. */
export interface AttemptDeps {
  readonly hub: EventHub;
  readonly deadlines: AttemptDeadlines;
  readonly auth: AttemptAuth | undefined;
}

/**
 * One attempt under way: whoever awaits {@link Attempt.sending} (the engine's success path itself, or the
 * retry loop) is its only frame. Then {@link Attempt.answered} or {@link Attempt.failure}, then always
 * {@link Attempt.end}.
 */
export interface Attempt {
  /** The adapter's answer, or why the attempt failed. */
  readonly sending: Promise<AxiosResponse>;
  /** The adapter's response, carrying the request's own config. */
  answered(response: AxiosResponse): AxiosResponse;
  /** What the attempt's failure means, normalised once (call it before {@link Attempt.end}). */
  failure(error: unknown): PartnerCenterError;
  /** Releases the attempt's deadline, timer and listeners. */
  end(): void;
}

/**
 * The attempt's own copy of the request config, carrying its signal (the request's own config stays as the
 * caller and the interceptors left it). Copied key by key: axios's merged configs are dictionary-mode
 * objects, which V8 spreads or `Object.assign`s about four times slower.
 */
export function copyFor(
  config: InternalAxiosRequestConfig,
  signal: AbortSignal | undefined,
): InternalAxiosRequestConfig {
  const source = config as unknown as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  const keys = Object.keys(source);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    copy[key] = source[key];
  }
  copy['signal'] = signal;
  copy['timeout'] = 0;
  copy['cancelToken'] = undefined;
  return copy as unknown as InternalAxiosRequestConfig;
}

/** Marks the adapter's call: its request counters and the `onRequest` event. */
export function markSending(call: Call, deps: AttemptDeps): void {
  if (deps.hub.has('onRequest')) deps.hub.emit('onRequest', { ...callInfo(call), attempt: call.attempts });
  call.sending = true;
  call.sent += 1;
}
