import type { core } from 'zod';
import * as z from 'zod';
import { MAX_TIMER_MS } from './limits.js';

/**
 * The validation rules shared by the options schema and the token cache (which also checks its own
 * options when used alone): durations, counts, callbacks, the token windows, and how problems read.
 */

/** A duration in ms: `min` (default `0`) up to {@link MAX_TIMER_MS}. */
export function durationMs(min = 0) {
  return z
    .number({ error: 'must be a number of milliseconds' })
    .min(min, { error: `must be at least ${min} ms` })
    .max(MAX_TIMER_MS, { error: `must be at most ${MAX_TIMER_MS} ms (about 24.8 days)` });
}

/** A whole number, at least 1. */
export const count = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' });

/** A function (hooks, resolvers, store and logger methods). */
export const fn = z.custom<(...args: never[]) => unknown>(
  (v) => typeof v === 'function',
  'must be a function',
);

/** The token windows and cache size, as both `TokenOptions` and the token cache take them. */
export const tokenWindowShape = {
  refreshWindowMs: durationMs().optional(),
  blockingWindowMs: durationMs().optional(),
  maxEntries: count.optional(),
};

/** Callers wait inside the blocking window, which must sit inside the (background) refresh window. */
export function tokenWindowIssue(refreshWindowMs: number, blockingWindowMs: number, where: string) {
  return blockingWindowMs > refreshWindowMs
    ? `${where}blockingWindowMs (${blockingWindowMs}) must not exceed ${where}refreshWindowMs (${refreshWindowMs})`
    : undefined;
}

function pathOf(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => String(p)).join('.') || '(options)';
}

/** One line per problem, each starting with the option path (an unknown key is named with its path). */
export function issueLines(issues: readonly core.$ZodIssue[], prefix = ''): string[] {
  return issues.flatMap((issue) => {
    const path = [...(prefix ? [prefix] : []), ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${pathOf([...path, key])}: unknown option`);
    }
    return [`${pathOf(path)}: ${issue.message}`];
  });
}

/**
 * A rate limit rule's `burst`, when given, must be less than its `perMinute` (or 1): a bucket holds `burst`
 * calls and refills `perMinute - burst` a minute, so that no 60 s window holds more than `perMinute` calls;
 * with `burst >= perMinute` it could never refill. The problem, or `undefined` (one line, without the option
 * path).
 */
export function rateRuleBurstIssue(rule: {
  readonly perMinute: number;
  readonly burst?: number | undefined;
}): string | undefined {
  const { perMinute, burst } = rule;
  // A burst of 1 is always allowed: the least a bucket holds (a rule of one call a minute or less fills at half
  // its rate, so that no minute holds two).
  if (burst === undefined || burst <= 1 || !(burst >= perMinute)) return undefined;
  return `must be less than perMinute (${perMinute}), got ${burst}: the bucket refills perMinute - burst calls a minute, so that no 60 s window holds more than perMinute calls`;
}
