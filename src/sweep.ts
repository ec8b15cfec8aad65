/**
 * `partner-center-resilience/sweep`: one job over many customer tenants (every customer of the partner by
 * default), paced to the quota by the attached instance's rate limiter, resumable from a checkpoint. See
 * docs/sweeps.md.
 */
export type { PartnerCenterErrorKind } from './errors/classify.js';
export {
  memoryCheckpoint,
  type SweepCheckpoint,
  SweepCheckpointError,
  type SweepCheckpointStore,
} from './workflows/sweep/checkpoint.js';
export { fileCheckpoint } from './workflows/sweep/fileCheckpoint.js';
export type {
  SweepClient,
  SweepFailure,
  SweepHandle,
  SweepOptions,
  SweepOutcome,
  SweepProgress,
  SweepReport,
  SweepSubscription,
  SweepTaskContext,
} from './workflows/sweep/SweepOptions.js';
export { sweepTenants } from './workflows/sweep/sweepTenants.js';
