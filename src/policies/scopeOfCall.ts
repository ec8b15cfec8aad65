import type { InternalAxiosRequestConfig } from 'axios';
import type { Log } from '../observability/logger.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import type { NormalizedOptions } from '../options/normalizeOptions.js';
import type { PartnerCenterRequestOptions } from '../options/requestOptions.js';
import { createDefaultScopeOf } from '../tenancy/resolveScope.js';
import { explicitScopeKey, tenantScopeKey } from '../tenancy/scopeKey.js';

/**
 * The scope of a call: the request's own `scope`, else its `tenant`, else the instance's resolver, else the
 * default (`customer:<id>` for `/customers/{id}/...` paths, remembered per path, else the partner scope).
 * Keys are bounded and single-line; an id or key that is not one (control characters, `.`, `..`) falls back
 * to the partner scope, logged once per instance.
 */
export function createScopeOfCall(
  options: NormalizedOptions,
  log: Log | undefined,
  sanitizer: Sanitizer,
): (config: InternalAxiosRequestConfig, request: PartnerCenterRequestOptions) => string {
  const partner = options.partnerScope;
  let warned = false;
  const rejected = (): void => {
    if (warned) return;
    warned = true;
    log?.(
      'warn',
      'a tenant id or scope key is not valid (control characters, "." or ".."); using the partner scope',
      {
        scope: partner,
      },
    );
  };
  const byPath = createDefaultScopeOf(partner, rejected);
  const resolve = options.resolve;
  const checked = (key: string | undefined): string => {
    if (key !== undefined) return key;
    rejected();
    return partner;
  };
  return (config, request) => {
    if (typeof request.scope === 'string' && request.scope !== '')
      return checked(explicitScopeKey(request.scope));
    if (typeof request.tenant === 'string' && request.tenant !== '')
      return checked(tenantScopeKey(request.tenant));
    if (resolve) {
      try {
        const resolved = resolve(config);
        if (typeof resolved === 'string' && resolved !== '') return checked(explicitScopeKey(resolved));
      } catch (error: unknown) {
        log?.('warn', 'tenants.resolve threw; using the default scope', {
          error: error instanceof Error ? sanitizer.scrubText(error.message) : 'unknown',
        });
      }
    }
    return byPath(config.url);
  };
}
