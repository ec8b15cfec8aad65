/**
 * What the library does with a documented Partner Center error code.
 * - `transient`: the service asks to try again later; the call is retried like a 503.
 * - `reconcile`: the operation may already be under way (e.g. "order in progress"): never resubmit, look the
 *   resource up and reconcile.
 * - `refetch`: the request is stale (ETag no longer valid); a blind retry cannot succeed, GET the resource
 *   again and reapply the change.
 * - `mfa-required`: the token lacks multi-factor authentication; refreshing it cannot help.
 * - `permanent`: the request itself is wrong or not allowed; retrying cannot help.
 */
export type ErrorCodeClass = 'transient' | 'reconcile' | 'refetch' | 'mfa-required' | 'permanent';

/** One row of the code table. */
export interface ErrorCodeInfo {
  /** What the code means, in a sentence. */
  readonly meaning: string;
  /** What the library does with it. */
  readonly class: ErrorCodeClass;
}

/** A table of Partner Center error codes, keyed by the code as a string (`"800064"`). */
export type ErrorCodeTable = Readonly<Record<string, ErrorCodeInfo>>;

const transient = (meaning: string): ErrorCodeInfo => ({ meaning, class: 'transient' });

/** The codes Partner Center documents, with their meaning and class. Frozen; extend with {@link createErrorCodeTable}. */
export const DEFAULT_ERROR_CODES: ErrorCodeTable = Object.freeze({
  '800064': transient('The resource is being processed by another request; try again later.'),
  '800082': transient('The service is busy; try again later.'),
  '900130': transient('A dependent service is unavailable; try again later.'),
  '900135': transient('The request could not be completed now; try again later.'),
  '900101': transient('Transient backend failure; try again later.'),
  '900104': transient('Transient backend failure; try again later.'),
  '900109': transient('Transient backend failure; try again later.'),
  '900113': transient('Transient backend failure; try again later.'),
  '800060': {
    meaning: 'An order is already in progress: do not resubmit; look the order up and reconcile.',
    class: 'reconcile',
  },
  '2055': {
    meaning: 'The ETag is no longer valid: GET the resource again and reapply the change.',
    class: 'refetch',
  },
  '400019': {
    meaning: 'The resource changed since it was read: GET it again and reapply the change.',
    class: 'refetch',
  },
  '900421': {
    meaning: 'Multi-factor authentication is required: refreshing the token cannot fix this.',
    class: 'mfa-required',
  },
  '800001': { meaning: 'The partner token is missing from the request context.', class: 'permanent' },
  '2000': { meaning: 'The request is invalid (e.g. a tenant id that is not a GUID).', class: 'permanent' },
  '3000': { meaning: 'The partner, customer or resource was not found.', class: 'permanent' },
  '60012': { meaning: 'The subscription has no licenses left; buy more licenses.', class: 'permanent' },
  '600061': { meaning: 'A partner-confirmed agreement already exists for the customer.', class: 'permanent' },
});

/**
 * Returns a new frozen table: the defaults, then each override in order (a later entry replaces an earlier
 * one with the same code). The default table is never mutated.
 */
export function createErrorCodeTable(
  ...overrides: ReadonlyArray<Readonly<Record<string, ErrorCodeInfo>>>
): ErrorCodeTable {
  const table: Record<string, ErrorCodeInfo> = { ...DEFAULT_ERROR_CODES };
  for (const override of overrides) {
    for (const [code, info] of Object.entries(override)) {
      table[String(code)] = Object.freeze({ meaning: info.meaning, class: info.class });
    }
  }
  return Object.freeze(table);
}

/** Looks a code up; `undefined` when the code is absent or not in the table. */
export function lookupErrorCode(table: ErrorCodeTable, code: string | undefined): ErrorCodeInfo | undefined {
  if (code === undefined) return undefined;
  return Object.hasOwn(table, code) ? table[code] : undefined;
}
