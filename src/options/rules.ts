import type { core } from 'zod';
import * as z from 'zod';

/**
 * The validation rules shared by the options schemas and the token cache (which also checks its own
 * options when used alone): durations, counts, callbacks, the token windows, and how problems read.
 */

/**
 * Longest duration, in ms, the library accepts for any option: Node's timers hold a signed 32-bit delay
 * and fire at once (with a warning) beyond it, so a longer value would silently mean "no wait at all".
 * `2_147_483_647` ms is about 24.8 days.
 */
export const MAX_TIMER_MS = 2_147_483_647;

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

/** Most attempts of one logical call (`retry.maxAttempts`, a request's `retry.maxAttempts`). */
export const MAX_ATTEMPTS = 100;

/** Attempts of one logical call, the first included: a whole number from 1 to {@link MAX_ATTEMPTS}. */
export const attempts = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' })
  .max(MAX_ATTEMPTS, { error: `must be at most ${MAX_ATTEMPTS}` });

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

/**
 * A value `accept` takes as it is (`false`, a boolean), or a value of `schema`; the schema's issues keep their
 * paths (a plain union would report only "Invalid input" at the option itself).
 */
export function literalOr<L, T extends z.ZodType>(
  accept: (value: unknown) => value is L,
  schema: T,
): z.ZodType<L | z.output<T>, L | z.input<T>> {
  const checked = z.unknown().superRefine((value, ctx) => {
    if (accept(value)) return;
    const parsed = schema.safeParse(value);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      // A misspelt key is named at its own path, in the words every other option uses.
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          ctx.addIssue({ code: 'custom', message: 'unknown option', path: [...issue.path, key] });
      } else {
        ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path] });
      }
    }
  });
  // The refinement accepts exactly `L` and the values of `schema`.
  return checked as z.ZodType<L | z.output<T>, L | z.input<T>>;
}

/** `false`, as {@link literalOr} takes it. */
export function isFalse(value: unknown): value is false {
  return value === false;
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
