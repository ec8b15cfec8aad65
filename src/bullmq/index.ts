/**
 * `partner-center-resilience/bullmq`: a sweep over many processes or machines. The producer enqueues one
 * BullMQ job per tenant ({@link createSweepQueue}); workers ({@link startSweepWorker}) run the task through
 * their attached instance, sharing the rate limiter and breakers through the Redis store; BullMQ retries,
 * backs off and takes over the jobs of a worker that died. Needs the optional peer dependency `bullmq`. See
 * docs/sweeps-bullmq.md.
 */

export type { PartnerCenterErrorKind } from '../errors/classify.js';
export type { SweepFailure, SweepTaskContext } from '../workflows/sweep/SweepOptions.js';
export type {
  EnqueueSweepOptions,
  EnqueueSweepResult,
  SweepJobData,
  SweepQueueOptions,
  SweepQueueProgress,
  SweepQueueReport,
  WaitForSweepOptions,
} from './SweepQueueOptions.js';
export type { SweepWorkerOptions } from './SweepWorkerOptions.js';
export { createSweepQueue, type SweepQueue } from './sweepQueue.js';
export { type SweepWorker, type SweepWorkerClient, startSweepWorker } from './sweepWorker.js';
