/** A global symbol, so that errors from two installed copies of the library recognise each other. */
export const PARTNER_CENTER_ERROR_MARKER = Symbol.for('partner-center-resilience.PartnerCenterError');

/** True when `value` carries the marker of a `PartnerCenterError` (from any installed copy). */
export function hasPartnerCenterErrorMarker(value: unknown): value is Error {
  if (value === null || typeof value !== 'object') return false;
  try {
    return (value as Record<PropertyKey, unknown>)[PARTNER_CENTER_ERROR_MARKER] === true;
  } catch {
    // a Proxy or getter that throws is not one of ours
    return false;
  }
}
