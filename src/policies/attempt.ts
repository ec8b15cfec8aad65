import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { EventHub } from '../observability/events.js';
import type { AttemptDeadlines, DeadlineBucket } from './attemptDeadlines.js';
import { type Call, callInfo } from './call.js';
import { attemptTimeoutError, budgetSpentError, cancelledError, failureOf } from './callErrors.js';
import { timerDelay } from './timerDelay.js';

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
 * The attempt's own copy of the request config, carrying its signal (the request's own config stays as the
 * caller and the interceptors left it). Copied key by key: axios's merged configs are dictionary-mode
 * objects, which V8 spreads or `Object.assign`s about four times slower.
 */
function copyFor(
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

/** Why an attempt ended early. */
enum Stop {
  None = 0,
  Timeout = 1,
  Aborted = 2,
}

/**
 * One attempt: authorise, send through the base adapter, bounded by the attempt limit (the smaller of
 * `timeout.attemptMs` and what is left of the call's budget) and the caller's abort. Whatever fails is
 * normalised here, once, into the call's PartnerCenterError. The request config is never changed: the adapter
 * gets a copy carrying the attempt's signal, and the response keeps the request's own config.
 *
 * On the success path (no caller signal, limit set by `attemptMs`, an adapter that settles when its signal
 * aborts) the attempt joins a shared deadline bucket and awaits the adapter itself: no AbortController, no
 * timer and no race of its own. Otherwise the attempt is raced against its own limit, so that it settles at
 * the limit even when the adapter ignores its signal.
 */
export function sendAttempt(call: Call, deps: AttemptDeps): Promise<AxiosResponse> {
  const attemptMs = call.options.timeout.attemptMs;
  return call.abort === undefined &&
    call.baseSettlesOnAbort &&
    attemptMs > 0 &&
    attemptMs < call.deadline - Date.now()
    ? sendInBucket(call, deps, attemptMs)
    : sendRaced(call, deps);
}

/** Marks the adapter's call: its request counters and the `onRequest` event. */
function sending(call: Call, deps: AttemptDeps): void {
  if (deps.hub.has('onRequest')) deps.hub.emit('onRequest', { ...callInfo(call), attempt: call.attempts });
  call.sending = true;
  call.sent += 1;
}

/** `pending`, or a rejection once `signal` aborts, whichever comes first (the authorisation's own bound). */
function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(undefined);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** An attempt in a shared deadline bucket, through an adapter that settles once the bucket's signal aborts. */
async function sendInBucket(call: Call, deps: AttemptDeps, limit: number): Promise<AxiosResponse> {
  let timedOut = false;
  const onTimeout = () => {
    timedOut = true;
  };
  const bucket = deps.deadlines.enter(limit, onTimeout);
  const config = call.config;
  try {
    const authorizing = deps.auth?.authorize(call, bucket.signal);
    if (authorizing !== undefined) await untilAborted(authorizing, bucket.signal);
    if (timedOut) throw undefined;
    const attemptConfig = copyFor(config, bucket.signal);
    sending(call, deps);
    const response = await call.base(attemptConfig);
    if (response.config === attemptConfig) response.config = config;
    return response;
  } catch (error: unknown) {
    if (timedOut) {
      throw Date.now() >= call.deadline ? budgetSpentError(call) : attemptTimeoutError(call, limit);
    }
    throw failureOf(call, error);
  } finally {
    call.sending = false;
    deps.deadlines.leave(bucket, onTimeout);
  }
}

/**
 * An attempt raced against its limit and the caller's abort: it settles at the limit even when the adapter
 * ignores its signal. Without a caller signal and limited by `attemptMs`, it still shares a deadline bucket.
 */
async function sendRaced(call: Call, deps: AttemptDeps): Promise<AxiosResponse> {
  const config = call.config;
  const attemptMs = call.options.timeout.attemptMs;
  const left = call.deadline - Date.now();
  if (left <= 0) throw budgetSpentError(call);
  const limit = attemptMs > 0 && attemptMs < left ? attemptMs : left;
  const abort = call.abort;
  if (abort?.aborted) throw cancelledError(call);

  let stop = Stop.None;
  let fail: ((error: unknown) => void) | undefined;
  const end = (why: Stop) => {
    if (stop !== Stop.None) return;
    stop = why;
    fail?.(undefined);
  };

  const onTimeout = () => end(Stop.Timeout);
  let bucket: DeadlineBucket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unlink: (() => void) | undefined;
  let signal: AbortSignal | undefined;
  if (abort === undefined && limit === attemptMs) {
    bucket = deps.deadlines.enter(attemptMs, onTimeout);
    signal = bucket.signal;
  } else if (abort !== undefined || Number.isFinite(limit)) {
    const own = new AbortController();
    signal = own.signal;
    if (Number.isFinite(limit)) {
      timer = setTimeout(() => {
        onTimeout();
        own.abort();
      }, timerDelay(limit));
    }
    unlink = abort?.onAbort(() => {
      end(Stop.Aborted);
      own.abort();
    });
  }

  try {
    const attemptConfig: InternalAxiosRequestConfig =
      signal === undefined && !config.timeout && config.cancelToken === undefined
        ? config
        : copyFor(config, signal);
    const settled = new Promise<AxiosResponse>((resolve, reject) => {
      fail = reject;
      if (stop !== Stop.None) return reject(undefined);
      const authorizing = deps.auth?.authorize(call, signal);
      const send = (): Promise<AxiosResponse> => {
        if (stop !== Stop.None) return Promise.reject(undefined);
        sending(call, deps);
        return call.base(attemptConfig);
      };
      (authorizing === undefined ? send() : authorizing.then(send)).then(resolve, reject);
    });
    const response = await settled;
    if (response.config !== config && response.config === attemptConfig) response.config = config;
    return response;
  } catch (error: unknown) {
    const why = stop as Stop;
    if (why === Stop.Timeout) {
      throw Date.now() >= call.deadline ? budgetSpentError(call) : attemptTimeoutError(call, limit);
    }
    if (why === Stop.Aborted || abort?.aborted) throw cancelledError(call);
    throw failureOf(call, error);
  } finally {
    call.sending = false;
    if (bucket !== undefined) deps.deadlines.leave(bucket, onTimeout);
    if (timer !== undefined) clearTimeout(timer);
    unlink?.();
  }
}
