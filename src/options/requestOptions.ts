import * as z from 'zod';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { Reconcile } from './Reconcile.js';
import { ResilienceOptionsError } from './ResilienceOptionsError.js';
import { attempts, fn, issueLines, literalOr, MAX_ATTEMPTS } from './rules.js';
import { schemaFor } from './schemaFor.js';

/**
 * Retry settings of one request (`partnerCenter.retry`), over its scope's `retry` options. Neither makes a
 * call retry what is unsafe to repeat: a POST or PATCH whose outcome is unknown is retried only as the scope
 * allows (`idempotent`, `retry.retryUnsafeMethods`, `reconcile`).
 */
export interface RequestRetryOptions {
  /**
   * Total attempts of this request, the first included: a whole number from 1 to 100 (as the scope's
   * `retry.maxAttempts`); `1` allows one attempt only. Default: the scope's `retry.maxAttempts` (`4` unless set).
   */
  readonly maxAttempts?: number;
  /**
   * Asked after each failed attempt that could still be retried, with the attempt's error and its number (`1`
   * for the first). `true`: retry (still within `maxAttempts`, the call's budget, Retry-After limits, the retry
   * budgets and the breaker; never an unsafe unknown-outcome POST); `false`: stop now and fail with this
   * error; `undefined`: let the library decide. Default: none (the library decides).
   */
  readonly shouldRetry?: (error: PartnerCenterError, attempt: number) => boolean | undefined;
}

/**
 * Per-request options, set as `partnerCenter` on an axios request config. Checked on every request like the
 * instance's options: an unknown key or a bad value rejects the call with a `ResilienceOptionsError` naming it
 * (`partnerCenter.retry: ...`), and nothing is sent.
 */
export interface PartnerCenterRequestOptions {
  /** Customer tenant id: the call runs in the `customer:<id>` scope. Default: none (the scope of the path). */
  readonly tenant?: string;
  /** Explicit scope key; wins over `tenant` and the resolver. Default: none (`tenant`, the resolver, the path). */
  readonly scope?: string;
  /**
   * `false`: one attempt only (still behind the breaker and the throttle gate). An object overrides the
   * scope's retries for this request: see {@link RequestRetryOptions}. Default: `true` (the scope's retries).
   */
  readonly retry?: boolean | RequestRetryOptions;
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

/** An object but not an array: what a strict object schema accepts. */
function isRecord(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}

const requestRetrySchema = schemaFor<RequestRetryOptions>()(
  z.strictObject(
    { maxAttempts: attempts.optional(), shouldRetry: fn.optional() },
    { error: 'must be true, false or an object { maxAttempts?, shouldRetry? }' },
  ),
);

/**
 * The schema of a request's `partnerCenter` options: strict, so a misspelt key is an error, not ignored. Only
 * read when the quick check refuses, for the issues (and by the tests, to hold the quick check to it).
 */
export const requestOptionsSchema = schemaFor<PartnerCenterRequestOptions>()(
  z.strictObject({
    tenant: z.string().optional(),
    scope: z.string().optional(),
    retry: literalOr(isBoolean, requestRetrySchema).optional(),
    idempotent: z.boolean().optional(),
    reconcile: z.union([z.literal(false), fn]).optional(),
  }),
);

/** The schema's check of `partnerCenter.retry`, without building anything. */
function validRetry(value: unknown): boolean {
  if (typeof value === 'boolean') return true;
  if (!isRecord(value)) return false;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const field = record[key];
    if (key === 'maxAttempts') {
      if (field !== undefined && !isAttempts(field)) return false;
    } else if (key !== 'shouldRetry' || (field !== undefined && typeof field !== 'function')) return false;
  }
  return true;
}

function isAttempts(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_ATTEMPTS;
}

/**
 * The same check as the schema, without building anything: run on every request that has options. A key the
 * schema does not know is refused even when its value is `undefined`, as the schema does.
 */
function valid(options: object): boolean {
  const record = options as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    switch (key) {
      case 'tenant':
      case 'scope':
        if (value !== undefined && typeof value !== 'string') return false;
        break;
      case 'retry':
        if (value !== undefined && !validRetry(value)) return false;
        break;
      case 'idempotent':
        if (value !== undefined && typeof value !== 'boolean') return false;
        break;
      case 'reconcile':
        if (value !== undefined && value !== false && typeof value !== 'function') return false;
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
  if (isRecord(value) && valid(value)) return value as PartnerCenterRequestOptions;
  const parsed = requestOptionsSchema.safeParse(value);
  throw new ResilienceOptionsError(
    parsed.success
      ? ['partnerCenter: invalid request options']
      : issueLines(parsed.error.issues, 'partnerCenter'),
  );
}
