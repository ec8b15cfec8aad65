import { AxiosHeaders, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import { callInfoOf } from '../observability/callInfo.js';
import type { EventHub } from '../observability/EventHub.js';
import type { AttemptDeadlines, DeadlineBucket } from './attemptDeadlines.js';
import { type Call, writeHeader } from './call.js';
import {
  attemptTimeoutError,
  budgetSpentError,
  cancelledError,
  failureOf,
  foreignValue,
} from './callErrors.js';
import type { AttemptSpec, Authorizer, Outcome } from './pipeline.js';
import { MAX_TIMER_DELAY, untilAborted } from './sleep.js';

/** What an attempt needs from the engine. */
export interface AttemptDeps {
  readonly hub: EventHub;
  readonly deadlines: AttemptDeadlines;
}

/** Why an attempt ended early. */
enum Stop {
  None = 0,
  Timeout = 1,
  Aborted = 2,
}

/**
 * The attempt's own copy of the request config, carrying its signal and, when the library authorises the
 * call, its own headers with the Authorization value (the caller's config and headers are not written).
 * Copied key by key: axios's merged configs are dictionary-mode objects, which V8 spreads or
 * `Object.assign`s about four times slower.
 */
function copyFor(
  config: InternalAxiosRequestConfig,
  signal: AbortSignal | undefined,
  authorization: string | undefined,
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
  if (authorization !== undefined) {
    // Its own headers: the value is one axios would send as it is, so it is written without `set`'s parsing.
    const headers = Object.assign(new AxiosHeaders(), config.headers);
    copy['headers'] = headers;
    writeHeader(copy as unknown as InternalAxiosRequestConfig, 'Authorization', authorization);
  }
  return copy as unknown as InternalAxiosRequestConfig;
}

/**
 * One attempt: authorise, send through the base adapter, bounded by its limit (the smaller of
 * `timeout.attemptMs` and what is left of the call's budget) and the caller's abort. Whoever awaits
 * {@link Attempt.sending} (the engine's success path itself, or {@link sendAttempt}) is its only frame; then
 * {@link Attempt.answered} or {@link Attempt.failure}, and always {@link Attempt.end}.
 *
 * Through an adapter that settles once its signal aborts (axios's own), with no caller signal and a limit set
 * by `attemptMs`, the attempt shares a deadline bucket (one timer and controller for the attempts starting in
 * the same short window) and is not raced. Otherwise it is raced against its limit and the caller's abort,
 * so that it settles at the limit even when the adapter ignores its signal.
 */
export class Attempt {
  private stop = Stop.None;
  private fail: ((error: unknown) => void) | undefined;
  private bucket: DeadlineBucket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unlink: (() => void) | undefined;
  private attemptConfig: InternalAxiosRequestConfig | undefined;
  private readonly limit: number;
  /** True once the attempt reached the base adapter. */
  sent = false;
  /** The Authorization value sent, when the library set one. */
  authorization: string | undefined;
  /** The adapter's answer, or why the attempt failed. */
  readonly sending: Promise<AxiosResponse>;

  constructor(
    private readonly call: Call,
    private readonly deps: AttemptDeps,
    private readonly authorize: Authorizer | undefined,
  ) {
    const attemptMs = call.options.timeout.attemptMs;
    const left = call.deadline - Date.now();
    const limit = attemptMs > 0 && attemptMs < left ? attemptMs : left;
    this.limit = limit;
    const abort = call.abort;
    if (abort === undefined && call.baseSettlesOnAbort && limit === attemptMs) {
      // Not raced: the adapter's own rejection at the bucket's deadline ends the attempt.
      const bucket = deps.deadlines.enter(attemptMs, this);
      this.bucket = bucket;
      this.sending = this.start(bucket.signal);
      return;
    }
    if (left <= 0) {
      this.sending = Promise.reject(budgetSpentError(call, false));
      return;
    }
    if (abort?.aborted) {
      this.sending = Promise.reject(cancelledError(call, false));
      return;
    }
    let signal: AbortSignal | undefined;
    if (abort === undefined && limit === attemptMs) {
      this.bucket = deps.deadlines.enter(attemptMs, this);
      signal = this.bucket.signal;
    } else if (abort !== undefined || Number.isFinite(limit)) {
      const own = new AbortController();
      signal = own.signal;
      if (Number.isFinite(limit)) {
        this.timer = setTimeout(
          () => {
            this.halt(Stop.Timeout);
            own.abort();
          },
          Math.min(limit, MAX_TIMER_DELAY),
        );
      }
      this.unlink = abort?.onAbort(() => {
        this.halt(Stop.Aborted);
        own.abort();
      });
    }
    this.sending = new Promise<AxiosResponse>((resolve, reject) => {
      this.fail = reject;
      this.start(signal).then(resolve, reject);
    });
  }

  /** Authorises (at once, or once the token comes) and sends. */
  private start(signal: AbortSignal | undefined): Promise<AxiosResponse> {
    if (this.authorize === undefined) return this.send(signal, undefined);
    try {
      const value = this.authorize.authorization(this.call, signal);
      if (typeof value === 'string') return this.send(signal, value);
      // A token wait is bounded by the attempt's signal even when the provider ignores it.
      const header = signal === undefined ? value : untilAborted(value, signal, () => undefined);
      return header.then((authorization) => this.send(signal, authorization));
    } catch (error: unknown) {
      return Promise.reject(error);
    }
  }

  /** Called by the deadline bucket at the deadline. */
  attemptTimedOut(): void {
    this.halt(Stop.Timeout);
  }

  private halt(why: Stop): void {
    if (this.stop !== Stop.None) return;
    this.stop = why;
    this.fail?.(undefined);
  }

  private send(signal: AbortSignal | undefined, authorization: string | undefined): Promise<AxiosResponse> {
    if (this.stop !== Stop.None) return Promise.reject(undefined);
    const call = this.call;
    const config = call.config;
    const attemptConfig =
      signal === undefined && authorization === undefined && !config.timeout && config.cancelToken == null
        ? config
        : copyFor(config, signal, authorization);
    this.attemptConfig = attemptConfig;
    this.authorization = authorization;
    const hub = this.deps.hub;
    if (hub.listening.onRequest) hub.emit('onRequest', { ...callInfoOf(call), attempt: call.attempts });
    this.sent = true;
    return call.base(attemptConfig);
  }

  /** The adapter's response, carrying the request's own config. */
  answered(response: AxiosResponse): AxiosResponse {
    if (response.config === this.attemptConfig) response.config = this.call.config;
    return response;
  }

  /** What the attempt's failure means, normalised once: a deadline passed, an abort, or the adapter's own. */
  failure(error: unknown): PartnerCenterError {
    const call = this.call;
    const why = this.stop as Stop;
    if (why === Stop.Timeout) {
      return Date.now() >= call.deadline
        ? budgetSpentError(call, this.sent)
        : attemptTimeoutError(call, this.limit);
    }
    if (why === Stop.Aborted || call.abort?.aborted) return cancelledError(call, this.sent);
    return failureOf(call, error);
  }

  /** Releases the attempt's deadline, timer and listeners (once the adapter settled). */
  end(): void {
    if (this.bucket !== undefined) this.deps.deadlines.leave(this.bucket, this);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.unlink?.();
  }
}

/**
 * The attempt at the end of the list: its outcome (the success path's, when the list takes that over).
 * Never rejects.
 */
export async function sendAttempt(call: Call, spec: AttemptSpec, deps: AttemptDeps): Promise<Outcome> {
  if (spec.takenOver !== undefined) return spec.takenOver;
  const attempt = new Attempt(call, deps, spec.authorize);
  try {
    return { response: attempt.answered(await attempt.sending) };
  } catch (error: unknown) {
    const failure = attempt.failure(error);
    const thrown = foreignValue(failure, error);
    return { failure, sent: attempt.sent, authorization: attempt.authorization, thrown };
  } finally {
    attempt.end();
  }
}
