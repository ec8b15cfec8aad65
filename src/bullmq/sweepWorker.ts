import type { AxiosInstance } from 'axios';
import { type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { AdaptiveConcurrency } from '../workflows/sweep/concurrency.js';
import { failureOf, retryableKind } from '../workflows/sweep/failure.js';
import { runTask } from '../workflows/sweep/runTask.js';
import { countCalls } from '../workflows/sweep/sweepCounters.js';
import { eventsOf } from '../workflows/sweep/sweepPlan.js';
import { workflowClientOf } from '../workflows/workflowOptions.js';
import { DEFAULT_SWEEP_PREFIX } from './names.js';
import { checkOptions, sweepWorkerSchema } from './optionSchemas.js';
import type { SweepJobData } from './SweepQueueOptions.js';
import type { SweepWorkerOptions } from './SweepWorkerOptions.js';
import { failureLine } from './sweepQueueReport.js';

/**
 * What {@link startSweepWorker} sends through: the handle `attachResilience` returned (its events feed the
 * adaptive concurrency), a client carrying one (`createPartnerCenterClient`), or a bare axios instance (no
 * events: the concurrency then grows to `maxConcurrency` unless the tasks slow down).
 */
export type SweepWorkerClient =
  | AxiosInstance
  | {
      readonly instance: AxiosInstance;
      readonly sanitizer: {
        sanitizeUrl(url: string): string;
        sanitizeHeaders(headers: unknown): Record<string, string>;
        scrubText(text: string): string;
      };
    };

/** A running worker of a sweep (see {@link startSweepWorker}). */
export interface SweepWorker {
  /** The sweep it works on. */
  readonly sweepId: string;
  /** BullMQ's worker, for its events (`completed`, `failed`, `stalled`, ...). Close it with {@link SweepWorker.close}. */
  readonly worker: Worker<SweepJobData, null>;
  /** Tasks allowed to run at once now (the adaptive concurrency). */
  readonly concurrency: number;
  /**
   * What this worker's instance sent since the worker started: `calls` (attempts), `throttled` (429s) and
   * `held` (times the rate limiter held a request back), the counts the concurrency adapts to.
   */
  readonly counters: { readonly calls: number; readonly throttled: number; readonly held: number };
  /**
   * Stops taking tenants and closes the worker: `stop: 'drain'` lets running tasks end (each bounded by
   * `taskTimeoutMs`), `'cancel'` aborts their signal and puts their tenants back to waiting. Default: the
   * worker's `stop` option. Idempotent: a second call returns the first one's promise.
   */
  close(options?: { readonly stop?: 'drain' | 'cancel' | undefined }): Promise<void>;
}

const OWNER = 'startSweepWorker';
const NOT_A_CLIENT = 'the first argument must be the handle attachResilience returned or an axios instance';

/**
 * Starts a BullMQ worker that runs `options.task` for the tenants of a sweep (enqueued by
 * {@link createSweepQueue}), through the attached instance: with the Redis store, every worker (process or
 * machine) shares the rate limiter, the breakers and the throttle deadlines. As many tasks at once as the rate
 * limiter has room for (up to `maxConcurrency`); a failure worth another attempt is retried by BullMQ with its
 * backoff, other failures fail the tenant at once; the job keeps the failure record (redacted), never the
 * task's result. A worker killed mid-task leaves its jobs to BullMQ's stalled check, which hands them to
 * another worker. See docs/sweeps-bullmq.md.
 *
 * @throws ResilienceOptionsError naming every problem of the arguments.
 */
export function startSweepWorker(client: SweepWorkerClient, options: SweepWorkerOptions): SweepWorker {
  // A handle's shape is checked at run time (workflowClientOf); the type asks only for what is used.
  const workflowClient = workflowClientOf(client as Parameters<typeof workflowClientOf>[0]);
  checkOptions(OWNER, sweepWorkerSchema, options, workflowClient === undefined ? [NOT_A_CLIENT] : []);
  const sanitizer = workflowClient?.sanitizer;
  const { sweepId, task, connection } = options;
  const maxConcurrency = options.maxConcurrency ?? 64;
  const timeoutMs = options.taskTimeoutMs ?? 300_000;
  const defaultStop = options.stop ?? 'drain';
  const counting = countCalls(eventsOf(client));
  const counters = counting.totals;
  const initial = Math.min(maxConcurrency, options.initialConcurrency ?? 4);
  // A 429 never takes it below the start (the rate limiter paces the calls), as in sweepTenants.
  const concurrency = new AdaptiveConcurrency(initial, maxConcurrency, initial);

  let cancelling = false;
  const processor = async (job: Job<SweepJobData, null>, token?: string, signal?: AbortSignal) => {
    const tenantId = job.data.tenantId;
    // `attemptsStarted` counts the starts a stall cut short too: a task can tell a retry from a first run.
    const attempt = Math.max(job.attemptsStarted, job.attemptsMade + 1);
    // A job fetched while the worker closes with 'cancel' (BullMQ's fetch was in flight) is not started.
    const outcome = cancelling
      ? ({ ended: 'cancelled' } as const)
      : await runTask(task, { tenantId, attempt, timeoutMs, cancel: signal });
    if (outcome.ended === 'cancelled') {
      // Back to waiting, no attempt counted. Fails when the lock is lost already: the stalled check has it.
      await job.moveToWait(token).catch(() => undefined);
      throw new WaitingError();
    }
    concurrency.taskEnded(counters);
    worker.concurrency = concurrency.limit;
    if (outcome.ended === 'done') return null;
    const failure = failureOf(outcome.error, tenantId, attempt, new Date(), sanitizer);
    await job.updateData({ tenantId, failure });
    const line = failureLine(failure);
    throw retryableKind(failure.kind) ? new Error(line) : new UnrecoverableError(line);
  };

  const worker = new Worker<SweepJobData, null>(sweepId, processor, {
    connection,
    prefix: options.prefix ?? DEFAULT_SWEEP_PREFIX,
    concurrency: concurrency.limit,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 15_000,
    maxStalledCount: options.maxStalledCount ?? 2,
  });
  worker.on('error', (error) => {
    try {
      options.onError?.(error);
    } catch {
      // a listener's throw never changes the worker
    }
  });
  // A job whose lock could not be renewed is another worker's after the stalled check: stop its task.
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const jobId of jobIds) worker.cancelJob(jobId, 'lock lost');
  });

  let closing: Promise<void> | undefined;
  const close = (closeOptions?: { readonly stop?: 'drain' | 'cancel' | undefined }): Promise<void> => {
    closing ??= (async () => {
      options.signal?.removeEventListener('abort', onAbort);
      if ((closeOptions?.stop ?? defaultStop) === 'cancel') {
        cancelling = true;
        worker.cancelAllJobs('the sweep worker is closing');
      }
      try {
        await worker.close();
      } finally {
        counting.dispose();
      }
    })();
    return closing;
  };
  const onAbort = () => {
    void close().catch(() => undefined);
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    sweepId,
    worker,
    get concurrency() {
      return concurrency.limit;
    },
    counters,
    close,
  };
}
