import type { ConnectionOptions } from 'bullmq';
import type { SweepFailure } from '../workflows/sweep/SweepOptions.js';

/** What a sweep's job holds in Redis: the tenant id, and the failure record of its last failed attempt. */
export interface SweepJobData {
  /** The customer tenant the job is for. */
  readonly tenantId: string;
  /** The last failed attempt, redacted (no token, secret or query value outside the allow-list). */
  readonly failure?: SweepFailure | undefined;
}

/** Options of {@link createSweepQueue}. */
export interface SweepQueueOptions {
  /**
   * The sweep's id, e.g. `subscriptions-2026-11-20`: the name of its BullMQ queue, and the first part of each
   * job id (`{sweepId}.{tenantId}`). A letter or digit, then up to 99 letters, digits, `.`, `_` or `-`. Use a
   * new id per run: a tenant already in the sweep's queue (done, failed or pending) is never added again.
   * Required.
   */
  readonly sweepId: string;
  /**
   * The Redis BullMQ uses: ioredis options (`{ host, port }`) or an ioredis instance. It may be the server the
   * Redis store (`partner-center-resilience/redis`) uses, through a connection of its own (BullMQ needs
   * `maxRetriesPerRequest: null` on a worker's connection; the store's client has a small one). Required.
   */
  readonly connection: ConnectionOptions;
  /** BullMQ's key prefix: the sweep's keys are `{prefix}:{sweepId}:...`. Default: `'pcr-sweep'`. */
  readonly prefix?: string | undefined;
  /**
   * Attempts per tenant for a failure that may pass later (`throttled`, `server`, `network`, `timeout`,
   * `circuit-open`, `unknown`); other kinds fail at once. BullMQ's `attempts`. Integer from 1 to 100.
   * Default: `3`.
   */
  readonly maxAttempts?: number | undefined;
  /**
   * Wait before a failed tenant is tried again, in ms: BullMQ's exponential backoff (`retryDelayMs`, then
   * twice that, ...); other tenants run meanwhile. Integer from 0. Default: `5000`.
   */
  readonly retryDelayMs?: number | undefined;
  /** Tenants added to Redis at once (one `addBulk` each). Integer from 1 to 10000. Default: `500`. */
  readonly batchSize?: number | undefined;
}

/** Counts of a sweep's jobs at a moment, for a progress bar. */
export interface SweepQueueProgress {
  /** Tenants whose task succeeded. */
  readonly done: number;
  /** Tenants whose task failed for good. */
  readonly failed: number;
  /** Tenants not finished: waiting, waiting for a retry (delayed) or running. */
  readonly pending: number;
  /** Tenants whose task runs now (on any worker). */
  readonly running: number;
  /** Tenants in the sweep: `done + failed + pending`. */
  readonly total: number;
}

/** A sweep's report, assembled from its jobs. */
export interface SweepQueueReport extends SweepQueueProgress {
  /** The sweep's id. */
  readonly sweepId: string;
  /** True when no tenant is pending. */
  readonly complete: boolean;
  /** Every failed tenant, in the order their jobs failed. */
  readonly failures: readonly SweepFailure[];
  /** When the first job started (ISO 8601); `undefined` before any started. */
  readonly startedAt: string | undefined;
  /** When the last finished job finished (ISO 8601); `undefined` before any finished. */
  readonly finishedAt: string | undefined;
  /** Ms from {@link SweepQueueReport.startedAt} to {@link SweepQueueReport.finishedAt} (0 when either is missing). */
  readonly durationMs: number;
}

/** Options of {@link SweepQueue.enqueue}. */
export interface EnqueueSweepOptions {
  /** Stops reading the tenants: batches already added stay added. Default: none. */
  readonly signal?: AbortSignal | undefined;
}

/** What {@link SweepQueue.enqueue} resolves with. */
export interface EnqueueSweepResult {
  /** Tenants read from the source and handed to BullMQ (each id once; one already in the queue is not added again). */
  readonly tenants: number;
  /** `addBulk` calls made. */
  readonly batches: number;
}

/** Options of {@link SweepQueue.waitUntilFinished}. */
export interface WaitForSweepOptions {
  /** Stops the wait (resolves with the report as it is). Default: none. */
  readonly signal?: AbortSignal | undefined;
  /** Longest wait in ms; then it resolves with the report as it is. Default: `86400000` (one day). */
  readonly timeoutMs?: number | undefined;
  /** Ms between two reads of the counts. Integer from 10. Default: `1000`. */
  readonly intervalMs?: number | undefined;
  /** Called with the counts after every read. What it throws is ignored. Default: none. */
  readonly onProgress?: ((progress: SweepQueueProgress) => void) | undefined;
}
