import type { AxiosInstance } from 'axios';
import type { PartnerCenterErrorKind } from '../../errors/classify.js';

/** A disposable subscription (what a handle's event methods return). */
export interface SweepSubscription {
  dispose(): void;
}

/**
 * What a sweep needs of the handle `attachResilience` returned: the instance it sends through, the sanitizer
 * its failures are redacted with, and the events it counts requests, limiter holds and 429s with. A
 * `ResilienceHandle` is one.
 */
export interface SweepHandle {
  readonly instance: AxiosInstance;
  readonly sanitizer: {
    sanitizeUrl(url: string): string;
    sanitizeHeaders(headers: unknown): Record<string, string>;
    scrubText(text: string): string;
  };
  onRequest(listener: () => void): SweepSubscription;
  onRateLimit(listener: () => void): SweepSubscription;
  onRetry(listener: (event: { readonly status: number | undefined }) => void): SweepSubscription;
  onGiveUp(
    listener: (event: { readonly error: { readonly status: number | undefined } }) => void,
  ): SweepSubscription;
}

/** What a sweep sends through: a {@link SweepHandle} (the handle `attachResilience` returned), or an axios instance. */
export type SweepClient = SweepHandle | AxiosInstance;

/** What {@link SweepOptions.task} receives besides the tenant id. */
export interface SweepTaskContext {
  /** The customer tenant id the task is for (as the source gave it). */
  readonly tenantId: string;
  /**
   * Aborted when the sweep stops this task: `stop: 'cancel'` after an abort or the deadline, or the task ran
   * past `taskTimeoutMs`. Pass it to every request (`{ signal }`) so that nothing stays in flight.
   */
  readonly signal: AbortSignal;
  /**
   * 1 for the tenant's first attempt; counts the attempts the checkpoint records from earlier runs too, so a
   * task can tell a retry (whose work may be partly done) from a first run.
   */
  readonly attempt: number;
}

/** One tenant whose task failed (in the report, the checkpoint and progress events). */
export interface SweepFailure {
  readonly tenantId: string;
  /** The error's kind (`throttled`, `not-found`, `circuit-open`, ...; `unknown` for a non-library throw). */
  readonly kind: PartnerCenterErrorKind;
  /** Partner Center's error code, when the response carried one. */
  readonly code?: string | undefined;
  /** The HTTP status, when there was a response. */
  readonly status?: number | undefined;
  /** Why, in words (redacted: no token, secret or query value outside the allow-list). */
  readonly reason: string;
  /** Attempts made for this tenant, earlier runs included. */
  readonly attempts: number;
  /** When the last attempt failed (ISO 8601). */
  readonly at: string;
}

/** Counts of a sweep at a moment: for a progress bar ({@link SweepOptions.onProgress}) and the report. */
export interface SweepProgress {
  /** Tenants whose task succeeded (earlier runs included). */
  readonly done: number;
  /** Tenants whose task failed for good (earlier runs included, unless retried). */
  readonly failed: number;
  /** Tenants known and not finished (running ones included); grows while the source is read. */
  readonly pending: number;
  /** Tasks running now. */
  readonly running: number;
  /** Tenants the source has given so far (each counted once). */
  readonly total: number;
  /** True once the source is read to its end: `total` is final and `etaMs` means something. */
  readonly totalKnown: boolean;
  /** Tenants finished in this run (done or failed). */
  readonly finishedThisRun: number;
  /** Tenants finished per second over the last 10 s (0 before the first one). */
  readonly ratePerSecond: number;
  /** Estimated ms until every pending tenant is finished, at `ratePerSecond`; `undefined` while unknown. */
  readonly etaMs: number | undefined;
  /** Ms since this run started. */
  readonly elapsedMs: number;
  /** Tasks allowed to run at once now (the adaptive concurrency). */
  readonly concurrency: number;
  /** Requests sent through the attached instance in this run (attempts, retries included). */
  readonly calls: number;
  /** 429 responses in this run. */
  readonly throttled: number;
}

/** Why a sweep ended. */
export type SweepOutcome = 'completed' | 'aborted' | 'deadline';

/** What {@link sweepTenants} resolves with. */
export interface SweepReport extends SweepProgress {
  /** `completed`: no tenant is pending; `aborted`: the signal stopped it; `deadline`: the deadline did. */
  readonly outcome: SweepOutcome;
  /** Tenants the checkpoint already recorded as done when this run started (not run again). */
  readonly skipped: number;
  /** Every failed tenant (earlier runs' included, unless retried), in the order they failed. */
  readonly failures: readonly SweepFailure[];
  /** Ms from start to end of this run. */
  readonly durationMs: number;
}

