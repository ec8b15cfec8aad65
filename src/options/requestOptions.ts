import * as z from 'zod';
import type { Reconcile } from './Reconcile.js';
import { ResilienceOptionsError } from './ResilienceOptionsError.js';
import { fn, issueLines } from './rules.js';
import { schemaFor } from './schemaFor.js';

/**
 * Per-request options, set as `partnerCenter` on an axios request config. Checked on every request like the
 * instance's options: an unknown key or a bad value rejects the call with a `ResilienceOptionsError` naming it
 * (`partnerCenter.retry: ...`), and nothing is sent.
 */
export interface PartnerCenterRequestOptions {
  /** Customer tenant id: the call runs in the `customer:<id>` scope. */
  readonly tenant?: string;
  /** Explicit scope key; wins over `tenant` and the resolver. */
  readonly scope?: string;
  /** `false`: one attempt only (still behind the breaker and the throttle gate). Default: `true`. */
  readonly retry?: boolean;
  /**
   * `true`: this request is idempotent (e.g. checkout cart, create customer), so it is retried even when
   * its outcome is unknown. Default: decided by the method.
   */
  readonly idempotent?: boolean;
  /**
   * Decides this request when its outcome is unknown (see {@link Reconcile}); `false` turns the instance's
   * `reconcile` off for it. Default: the instance's `reconcile`.
   */
  readonly reconcile?: Reconcile | false;
}

/** The schema of a request's `partnerCenter` options: strict, so a misspelt key is an error, not ignored. */
const requestOptionsSchema = schemaFor<PartnerCenterRequestOptions>()(
  z.strictObject({
    tenant: z.string().optional(),
    scope: z.string().optional(),
    retry: z.boolean().optional(),
    idempotent: z.boolean().optional(),
    reconcile: z.union([z.literal(false), fn]).optional(),
  }),
);

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
