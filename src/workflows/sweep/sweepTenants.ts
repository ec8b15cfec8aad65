import type { SweepClient, SweepOptions, SweepReport } from './SweepOptions.js';
import { planSweep } from './sweepPlan.js';
import { SweepRun } from './sweepRun.js';

/**
 * Runs `options.task` once for every tenant (every customer of the partner by default) through the attached
 * instance: as many at once as the rate limiter has room for (starting at `initialConcurrency`, doubling while
 * the limiter holds no call back, cut on a 429), failed tenants retried later while the others run, progress
 * saved to the checkpoint as it goes. Resolves with the report when no tenant is pending, or when the signal
 * or the deadline stopped it (the checkpoint saved). Pass the handle `attachResilience` returned to have calls
 * and 429s counted and the concurrency follow them. See docs/sweeps.md.
 *
 * @throws ResilienceOptionsError for bad options or a tenant source that gives something other than ids;
 *   SweepCheckpointError when the checkpoint cannot be read, or its last save failed (with the report).
 */
export async function sweepTenants(client: SweepClient, options: SweepOptions): Promise<SweepReport> {
  return new SweepRun(planSweep(client, options), client).run();
}
