import { isGuid } from './scenarioSchema.js';

/** A matched route: its template, the methods it allows and the ids in the path. */
export interface RouteMatch {
  /** Template without method, e.g. `/v1/customers/{id}/orders`; `undefined` when no route matches. */
  readonly template: string | undefined;
  readonly allowed: readonly string[];
  /** The `{id}` segment as written (may not be a GUID). */
  readonly customerSegment: string | undefined;
  readonly orderId: string | undefined;
}

const ROUTES: readonly { template: string; pattern: RegExp; allowed: readonly string[] }[] = [
  { template: '/v1/customers', pattern: /^\/v1\/customers\/?$/i, allowed: ['GET'] },
  { template: '/v1/customers/{id}', pattern: /^\/v1\/customers\/([^/]+)\/?$/i, allowed: ['GET'] },
  {
    template: '/v1/customers/{id}/subscriptions',
    pattern: /^\/v1\/customers\/([^/]+)\/subscriptions\/?$/i,
    allowed: ['GET'],
  },
  {
    template: '/v1/customers/{id}/orders',
    pattern: /^\/v1\/customers\/([^/]+)\/orders\/?$/i,
    allowed: ['GET', 'POST'],
  },
  {
    template: '/v1/customers/{id}/orders/{orderId}',
    pattern: /^\/v1\/customers\/([^/]+)\/orders\/([^/]+)\/?$/i,
    allowed: ['GET'],
  },
];

/** The route templates the simulator serves, for docs and tests. */
export const SIMULATOR_ROUTES: readonly string[] = [
  'GET /v1/customers',
  'GET /v1/customers/{id}',
  'GET /v1/customers/{id}/subscriptions',
  'GET /v1/customers/{id}/orders',
  'POST /v1/customers/{id}/orders',
  'GET /v1/customers/{id}/orders/{orderId}',
];

function decode(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Matches a path (no query string) against the simulator's routes. */
export function matchRoute(path: string): RouteMatch {
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (match !== null) {
      return {
        template: route.template,
        allowed: route.allowed,
        customerSegment: decode(match[1]),
        orderId: decode(match[2]),
      };
    }
  }
  const loose = /^\/v1\/customers\/([^/]+)/i.exec(path);
  return { template: undefined, allowed: [], customerSegment: decode(loose?.[1]), orderId: undefined };
}

/** The customer scope of a path (lowercase GUID), or `undefined` for the partner scope. */
export function customerOf(match: RouteMatch): string | undefined {
  const segment = match.customerSegment;
  return segment !== undefined && isGuid(segment) ? segment.toLowerCase() : undefined;
}
