const CUSTOMER_PATH = /\/customers\/([^/?#]+)/i;

/** Scope key of calls for one customer tenant. */
export function customerScope(tenantId: string): string {
  return `customer:${tenantId.toLowerCase()}`;
}

/**
 * The built-in resolver: `customer:<id>` for `/customers/{id}/...` paths (the partner+customer pair that
 * Partner Center throttles together), else `partnerScope`. Query strings and fragments are ignored.
 */
export function defaultScopeOf(url: string | undefined, partnerScope: string): string {
  if (url) {
    const id = CUSTOMER_PATH.exec(url)?.[1];
    if (id) {
      let decoded = id;
      try {
        decoded = decodeURIComponent(id);
      } catch {
        // keep the raw segment
      }
      return customerScope(decoded);
    }
  }
  return partnerScope;
}

/** Most request paths whose default scope is remembered; the memo starts over beyond it. */
const MEMO_LIMIT = 4096;

/**
 * The default resolver with a bounded memo per request path: most calls repeat a few paths, so the path's
 * scope is computed once.
 */
export function createDefaultScopeOf(partnerScope: string): (url: string | undefined) => string {
  const memo = new Map<string, string>();
  return (url) => {
    if (url === undefined) return partnerScope;
    let scope = memo.get(url);
    if (scope === undefined) {
      scope = defaultScopeOf(url, partnerScope);
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(url, scope);
    }
    return scope;
  };
}
