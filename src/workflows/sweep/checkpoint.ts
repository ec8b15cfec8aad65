import * as z from 'zod';
import { PARTNER_CENTER_ERROR_KINDS } from '../../errors/classify.js';
import type { SweepCheckpoint, SweepCheckpointStore, SweepReport } from './SweepOptions.js';

export type { SweepCheckpoint, SweepCheckpointStore } from './SweepOptions.js';

/** The `format` field of every checkpoint. */
export const CHECKPOINT_FORMAT: SweepCheckpoint['format'] = 'partner-center-resilience/sweep-checkpoint';

const failureSchema = z.object({
  tenantId: z.string().min(1),
  kind: z.enum(PARTNER_CENTER_ERROR_KINDS),
  code: z.string().optional(),
  status: z.number().int().optional(),
  reason: z.string(),
  attempts: z.number().int().min(0),
  at: z.string(),
});

const checkpointSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(1),
  savedAt: z.string(),
  done: z.array(z.string().min(1)),
  failed: z.array(failureSchema),
  pending: z.array(z.string().min(1)),
  attempts: z.record(z.string(), z.number().int().min(0)).default({}),
  complete: z.boolean().default(false),
});

/**
 * A checkpoint that cannot be read as one (the sweep does not start, and nothing is overwritten), or a sweep
 * whose last checkpoint save failed (its {@link SweepCheckpointError.report} says what it did).
 */
export class SweepCheckpointError extends Error {
  override readonly name = 'SweepCheckpointError';
  /** The report of a sweep that ran but could not save its last checkpoint; `undefined` for a load. */
  readonly report: SweepReport | undefined;

  constructor(message: string, report?: SweepReport) {
    super(message);
    this.report = report;
  }
}

/** Checks a loaded checkpoint; throws {@link SweepCheckpointError} naming each problem. */
export function parseCheckpoint(value: unknown, where: string): SweepCheckpoint {
  const parsed = checkpointSchema.safeParse(value);
  if (parsed.success) return parsed.data as SweepCheckpoint;
  const problems = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new SweepCheckpointError(`${where} is not a sweep checkpoint: ${problems.join('; ')}`);
}

/** A checkpoint kept in memory (tests, or a sweep resumed in the same process). */
export function memoryCheckpoint(initial?: SweepCheckpoint): SweepCheckpointStore & {
  /** The last checkpoint saved (or the initial one). */
  readonly current: SweepCheckpoint | undefined;
} {
  let current = initial;
  return {
    get current() {
      return current;
    },
    async load() {
      return current;
    },
    async save(checkpoint) {
      current = checkpoint;
    },
  };
}
