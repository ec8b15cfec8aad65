import type { ResilienceOptions } from '../../src/index.js';

/**
 * `options` with the rate limiter's slow start off (unless they set it, or turn the limiter off): for tests of
 * something else (breakers, scopes, hooks, retries, tokens, workflows) whose calls go to a partner with no rule
 * on fake timers that nothing advances while they are paced. The slow start has tests of its own.
 */
export function noSlowStart<T extends ResilienceOptions>(options: T): T {
  const rateLimit = options.rateLimit;
  if (rateLimit === false) return options;
  return { ...options, rateLimit: { slowStart: false, ...rateLimit } };
}
