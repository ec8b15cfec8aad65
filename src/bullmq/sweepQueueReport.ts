import type { Job, Queue } from 'bullmq';
import { PARTNER_CENTER_ERROR_KINDS, type PartnerCenterErrorKind } from '../errors/classify.js';
import { defaultSanitizer } from '../observability/sanitizer.js';
import type { SweepFailure } from '../workflows/sweep/SweepOptions.js';
import type { SweepJobData, SweepQueueProgress, SweepQueueReport } from './SweepQueueOptions.js';

/** Jobs read from Redis at once while a report is assembled. */
const PAGE = 500;

/** The states a job of a sweep can be in that are not finished. */
const PENDING_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/** The sweep's counts, from BullMQ's counts of its jobs by state (one Redis round trip). */
export async function progressOf(queue: Queue<SweepJobData, null>): Promise<SweepQueueProgress> {
  const counts = await queue.getJobCounts('completed', 'failed', ...PENDING_STATES);
  const of = (state: string) => counts[state] ?? 0;
  const pending = PENDING_STATES.reduce((sum, state) => sum + of(state), 0);
  const done = of('completed');
  const failed = of('failed');
  return { done, failed, pending, running: of('active'), total: done + failed + pending };
}

function isKind(value: unknown): value is PartnerCenterErrorKind {
  return typeof value === 'string' && (PARTNER_CENTER_ERROR_KINDS as readonly string[]).includes(value);
}

/**
 * A failed job's record: the one the worker stored (its last failed attempt), or, for a job BullMQ failed
 * itself (stalled too often, started too often), one made from its `failedReason` (kind `unknown`).
 */
export function failureOfJob(job: Job<SweepJobData, null>): SweepFailure {
  const stored = job.data.failure;
  const at = new Date(job.finishedOn ?? job.timestamp).toISOString();
  if (stored !== undefined && isKind(stored.kind) && job.failedReason === failureLine(stored)) return stored;
  const reason = defaultSanitizer.scrubText(String(job.failedReason ?? 'failed'));
  return {
    tenantId: job.data.tenantId,
    kind: 'unknown',
    reason: reason.length > 500 ? `${reason.slice(0, 499)}…` : reason,
    attempts: Math.max(job.attemptsStarted, job.attemptsMade),
    at,
  };
}

/** One line for a job's `failedReason`: `kind code: reason` (the reason is redacted already). */
export function failureLine(failure: SweepFailure): string {
  return `${failure.kind}${failure.code === undefined ? '' : ` ${failure.code}`}: ${failure.reason}`;
}

/** Every job of `states`, page by page (ascending). */
async function* jobsIn(queue: Queue<SweepJobData, null>, state: 'completed' | 'failed') {
  for (let start = 0; ; start += PAGE) {
    const page = await queue.getJobs([state], start, start + PAGE - 1, true);
    for (const job of page) if (job !== undefined && job !== null) yield job;
    if (page.length < PAGE) return;
  }
}

/**
 * The sweep's report: its counts, every failed tenant (in the order they failed) and its duration, from the
 * first job's start to the last finished job's end. Reads every finished job (500 a round trip).
 */
export async function reportOf(queue: Queue<SweepJobData, null>, sweepId: string): Promise<SweepQueueReport> {
  const progress = await progressOf(queue);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const failed: { at: number; failure: SweepFailure }[] = [];
  for (const state of ['completed', 'failed'] as const) {
    for await (const job of jobsIn(queue, state)) {
      if (job.processedOn !== undefined) first = Math.min(first, job.processedOn);
      if (job.finishedOn !== undefined) last = Math.max(last, job.finishedOn);
      if (state === 'failed')
        failed.push({ at: job.finishedOn ?? job.timestamp, failure: failureOfJob(job) });
    }
  }
  failed.sort((a, b) => a.at - b.at);
  const started = Number.isFinite(first);
  const finished = Number.isFinite(last);
  return {
    sweepId,
    ...progress,
    complete: progress.pending === 0,
    failures: failed.map((entry) => entry.failure),
    startedAt: started ? new Date(first).toISOString() : undefined,
    finishedAt: finished ? new Date(last).toISOString() : undefined,
    durationMs: started && finished ? Math.max(0, last - first) : 0,
  };
}
