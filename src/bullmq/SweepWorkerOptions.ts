import type { ConnectionOptions } from 'bullmq';
import type { SweepTaskContext } from '../workflows/sweep/SweepOptions.js';

/** Options of {@link startSweepWorker}. */
export interface SweepWorkerOptions {
  /** The sweep whose jobs this worker runs (the same id as the producer's `sweepId`). Required. */
  readonly sweepId: string;
  /**
   * The Redis BullMQ uses: ioredis options (`{ host, port }`) or an ioredis instance made with
   * `maxRetriesPerRequest: null` (BullMQ's requirement for a worker). Required.
   */
  readonly connection: ConnectionOptions;
  /** BullMQ's key prefix (the producer's). Default: `'pcr-sweep'`. */
  readonly prefix?: string | undefined;
  /**
   * The work for one tenant, through the attached instance (pass `context.signal` to every request). Resolves
   * when the tenant is done; a throw fails the attempt: a kind worth another attempt (`throttled`, `server`,
   * `network`, `timeout`, `circuit-open`, `unknown`) is retried by BullMQ after its backoff, others fail the
   * tenant at once. What it resolves with is not kept. Required.
   */
  readonly task: (tenantId: string, context: SweepTaskContext) => Promise<unknown>;
  /** Most tasks at once in this worker (the adaptive concurrency never goes above it). Integer from 1 to 1000. Default: `64`. */
  readonly maxConcurrency?: number | undefined;
  /**
   * Tasks at once at the start; it then grows while the rate limiter has room, and a 429 never takes it below
   * this. Integer from 1. Default: `4`.
   */
  readonly initialConcurrency?: number | undefined;
  /**
   * Longest one task may run, in ms: its signal is then aborted and the attempt fails with kind `timeout`
   * (retried like any `timeout`). Default: `300000`.
   */
  readonly taskTimeoutMs?: number | undefined;
  /**
   * What `SweepWorker.close` and the signal do to running tasks by default: `'drain'` lets them end
   * (each bounded by `taskTimeoutMs`), `'cancel'` aborts their signal and puts their tenants back to waiting
   * (no attempt counted), for another worker or a later one. Default: `'drain'`.
   */
  readonly stop?: 'drain' | 'cancel' | undefined;
  /** Closes the worker (as `SweepWorker.close` with `stop`). Default: none. */
  readonly signal?: AbortSignal | undefined;
  /**
   * How long a job's lock lasts, in ms (BullMQ's `lockDuration`): a live worker renews it every half of it;
   * a killed worker's jobs are taken over once it ran out and a stalled check saw it. Integer from 100.
   * Default: `30000`.
   */
  readonly lockDurationMs?: number | undefined;
  /**
   * Ms between two stalled checks (BullMQ's `stalledInterval`): a killed worker's tenants run again on
   * another worker within about `lockDurationMs + 2 x stalledIntervalMs`. Integer from 100. Default: `15000`.
   */
  readonly stalledIntervalMs?: number | undefined;
  /**
   * Times a tenant may be taken over from a worker that died or lost its lock (BullMQ's `maxStalledCount`);
   * once more, it fails (kind `unknown`, "job stalled more than allowable limit"): a tenant whose task kills
   * its worker is not run forever. Integer from 0 to 100. Default: `2`.
   */
  readonly maxStalledCount?: number | undefined;
  /**
   * Called with BullMQ's errors (a lost Redis connection, a lock it could not renew, ...); BullMQ retries
   * itself. What it throws is ignored. Default: none (the errors are dropped).
   */
  readonly onError?: ((error: Error) => void) | undefined;
}
