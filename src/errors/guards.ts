import { PartnerCenterError, type PartnerCenterErrorKind } from './PartnerCenterError.js';

/**
 * True when `value` is a {@link PartnerCenterError}, from this copy of the library or any other installed
 * copy (the check uses a global marker, not only `instanceof`). With `kind`, also checks the kind.
 */
export function isPartnerCenterError(
  value: unknown,
  kind?: PartnerCenterErrorKind,
): value is PartnerCenterError {
  return PartnerCenterError.is(value) && (kind === undefined || value.kind === kind);
}

/** True for a `throttled` {@link PartnerCenterError} (429, throttle gate, or a Retry-After over the cap). */
export function isThrottledError(value: unknown): value is PartnerCenterError {
  return isPartnerCenterError(value, 'throttled');
}

/** True for a `circuit-open` {@link PartnerCenterError}: the scope's breaker refused the call. */
export function isCircuitOpenError(value: unknown): value is PartnerCenterError {
  return isPartnerCenterError(value, 'circuit-open');
}

/** True for a `cancelled` {@link PartnerCenterError}: the caller aborted. */
export function isCancelledError(value: unknown): value is PartnerCenterError {
  return isPartnerCenterError(value, 'cancelled');
}

/** True for a {@link PartnerCenterError} whose `retryable` is true. */
export function isRetryableError(value: unknown): value is PartnerCenterError {
  return PartnerCenterError.is(value) && value.retryable;
}
