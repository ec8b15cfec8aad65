import type { InternalAxiosRequestConfig } from 'axios';
import type { Log } from '../observability/logger.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import type { NormalizedOptions, PartnerCenterRequestOptions } from '../options.js';
import { createDefaultScopeOf, customerScope } from '../tenancy/resolveScope.js';

/**
 * The scope of a call: the request's own `scope`, else its `tenant`, else the instance's resolver, else the
 * default (`customer:<id>` for `/customers/{id}/...` paths, remembered per path, else the partner scope).
 */
export function createScopeOfCall(
  options: NormalizedOptions,
  log: Log | undefined,
  sanitizer: Sanitizer,
): (config: InternalAxiosRequestConfig, request: PartnerCenterRequestOptions) => string {
  const byPath = createDefaultScopeOf(options.partnerScope);
  const resolve = options.resolve;
  return (config, request) => {
    if (typeof request.scope === 'string' && request.scope !== '') return request.scope;
    if (typeof request.tenant === 'string' && request.tenant !== '') return customerScope(request.tenant);
    if (resolve) {
      try {
        const resolved = resolve(config);
        if (typeof resolved === 'string' && resolved !== '') return resolved;
      } catch (error: unknown) {
        log?.('warn', 'tenants.resolve threw; using the default scope', {
          error: error instanceof Error ? sanitizer.scrubText(error.message) : 'unknown',
        });
      }
    }
    return byPath(config.url);
  };
}
