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
