import * as z from 'zod';
import type { PartnerCenterRequestOptions } from '../options.js';
import { ResilienceOptionsError } from './ResilienceOptionsError.js';
import { fn, issueLines } from './rules.js';

/** The schema of a request's `partnerCenter` options: strict, so a misspelt key is an error, not ignored. */
const requestOptionsSchema = z.strictObject({
  tenant: z.string().optional(),
  scope: z.string().optional(),
  retry: z.boolean().optional(),
  idempotent: z.boolean().optional(),
  reconcile: z.union([z.literal(false), fn]).optional(),
});

/** The same check as the schema, without building anything: run on every request that has options. */
function valid(options: object): boolean {
  const record = options as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    if (value === undefined) continue;
    switch (key) {
      case 'tenant':
      case 'scope':
        if (typeof value !== 'string') return false;
        break;
      case 'retry':
      case 'idempotent':
        if (typeof value !== 'boolean') return false;
        break;
      case 'reconcile':
        if (value !== false && typeof value !== 'function') return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * A request's `partnerCenter` options, checked: anything but an object, an unknown key or a bad value throws
 * a {@link ResilienceOptionsError} naming each problem with its path (`partnerCenter.retry`), as
 * `attachResilience` does for its own options. The request is then not sent.
 */
export function checkedRequestOptions(value: unknown): PartnerCenterRequestOptions {
  if (value !== null && typeof value === 'object' && valid(value))
    return value as PartnerCenterRequestOptions;
  const parsed = requestOptionsSchema.safeParse(value);
  throw new ResilienceOptionsError(
    parsed.success
      ? ['partnerCenter: invalid request options']
      : issueLines(parsed.error.issues, 'partnerCenter'),
  );
}
