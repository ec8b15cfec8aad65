import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { DeadlineBucket } from './attemptDeadlines.js';
import { type Attempt, type AttemptDeps, copyFor, markSending } from './attemptParts.js';
import type { Call } from './call.js';
import { attemptTimeoutError, budgetSpentError, failureOf } from './callErrors.js';
import { untilAborted } from './sleep.js';

/**
 * An attempt in a shared deadline bucket, through an adapter that settles as soon as the bucket's signal
 * aborts: whoever awaits {@link BucketAttempt.sending} (the engine's success path itself) is the attempt's
 * only frame; no timer, controller, race or closure of its own. Then: {@link BucketAttempt.answered} or
 * {@link BucketAttempt.failure}, and always {@link BucketAttempt.end}.
 */
export class BucketAttempt implements Attempt {
  /** Set by the bucket when the deadline passes, before its signal aborts the adapter. */
  private timedOut = false;
  private readonly bucket: DeadlineBucket;
  private attemptConfig: InternalAxiosRequestConfig | undefined;
  /** The adapter's answer (after the token, when one is being fetched). */
  readonly sending: Promise<AxiosResponse>;

  constructor(
    private readonly call: Call,
    private readonly deps: AttemptDeps,
    private readonly limit: number,
  ) {
    this.bucket = deps.deadlines.enter(limit, this);
    let answer: Promise<AxiosResponse>;
    try {
      const authorizing = deps.auth?.authorize(call, this.bucket.signal);
      answer =
        authorizing === undefined
          ? this.send()
          : untilAborted(authorizing, this.bucket.signal, () => undefined).then(() => this.send());
    } catch (error: unknown) {
      answer = Promise.reject(error);
    }
    this.sending = answer;
  }

  /** Called by the bucket at the deadline. */
  attemptTimedOut(): void {
    this.timedOut = true;
  }

  private send(): Promise<AxiosResponse> {
    if (this.timedOut) return Promise.reject(undefined);
    const attemptConfig = copyFor(this.call.config, this.bucket.signal);
    this.attemptConfig = attemptConfig;
    markSending(this.call, this.deps);
    return this.call.base(attemptConfig);
  }

  /** The adapter's response, carrying the request's own config. */
  answered(response: AxiosResponse): AxiosResponse {
    if (response.config === this.attemptConfig) response.config = this.call.config;
    return response;
  }

  /** What the attempt's failure means, normalised once: a deadline passed, or the adapter's own failure. */
  failure(error: unknown): PartnerCenterError {
    const call = this.call;
    if (!this.timedOut) return failureOf(call, error);
    return Date.now() >= call.deadline ? budgetSpentError(call) : attemptTimeoutError(call, this.limit);
  }

  /** Leaves the bucket (once the adapter settled). */
  end(): void {
    this.call.sending = false;
    this.deps.deadlines.leave(this.bucket, this);
  }
}
