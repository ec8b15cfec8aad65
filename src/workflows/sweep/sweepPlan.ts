import type { AxiosInstance } from 'axios';
import * as z from 'zod';
import type { ResilienceHandle } from '../../attach.js';
import type { Sanitizer } from '../../observability/sanitizer.js';
import { fn } from '../../options/rules.js';
import {
  checkWorkflowArguments,
  integer,
  isRecord,
  signalOption,
  workflowOptionsSchema,
} from '../workflowOptions.js';
import type { SweepCheckpointStore } from './checkpoint.js';
import { fileCheckpoint } from './fileCheckpoint.js';
import type {
  SweepClient,
  SweepHandle,
  SweepOptions,
  SweepProgress,
  SweepTaskContext,
} from './SweepOptions.js';

/** The events a sweep counts calls, 429s and limiter holds with. */
export type SweepEvents = Pick<SweepHandle, 'onRequest' | 'onRetry' | 'onGiveUp' | 'onRateLimit'>;

/** A sweep's options, checked, with every default filled in. */
export interface SweepPlan {
  readonly instance: AxiosInstance;
  readonly sanitizer: Sanitizer;
  /** The handle's events, when the client is a handle (or a client with one): `undefined` for a bare instance. */
  readonly events: SweepEvents | undefined;
  readonly task: (tenantId: string, context: SweepTaskContext) => Promise<unknown>;
  readonly tenants: Iterable<string> | AsyncIterable<string> | undefined;
  readonly checkpoint: SweepCheckpointStore | undefined;
  readonly retryFailed: boolean;
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  readonly maxConcurrency: number;
  readonly initialConcurrency: number;
  readonly signal: AbortSignal | undefined;
  /** Epoch ms, or `undefined`. */
  readonly deadline: number | undefined;
  readonly stop: 'drain' | 'cancel';
  readonly taskTimeoutMs: number;
  readonly onProgress: ((progress: SweepProgress) => void) | undefined;
  readonly progressIntervalMs: number;
  readonly checkpointIntervalMs: number;
  readonly customersPageSize: number;
  readonly checkpointTimeoutMs: number;
}

function isTenantSource(value: unknown): boolean {
  if (typeof value === 'string' || (!isRecord(value) && !Array.isArray(value))) return false;
  const source = value as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown };
  return typeof source[Symbol.iterator] === 'function' || typeof source[Symbol.asyncIterator] === 'function';
}

function isCheckpointStore(value: unknown): boolean {
  return isRecord(value) && typeof value['load'] === 'function' && typeof value['save'] === 'function';
}

/** The rules of {@link SweepOptions}, one per option. */
const sweepOptionsSchema = workflowOptionsSchema({
  task: fn,
  tenants: z
    .custom<Iterable<string>>(
      isTenantSource,
      'must be a list, an iterable or an async iterable of tenant ids',
    )
    .optional(),
  checkpoint: z
    .union([
      z.string().min(1),
      z.custom<SweepCheckpointStore>(
        isCheckpointStore,
        'must be a file path or an object with load and save',
      ),
    ])
    .optional(),
  retryFailed: z.boolean().optional(),
  maxAttempts: integer(1, 100).optional(),
  retryDelayMs: integer(0).optional(),
  maxConcurrency: integer(1, 10_000).optional(),
  initialConcurrency: integer(1, 10_000).optional(),
  signal: signalOption,
  deadline: z.union([z.number().finite(), z.date()]).optional(),
  stop: z.enum(['drain', 'cancel']).optional(),
  taskTimeoutMs: integer(1).optional(),
  onProgress: fn.optional(),
  progressIntervalMs: integer(1).optional(),
  checkpointIntervalMs: integer(0).optional(),
  customersPageSize: integer(1, 1000).optional(),
  checkpointTimeoutMs: integer(1).optional(),
} satisfies Record<keyof SweepOptions, z.ZodType>);

/**
 * The sweep's client as the workflows take it: they read only a handle's `instance` and `sanitizer` (or use the
 * instance itself), which a {@link SweepHandle} has.
 */
export function workflowClient(client: SweepClient): ResilienceHandle | AxiosInstance {
  return client as unknown as ResilienceHandle | AxiosInstance;
}

/** The events of a handle, or of a client's `resilience` handle (`createPartnerCenterClient`). */
export function eventsOf(client: unknown): SweepEvents | undefined {
  const has = (value: unknown): value is SweepEvents =>
    (isRecord(value) || typeof value === 'function') &&
    typeof (value as { onRequest?: unknown }).onRequest === 'function' &&
    typeof (value as { onRateLimit?: unknown }).onRateLimit === 'function';
  if (has(client)) return client;
  const own = (client as { resilience?: unknown } | null)?.resilience;
  return has(own) ? own : undefined;
}

/**
 * Checks the arguments of `sweepTenants` and fills in the defaults.
 *
 * @throws ResilienceOptionsError naming every problem.
 */
export function planSweep(client: SweepClient, options: SweepOptions): SweepPlan {
  const { client: checked } = checkWorkflowArguments(
    'sweepTenants',
    sweepOptionsSchema,
    { client: workflowClient(client), options },
    [],
  );
  const deadline = options.deadline instanceof Date ? options.deadline.getTime() : options.deadline;
  const maxConcurrency = options.maxConcurrency ?? 64;
  const checkpoint = options.checkpoint;
  return {
    instance: checked.instance,
    sanitizer: checked.sanitizer,
    events: eventsOf(client),
    task: options.task,
    tenants: options.tenants,
    checkpoint: typeof checkpoint === 'string' ? fileCheckpoint(checkpoint) : checkpoint,
    retryFailed: options.retryFailed ?? false,
    maxAttempts: options.maxAttempts ?? 3,
    retryDelayMs: options.retryDelayMs ?? 5000,
    maxConcurrency,
    initialConcurrency: Math.min(maxConcurrency, options.initialConcurrency ?? 4),
    signal: options.signal,
    deadline,
    stop: options.stop ?? 'drain',
    taskTimeoutMs: options.taskTimeoutMs ?? 300_000,
    onProgress: options.onProgress,
    progressIntervalMs: options.progressIntervalMs ?? 1000,
    checkpointIntervalMs: options.checkpointIntervalMs ?? 100,
    customersPageSize: options.customersPageSize ?? 500,
    checkpointTimeoutMs: options.checkpointTimeoutMs ?? 30_000,
  };
}
