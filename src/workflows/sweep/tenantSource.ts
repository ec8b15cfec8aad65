import { ResilienceOptionsError } from '../../options/ResilienceOptionsError.js';
import { paginate } from '../pagination/paginate.js';
import { describeValue, isRecord } from '../workflowOptions.js';
import type { SweepClient } from './SweepOptions.js';
import { workflowClient } from './sweepPlan.js';

/** Longest tenant id taken (a GUID is 36 characters; anything this long is not an id). */
const MAX_ID_LENGTH = 256;

/** A GUID in any case (tenant ids are; compared without case, so kept in lower case). */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function tenantIdOf(value: unknown, from: string): string {
  if (typeof value === 'string' && value.trim() !== '' && value.length <= MAX_ID_LENGTH) {
    const id = value.trim();
    return GUID.test(id) ? id.toLowerCase() : id;
  }
  const what = typeof value === 'string' ? `a string of ${value.length} characters` : describeValue(value);
  throw new ResilienceOptionsError([`sweepTenants: ${from} gave ${what} where a tenant id was expected`]);
}

/**
 * The tenant ids of a sweep (trimmed; GUIDs in lower case): `tenants` as given, or every customer of the partner, read page by page from
 * `GET /v1/customers` through the client (its `id`s). Throws a `ResilienceOptionsError` for a value that is
 * not a tenant id.
 */
export async function* tenantIds(
  client: SweepClient,
  tenants: Iterable<string> | AsyncIterable<string> | undefined,
  pageSize: number,
  signal: AbortSignal,
): AsyncGenerator<string> {
  if (tenants !== undefined) {
    for await (const value of tenants as AsyncIterable<unknown>) yield tenantIdOf(value, 'tenants');
    return;
  }
  for await (const customer of paginate(workflowClient(client), '/v1/customers', {
    size: pageSize,
    signal,
  })) {
    yield tenantIdOf(isRecord(customer) ? customer['id'] : undefined, 'GET /v1/customers');
  }
}
