import type { PartnerCenterErrorKind } from '../../errors/classify.js';
import { normalizeError } from '../../errors/normalizeError.js';
import type { Sanitizer } from '../../observability/sanitizer.js';
import type { SweepFailure } from './SweepOptions.js';

/** Kinds a later attempt may pass: the quota, the service or the path was the problem, not the request. */
const RETRYABLE_KINDS: ReadonlySet<PartnerCenterErrorKind> = new Set([
  'throttled',
  'server',
  'network',
  'timeout',
  'circuit-open',
  'unknown',
]);

/** True when a tenant whose task failed with `kind` is worth another attempt later. */
export function retryableKind(kind: PartnerCenterErrorKind): boolean {
  return RETRYABLE_KINDS.has(kind);
}

/**
 * A task's throw as a {@link SweepFailure}: any value (a PartnerCenterError, an axios error, an Error, a
 * string...) is normalised the way the library's own errors are, and its reason redacted with `sanitizer`.
 */
export function failureOf(
  error: unknown,
  tenantId: string,
  attempts: number,
  at: Date,
  sanitizer?: Sanitizer,
): SweepFailure {
  const normalized = normalizeError(error, sanitizer === undefined ? {} : { sanitizer });
  const message = sanitizer === undefined ? normalized.message : sanitizer.scrubText(normalized.message);
  return {
    tenantId,
    kind: normalized.kind,
    ...(normalized.code === undefined ? {} : { code: normalized.code }),
    ...(normalized.status === undefined ? {} : { status: normalized.status }),
    reason: message.length > 500 ? `${message.slice(0, 499)}…` : message,
    attempts,
    at: at.toISOString(),
  };
}
