/**
 * The names a sweep has in BullMQ: its queue (one per sweep, named by the sweep id, checked with the options)
 * and one job per tenant. A tenant id becomes part of a job id and a Redis key: it is checked against a short
 * allow-list of characters.
 */

/** A tenant id: 1 to 128 letters, digits, `.`, `_`, `@` or `-` (a GUID or a domain; never a `:`). */
const TENANT_ID = /^[A-Za-z0-9._@-]{1,128}$/;

/** The default BullMQ key prefix of sweep queues (keys are `{prefix}:{sweepId}:...`). */
export const DEFAULT_SWEEP_PREFIX = 'pcr-sweep';

/** Shows at most 64 characters of a value in a message, on one line. */
function shown(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : typeof value;
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

/** Throws a `TypeError` naming the problem when `tenantId` is not a valid tenant id. */
export function checkTenantId(owner: string, tenantId: unknown): string {
  if (typeof tenantId !== 'string' || !TENANT_ID.test(tenantId)) {
    throw new TypeError(
      `${owner}: a tenant id must be 1 to 128 letters, digits, '.', '_', '@' or '-' (got ${shown(tenantId)})`,
    );
  }
  return tenantId;
}

/** The BullMQ job id of a tenant in a sweep: `{sweepId}.{tenantId}` (never an integer, never a `:`). */
export function jobIdOf(sweepId: string, tenantId: string): string {
  return `${sweepId}.${tenantId}`;
}