/** Options of {@link sweepTenants}. */
export interface SweepOptions {
  /**
   * The work for one tenant, e.g. reading its subscriptions through the attached instance. Resolves when the
   * tenant is done; a throw or rejection fails this attempt (retried per {@link SweepOptions.maxAttempts}).
   */
  readonly task: (tenantId: string, context: SweepTaskContext) => Promise<unknown>;
  /**
   * The tenants: a list, an iterable or an async iterable of tenant ids (each run once; repeats are ignored;
   * ids are trimmed, and GUIDs put in lower case, so that `ABC...` and `abc...` are one tenant).
   * Default: every customer of the partner, read page by page from `GET /v1/customers` through the instance.
   */
  readonly tenants?: Iterable<string> | AsyncIterable<string> | undefined;
  /**
   * Where progress is kept: the path of a JSON file (written atomically: a temporary file, then a rename), or
   * a {@link SweepCheckpointStore}. A sweep started with a checkpoint that exists does only what it does not
   * record as done. Default: none (nothing is saved).
   */
  readonly checkpoint?: string | SweepCheckpointStore | undefined;
  /** Run the tenants the checkpoint records as failed again. Default: `false` (they stay failed). */
  readonly retryFailed?: boolean | undefined;
  /**
   * Attempts per tenant in this run for a failure that may pass later (`throttled`, `server`, `network`,
   * `timeout`, `circuit-open`, `unknown`); other kinds fail at once. Integer from 1. Default: `3`.
   */
  readonly maxAttempts?: number | undefined;
  /**
   * Wait before a failed tenant is tried again, in ms, times the attempt number; other tenants run meanwhile.
   * Default: `5000`.
   */
  readonly retryDelayMs?: number | undefined;
  /** Most tasks at once (the adaptive concurrency never goes above it). Integer from 1. Default: `64`. */
  readonly maxConcurrency?: number | undefined;
  /**
   * Tasks at once at the start; it then grows while the rate limiter has room, and a 429 never takes it below
   * this (the rate limiter paces the calls). Default: `4`.
   */
  readonly initialConcurrency?: number | undefined;
  /** Stops the sweep: no task starts after it; see {@link SweepOptions.stop}. The checkpoint is saved. */
  readonly signal?: AbortSignal | undefined;
  /** When the sweep stops by itself, as an epoch ms or a Date (like `signal`). Default: none. */
  readonly deadline?: number | Date | undefined;
  /**
   * What a stop (signal or deadline) does to running tasks: `'drain'` lets them end (bounded by
   * `taskTimeoutMs`), `'cancel'` aborts their signal and puts them back to pending. Default: `'drain'`.
   */
  readonly stop?: 'drain' | 'cancel' | undefined;
  /**
   * Longest one task may run, in ms: its signal is then aborted and the attempt fails with kind `timeout`.
   * Default: `300000`.
   */
  readonly taskTimeoutMs?: number | undefined;
  /** Called with the counts at most every `progressIntervalMs`, and once at the end. Default: none. */
  readonly onProgress?: ((progress: SweepProgress) => void) | undefined;
  /** Least time between two `onProgress` calls, in ms. Default: `1000`. */
  readonly progressIntervalMs?: number | undefined;
  /** Page size of `GET /v1/customers` when `tenants` is not given. Default: `500`. */
  readonly customersPageSize?: number | undefined;
  /**
   * Least time between two checkpoint saves, in ms (a save also waits for the one before it, and for 4x its
   * duration, so a large checkpoint is saved less often). A process killed
   * loses at most the tenants finished since the last save: they run again on resume. Default: `100`.
   */
  readonly checkpointIntervalMs?: number | undefined;
  /** Longest wait for one checkpoint load or save, in ms. Default: `30000`. */
  readonly checkpointTimeoutMs?: number | undefined;
}

/**
 * A sweep's progress as saved: the tenants done, those failed (with why), and those known but not finished
 * (running ones included). JSON as it is: a {@link SweepCheckpointStore} may keep it anywhere.
 */
export interface SweepCheckpoint {
  readonly format: 'partner-center-resilience/sweep-checkpoint';
  readonly version: 1;
  /** When it was saved (ISO 8601). */
  readonly savedAt: string;
  readonly done: readonly string[];
  readonly failed: readonly SweepFailure[];
  readonly pending: readonly string[];
  /** Attempts made per pending tenant that failed at least once (so the next run counts on). */
  readonly attempts: Readonly<Record<string, number>>;
  /** True once the sweep read its tenant source to the end. */
  readonly complete: boolean;
}

/**
 * Where a sweep keeps its checkpoint. `load` answers `undefined` when there is none yet; `save` replaces it
 * whole, and must leave the previous one readable if it fails part way (write aside, then swap). Both are
 * bounded by the sweep (`checkpointTimeoutMs`) and get a signal aborted at that time.
 */
export interface SweepCheckpointStore {
  load(signal: AbortSignal): Promise<SweepCheckpoint | undefined>;
  save(checkpoint: SweepCheckpoint, signal: AbortSignal): Promise<void>;
}
