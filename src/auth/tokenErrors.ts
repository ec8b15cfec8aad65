import { PartnerCenterError } from '../errors/PartnerCenterError.js';
import { removeValues } from '../observability/knownSecrets.js';
import { untilAborted } from '../policies/sleep.js';
import type { AccessToken } from './TokenProvider.js';

// The errors the token cache hands its waiters: a caller's abort, the rejected token handed back, and a
// failed refresh with the known tokens removed from its text and cause chain.

/** A caller stopped waiting for a token. */
export function cancelled(scope: string, signal: AbortSignal): PartnerCenterError {
  return new PartnerCenterError({
    kind: 'cancelled',
    retryable: false,
    scope,
    reason: 'the caller aborted while waiting for an access token',
    cause: signal.reason,
  });
}

/** The provider answered a forced refresh with the token just rejected (from its own cache?). */
export function rejectedAgain(): PartnerCenterError {
  return new PartnerCenterError({
    kind: 'unauthorized',
    retryable: false,
    reason: 'the token provider returned the token that was just rejected (from its own cache?)',
  });
}

/** The error every waiter of a failed refresh receives; `secrets` (known tokens) never appear in it. */
export function refreshError(thrown: unknown, scope: string, secrets: readonly string[]): PartnerCenterError {
  const cause = withoutSecrets(thrown, secrets, 0);
  return new PartnerCenterError({
    kind: 'unauthorized',
    retryable: false,
    scope,
    reason: `token refresh failed: ${redact(describe(thrown), secrets).slice(0, 300)}`,
    cause,
  });
}

function describe(thrown: unknown): string {
  if (PartnerCenterError.is(thrown)) return thrown.reason ?? thrown.message;
  if (thrown instanceof Error) return thrown.message ? `${thrown.name}: ${thrown.message}` : thrown.name;
  if (typeof thrown === 'string') return thrown;
  return `a non-Error value (${thrown === null ? 'null' : typeof thrown}) was thrown`;
}

/** `text` without the known tokens, on word boundaries (short tokens only where they are the whole text). */
function redact(text: string, secrets: readonly string[]): string {
  return removeValues(text, secrets);
}

function contains(text: unknown, secrets: readonly string[]): boolean {
  return typeof text === 'string' && redact(text, secrets) !== text;
}

/**
 * Returns `thrown`, or a copy without the known tokens when any appears in its message, stack or cause
 * chain. (PartnerCenterError scrubs JWT-shaped text itself; this also catches opaque tokens.)
 */
function withoutSecrets(thrown: unknown, secrets: readonly string[], depth: number): unknown {
  if (secrets.length === 0 || depth > 4 || thrown === null || thrown === undefined) return thrown;
  if (typeof thrown === 'string') return redact(thrown, secrets);
  if (typeof thrown !== 'object') return thrown;
  const source = thrown as {
    name?: unknown;
    message?: unknown;
    stack?: unknown;
    code?: unknown;
    cause?: unknown;
  };
  if (typeof source.message !== 'string') {
    let text: string;
    try {
      text = JSON.stringify(thrown) ?? '';
    } catch {
      return thrown;
    }
    return contains(text, secrets) ? redact(text, secrets) : thrown;
  }
  const cause = 'cause' in source ? withoutSecrets(source.cause, secrets, depth + 1) : undefined;
  if (
    !contains(source.message, secrets) &&
    !contains(source.stack, secrets) &&
    !contains(source.name, secrets) &&
    cause === source.cause
  ) {
    return thrown;
  }
  const copy = new Error(redact(source.message, secrets));
  copy.name = typeof source.name === 'string' ? redact(source.name, secrets) : 'Error';
  copy.stack =
    typeof source.stack === 'string' ? redact(source.stack, secrets) : `${copy.name}: ${copy.message}`;
  if (typeof source.code === 'string' || typeof source.code === 'number') {
    (copy as Error & { code?: string | number }).code = source.code;
  }
  if (cause !== undefined)
    Object.defineProperty(copy, 'cause', { value: cause, enumerable: false, writable: true });
  return copy;
}

/** Waits for a shared refresh; this caller's abort rejects only this caller. */
export function wait(
  attempt: { readonly promise: Promise<AccessToken> },
  scope: string,
  signal: AbortSignal | undefined,
): Promise<AccessToken> {
  if (!signal) return attempt.promise;
  return untilAborted(attempt.promise, signal, () => cancelled(scope, signal));
}
