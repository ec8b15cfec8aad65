import type { AxiosInstance } from 'axios';
import type { ResilienceHandle } from '../../attach.js';
import { ResilienceOptionsError } from '../../options/ResilienceOptionsError.js';
import { paginate } from '../pagination/paginate.js';
import { describeValue, isRecord } from '../workflowOptions.js';

/** Longest tenant id taken (a GUID is 36 characters; anything this long is not an id). */
const MAX_ID_LENGTH = 256;

function tenantIdOf(value: unknown, from: string): string {
  if (typeof value === 'string' && value.trim() !== '' && value.length <= MAX_ID_LENGTH) return value.trim();
  const what = typeof value === 'string' ? `a string of ${value.length} characters` : describeValue(value);
  throw new ResilienceOptionsError([`sweepTenants: ${from} gave ${what} where a tenant id was expected`]);
}

/**
 * The tenant ids of a sweep: `tenants` as given, or every customer of the partner, read page by page from
 * `GET /v1/customers` through the client (its `id`s). Throws a `ResilienceOptionsError` for a value that is
 * not a tenant id.
 */
export async function* tenantIds(
  client: ResilienceHandle | AxiosInstance,
  tenants: Iterable<string> | AsyncIterable<string> | undefined,
  pageSize: number,
  signal: AbortSignal,
): AsyncGenerator<string> {
  if (tenants !== undefined) {
    for await (const value of tenants as AsyncIterable<unknown>) yield tenantIdOf(value, 'tenants');
    return;
  }
  for await (const customer of paginate(client, '/v1/customers', { size: pageSize, signal })) {
    yield tenantIdOf(isRecord(customer) ? customer['id'] : undefined, 'GET /v1/customers');
  }
}
