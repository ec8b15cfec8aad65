import { Queue } from 'bullmq';
import { MAX_TIMER_MS } from '../options/rules.js';
import { checkTenantId, DEFAULT_SWEEP_PREFIX, jobIdOf } from './names.js';
import { checkOptions, sweepQueueSchema, waitForSweepSchema } from './optionSchemas.js';
import type {
  EnqueueSweepOptions,
  EnqueueSweepResult,
  SweepJobData,
  SweepQueueOptions,
  SweepQueueProgress,
  SweepQueueReport,
  WaitForSweepOptions,
} from './SweepQueueOptions.js';
import { progressOf, reportOf } from './sweepQueueReport.js';

/** A sweep's BullMQ queue: the producer's side (see {@link createSweepQueue}). */
export interface SweepQueue {
  /** The sweep's id (its queue's name). */
  readonly sweepId: string;
  /** BullMQ's queue, for dashboards and its own methods. Close it with {@link SweepQueue.close}. */
  readonly queue: Queue<SweepJobData, null>;
  /**
   * Adds one job per tenant (`tenants`: a list, an iterable or an async iterable of tenant ids), `batchSize`
   * at a time with `addBulk`. The job id is `{sweepId}.{tenantId}`: a tenant already in the queue (done,
   * failed or pending) is not added again, so enqueueing twice (or from two producers) adds nothing twice.
   * Rejects with a `TypeError` at a tenant id that is not one (1 to 128 letters, digits, `.`, `_`, `@`, `-`),
   * and with an `AbortError` when `signal` stops it; the batches added before stay in the queue.
   */
  enqueue(
    tenants: Iterable<string> | AsyncIterable<string>,
    options?: EnqueueSweepOptions,
  ): Promise<EnqueueSweepResult>;
  /** The counts now (done, failed, pending, running, total): one Redis round trip. */
  progress(): Promise<SweepQueueProgress>;
  /** The report now: counts, every failure (kind, code, reason), first start and last end. Reads every finished job. */
  report(): Promise<SweepQueueReport>;
  /**
   * Waits until no tenant is pending, reading the counts every `intervalMs` (each read handed to
   * `onProgress`), then resolves with the report. Also resolves (with `complete: false`) when `signal` aborts or
   * `timeoutMs` passes. Call it after {@link SweepQueue.enqueue}: a sweep with no job is complete.
   */
  waitUntilFinished(options?: WaitForSweepOptions): Promise<SweepQueueReport>;
  /** Puts the failed tenants back to waiting, for the workers to run again. */
  retryFailed(): Promise<void>;
  /** Deletes the sweep's queue and every job of it from Redis (BullMQ's `obliterate`, forced). */
  remove(): Promise<void>;
  /** Closes the queue's Redis connection (what is in Redis stays). */
  close(): Promise<void>;
}

const OWNER = 'createSweepQueue';

function abortError(message: string): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Opens the BullMQ queue of a sweep (one queue per sweep, named by its id) on the Redis of `connection`: the
 * producer's side. Enqueue the tenants, then wait for the workers ({@link startSweepWorker}, in this process
 * or others) and read the report. Jobs are kept when they end (the report is made from them): delete them
 * with {@link SweepQueue.remove}. See docs/sweeps-bullmq.md.
 *
 * @throws ResilienceOptionsError naming every problem of the options.
 */
export function createSweepQueue(options: SweepQueueOptions): SweepQueue {
  checkOptions(OWNER, sweepQueueSchema, options);
  const { sweepId } = options;
  const batchSize = options.batchSize ?? 500;
  const jobOptions = {
    attempts: options.maxAttempts ?? 3,
    backoff: { type: 'exponential', delay: options.retryDelayMs ?? 5000 },
    // No stack trace in Redis: the failure record is the job's data and its failedReason.
    stackTraceLimit: 0,
    removeOnComplete: false,
    removeOnFail: false,
  } as const;
  const queue = new Queue<SweepJobData, null>(sweepId, {
    connection: options.connection,
    prefix: options.prefix ?? DEFAULT_SWEEP_PREFIX,
  });

  const enqueue = async (
    tenants: Iterable<string> | AsyncIterable<string>,
    enqueueOptions: EnqueueSweepOptions = {},
  ): Promise<EnqueueSweepResult> => {
    const { signal } = enqueueOptions;
    const seen = new Set<string>();
    let batch: string[] = [];
    let batches = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const jobs = batch.map((tenantId) => ({
        name: 'tenant',
        data: { tenantId },
        opts: { ...jobOptions, jobId: jobIdOf(sweepId, tenantId) },
      }));
      batch = [];
      await queue.addBulk(jobs);
      batches += 1;
    };
    for await (const tenantId of tenants) {
      if (signal?.aborted) {
        throw abortError(
          `${OWNER}: enqueue was aborted after ${seen.size - batch.length} tenants (those stay)`,
        );
      }
      checkTenantId(`${OWNER}: enqueue`, tenantId);
      if (seen.has(tenantId)) continue;
      seen.add(tenantId);
      batch.push(tenantId);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    return { tenants: seen.size, batches };
  };

  const waitUntilFinished = async (waitOptions: WaitForSweepOptions = {}): Promise<SweepQueueReport> => {
    checkOptions(`${OWNER}: waitUntilFinished`, waitForSweepSchema, waitOptions);
    const { signal, onProgress } = waitOptions;
    const intervalMs = waitOptions.intervalMs ?? 1000;
    const deadline = Date.now() + (waitOptions.timeoutMs ?? 86_400_000);
    for (;;) {
      const progress = await progressOf(queue);
      try {
        onProgress?.(progress);
      } catch {
        // a listener's throw never stops the wait
      }
      const left = deadline - Date.now();
      if (progress.pending === 0 || signal?.aborted || left <= 0) break;
      await pause(Math.min(intervalMs, left), signal);
    }
    return reportOf(queue, sweepId);
  };

  return {
    sweepId,
    queue,
    enqueue,
    progress: () => progressOf(queue),
    report: () => reportOf(queue, sweepId),
    waitUntilFinished,
    retryFailed: () => queue.retryJobs({ state: 'failed' }),
    remove: () => queue.obliterate({ force: true }),
    close: () => queue.close(),
  };
}
