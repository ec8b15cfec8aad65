import { LocalRateLimitBackend } from '../../../../src/policies/rateLimiter/localBackend.js';
import {
  type LimitTarget,
  RateLimiter,
  type RateLimiterOptions,
} from '../../../../src/policies/rateLimiter/rateLimiter.js';
import type { LimitLevel } from '../../../../src/stores/rateLimitProtocol.js';

/** A rate limiter on this process's backend, with synchronous answers (for tests with an injected clock). */
export function localLimiter(options?: RateLimiterOptions) {
  const backend = new LocalRateLimitBackend();
  const limiter = new RateLimiter(options);
  return {
    limiter,
    acquire: (target: LimitTarget, now: number): number =>
      backend.acquire(limiter.plan(target), limiter.settings, now),
    /** `sentMsAgo`: how long before `now` the request was sent; `quietMs`: a 429's Retry-After. */
    record: (target: LimitTarget, now: number, throttled: boolean, sentMsAgo = 0, quietMs = 0): void => {
      const plan = limiter.plan(target);
      backend.record({
        plan,
        settings: limiter.settings,
        now,
        charged: limiter.charged(plan, now, throttled),
        sentMsAgo,
        quietMs: throttled ? quietMs : 0,
      });
    },
    waitingCustomers: (partner: string, now: number): number => backend.waitingCustomers(partner, now),
    state: (target: LimitTarget, level: LimitLevel) => {
      const found = limiter.plan(target).levels.find((candidate) => candidate.level === level);
      return found === undefined ? undefined : backend.adaptiveState(found.key);
    },
  };
}

export type LocalLimiter = ReturnType<typeof localLimiter>;
