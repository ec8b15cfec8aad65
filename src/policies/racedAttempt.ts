import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { DeadlineBucket } from './attemptDeadlines.js';
import { type Attempt, type AttemptDeps, copyFor, markSending } from './attemptParts.js';
import type { Call } from './call.js';
import { attemptTimeoutError, budgetSpentError, cancelledError, failureOf } from './callErrors.js';
import { timerDelay } from './timerDelay.js';

/** Why an attempt ended early. */
enum Stop {
  None = 0,
  Timeout = 1,
  Aborted = 2,
}

/**
 * An attempt raced against its limit (the smaller of `timeout.attemptMs` and what is left of the budget) and
 * the caller's abort: it settles at the limit even when the adapter ignores its signal. Without a caller
 * signal and limited by `attemptMs`, it shares a deadline bucket (no timer of its own); otherwise it has its
 * own controller and timer.
 */
export class RacedAttempt implements Attempt {
  private stop = Stop.None;
  private fail: ((error: unknown) => void) | undefined;
  private bucket: DeadlineBucket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unlink: (() => void) | undefined;
  private attemptConfig: InternalAxiosRequestConfig | undefined;
  private readonly limit: number;
  readonly sending: Promise<AxiosResponse>;

  constructor(
    private readonly call: Call,
    private readonly deps: AttemptDeps,
  ) {
    const attemptMs = call.options.timeout.attemptMs;
    const left = call.deadline - Date.now();
    const limit = attemptMs > 0 && attemptMs < left ? attemptMs : left;
    this.limit = limit;
    const abort = call.abort;
    if (left <= 0) {
      this.sending = Promise.reject(budgetSpentError(call));
      return;
    }
    if (abort?.aborted) {
      this.sending = Promise.reject(cancelledError(call));
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
        this.timer = setTimeout(() => {
          this.halt(Stop.Timeout);
          own.abort();
        }, timerDelay(limit));
      }
      this.unlink = abort?.onAbort(() => {
        this.halt(Stop.Aborted);
        own.abort();
      });
    }
    const config = call.config;
    const attemptConfig =
      signal === undefined && !config.timeout && config.cancelToken === undefined
        ? config
        : copyFor(config, signal);
    this.attemptConfig = attemptConfig;
    this.sending = new Promise<AxiosResponse>((resolve, reject) => {
      this.fail = reject;
      if (this.stop !== Stop.None) return reject(undefined);
      const authorizing = deps.auth?.authorize(call, signal);
      (authorizing === undefined ? this.send() : authorizing.then(() => this.send())).then(resolve, reject);
    });
  }

  /** Called by the bucket at the deadline. */
  attemptTimedOut(): void {
    this.halt(Stop.Timeout);
  }

  private halt(why: Stop): void {
    if (this.stop !== Stop.None) return;
    this.stop = why;
    this.fail?.(undefined);
  }

  private send(): Promise<AxiosResponse> {
    if (this.stop !== Stop.None) return Promise.reject(undefined);
    markSending(this.call, this.deps);
    return this.call.base(this.attemptConfig as InternalAxiosRequestConfig);
  }

  answered(response: AxiosResponse): AxiosResponse {
    if (response.config === this.attemptConfig) response.config = this.call.config;
    return response;
  }

  failure(error: unknown): PartnerCenterError {
    const call = this.call;
    const why = this.stop as Stop;
    if (why === Stop.Timeout) {
      return Date.now() >= call.deadline ? budgetSpentError(call) : attemptTimeoutError(call, this.limit);
    }
    if (why === Stop.Aborted || call.abort?.aborted) return cancelledError(call);
    return failureOf(call, error);
  }

  end(): void {
    this.call.sending = false;
    if (this.bucket !== undefined) this.deps.deadlines.leave(this.bucket, this);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.unlink?.();
  }
}
