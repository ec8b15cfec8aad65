import { isGuid } from './guid.js';

/** A matched route: its template, the methods it allows and the ids in the path. */
export interface RouteMatch {
  /** Template without method, e.g. `/v1/customers/{id}/orders`; `undefined` when no route matches. */
  readonly template: string | undefined;
  readonly allowed: readonly string[];
  /** The `{id}` segment as written (may not be a GUID). */
  readonly customerSegment: string | undefined;
  readonly orderId: string | undefined;
  /** The `{subscriptionId}` segment as written, on the registration routes. */
  readonly subscriptionId: string | undefined;
}

/** Template of the route that lists a customer's licences by product (Partner Center's subscribed SKUs). */
export const SUBSCRIBED_SKUS_ROUTE = '/v1/customers/{id}/subscribedskus';
/** Template of the route that starts a subscription registration (202 + `Location`). */
export const REGISTRATIONS_ROUTE = '/v1/customers/{id}/subscriptions/{subscriptionId}/registrations';
/** Template of the route that reads a registration's status (the `Location` of the 202). */
export const REGISTRATION_STATUS_ROUTE =
  '/v1/customers/{id}/subscriptions/{subscriptionId}/registrationstatus';

interface RouteDefinition {
  readonly template: string;
  readonly pattern: RegExp;
  readonly allowed: readonly string[];
  /** What the second id in the path names. Default: an order. */
  readonly second?: 'subscription';
}

const ROUTES: readonly RouteDefinition[] = [
  { template: '/v1/customers', pattern: /^\/v1\/customers\/?$/i, allowed: ['GET'] },
  { template: '/v1/customers/{id}', pattern: /^\/v1\/customers\/([^/]+)\/?$/i, allowed: ['GET'] },
  {
    template: '/v1/customers/{id}/subscriptions',
    pattern: /^\/v1\/customers\/([^/]+)\/subscriptions\/?$/i,
    allowed: ['GET'],
  },
  {
    template: SUBSCRIBED_SKUS_ROUTE,
    pattern: /^\/v1\/customers\/([^/]+)\/subscribedskus\/?$/i,
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
  {
    template: REGISTRATIONS_ROUTE,
    pattern: /^\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)\/registrations\/?$/i,
    allowed: ['POST'],
    second: 'subscription',
  },
  {
    template: REGISTRATION_STATUS_ROUTE,
    pattern: /^\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)\/registrationstatus\/?$/i,
    allowed: ['GET'],
    second: 'subscription',
  },
];

/** The route templates the simulator serves, for docs and tests. */
export const SIMULATOR_ROUTES: readonly string[] = [
  'GET /v1/customers',
  'GET /v1/customers/{id}',
  'GET /v1/customers/{id}/subscriptions',
  `GET ${SUBSCRIBED_SKUS_ROUTE}`,
  'GET /v1/customers/{id}/orders',
  'POST /v1/customers/{id}/orders',
  'GET /v1/customers/{id}/orders/{orderId}',
  `POST ${REGISTRATIONS_ROUTE}`,
  `GET ${REGISTRATION_STATUS_ROUTE}`,
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
      const second = decode(match[2]);
      return {
        template: route.template,
        allowed: route.allowed,
        customerSegment: decode(match[1]),
        orderId: route.second === undefined ? second : undefined,
        subscriptionId: route.second === 'subscription' ? second : undefined,
      };
    }
  }
  const loose = /^\/v1\/customers\/([^/]+)/i.exec(path);
  return {
    template: undefined,
    allowed: [],
    customerSegment: decode(loose?.[1]),
    orderId: undefined,
    subscriptionId: undefined,
  };
}

/** The customer scope of a path (lowercase GUID), or `undefined` for the partner scope. */
export function customerOf(match: RouteMatch): string | undefined {
  const segment = match.customerSegment;
  return segment !== undefined && isGuid(segment) ? segment.toLowerCase() : undefined;
}
