import * as z from 'zod';
import { ResilienceOptionsError } from '../options/ResilienceOptionsError.js';
import { fn, issueLines } from '../options/rules.js';
import { integer, isRecord, signalOption, workflowOptionsSchema } from '../workflows/workflowOptions.js';

/**
 * The zod schemas of the BullMQ entry's options (validated once, every problem named at once as the
 * workflows do). Sweep and tenant ids are checked apart (`names.ts`): they become Redis keys.
 */

const sweepId = z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, {
  error: "must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit",
});
const connection = z.custom<object>(
  (value) => isRecord(value),
  'must be ioredis options ({ host, port }) or an ioredis instance',
);
const prefix = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: "must be 1 to 64 letters, digits, '.', '_' or '-'" })
  .optional();

/** {@link SweepQueueOptions}. */
export const sweepQueueSchema = workflowOptionsSchema({
  sweepId,
  connection,
  prefix,
  maxAttempts: integer(1, 100).optional(),
  retryDelayMs: integer(0).optional(),
  batchSize: integer(1, 10_000).optional(),
});

/** {@link SweepWorkerOptions}. */
export const sweepWorkerSchema = workflowOptionsSchema({
  sweepId,
  connection,
  prefix,
  task: fn,
  maxConcurrency: integer(1, 1000).optional(),
  initialConcurrency: integer(1, 1000).optional(),
  taskTimeoutMs: integer(1).optional(),
  stop: z.enum(['drain', 'cancel'], { error: "must be 'drain' or 'cancel'" }).optional(),
  signal: signalOption,
  lockDurationMs: integer(100).optional(),
  stalledIntervalMs: integer(100).optional(),
  maxStalledCount: integer(0, 100).optional(),
  onError: fn.optional(),
});

/** {@link WaitForSweepOptions}. */
export const waitForSweepSchema = workflowOptionsSchema({
  signal: signalOption,
  timeoutMs: integer(0).optional(),
  intervalMs: integer(10).optional(),
  onProgress: fn.optional(),
});

/**
 * Checks `options` with `schema`: returns them as given (never a copy), or throws one
 * {@link ResilienceOptionsError} naming every problem (`issues` found before first), each line starting with
 * `owner`.
 */
export function checkOptions<T>(
  owner: string,
  schema: z.ZodObject,
  options: T,
  issues: readonly string[] = [],
): T {
  const parsed = schema.safeParse(options);
  const lines = [...issues, ...(parsed.success ? [] : issueLines(parsed.error.issues))];
  if (lines.length > 0) throw new ResilienceOptionsError(lines.map((line) => `${owner}: ${line}`));
  return options;
}
