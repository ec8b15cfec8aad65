import type { AxiosInstance } from 'axios';
import type { ResilienceHandle } from '../../attach.js';
import type { SweepOptions, SweepReport } from './SweepOptions.js';

/**
 * Runs `options.task` once for every tenant (every customer of the partner by default) through the attached
 * instance: as many at once as the rate limiter has room for, failed tenants retried later, progress saved
 * to the checkpoint as it goes. Resolves with the report when no tenant is pending, or when the signal or the
 * deadline stopped it (the checkpoint saved). See docs/sweeps.md.
 */
export async function sweepTenants(
  client: ResilienceHandle | AxiosInstance,
  options: SweepOptions,
): Promise<SweepReport> {
  void client;
  void options;
  throw new Error('sweepTenants: not implemented yet');
}
