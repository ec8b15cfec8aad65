import { bounded, detached, hasControlCharacter, MAX_TENANT_ID_CHARS, tenantScopeKey } from './scopeKey.js';

const CUSTOMER_PATH = /\/customers\/([^/?#]+)/i;

/**
 * Scope key of calls for one customer tenant: `customer:<id>`, lower-cased. Always one bounded line: an id
 * longer than 64 characters is shortened to a prefix and a hash, control characters are percent-encoded.
 * (The engine does not use such ids as tenants at all: it falls back to the partner scope.)
 */
export function customerScope(tenantId: string): string {
  const key = tenantScopeKey(tenantId);
  if (key !== undefined) return key;
  const id = tenantId.trim().toLowerCase();
  const clean = hasControlCharacter(id) ? encodeURIComponent(id) : id;
  return `customer:${bounded(clean, MAX_TENANT_ID_CHARS)}`;
}

/** The tenant scope of a request path, `undefined` when it names no valid tenant (see {@link tenantScopeKey}). */
function pathScope(url: string): string | undefined | null {
  const id = CUSTOMER_PATH.exec(url)?.[1];
  if (!id) return null;
  let decoded = id;
  try {
    decoded = decodeURIComponent(id);
  } catch {
    // keep the raw segment
  }
  const key = tenantScopeKey(decoded);
  // The key is kept (memo, registry, store): never as a view of the request's URL.
  return key === undefined ? undefined : detached(key);
}

/**
 * The built-in resolver: `customer:<id>` for `/customers/{id}/...` paths (the partner+customer pair that
 * Partner Center throttles together), else `partnerScope`. Query strings and fragments are ignored. An id
 * that is not a tenant (`.`, `..`, control characters such as a decoded `%0d%0a`) gives `partnerScope`.
 */
export function defaultScopeOf(url: string | undefined, partnerScope: string): string {
  return (url ? pathScope(url) : null) ?? partnerScope;
}

/** Most request paths whose default scope is remembered; the memo starts over beyond it. */
const MEMO_LIMIT = 4096;
/** Longest request path remembered: the memo is bounded in bytes too, not only in entries. */
const MEMO_URL_CHARS = 1024;

/**
 * The default resolver with a bounded memo per request path: most calls repeat a few paths, so the path's
 * scope is computed once. `onRejected` hears of a `/customers/{id}` path whose id is not a tenant.
 */
export function createDefaultScopeOf(
  partnerScope: string,
  onRejected?: () => void,
): (url: string | undefined) => string {
  const memo = new Map<string, string>();
  return (url) => {
    if (url === undefined) return partnerScope;
    let scope = memo.get(url);
    if (scope === undefined) {
      const found = pathScope(url);
      if (found === undefined) onRejected?.();
      scope = found ?? partnerScope;
      if (url.length <= MEMO_URL_CHARS) {
        if (memo.size >= MEMO_LIMIT) memo.clear();
        memo.set(url, scope);
      }
    }
    return scope;
  };
}
