import type { RequestFacts } from './faults.js';
import { isGuid } from './guid.js';
import type { RegistrationTracker } from './operations.js';
import { answerCollection, type ContinuationTokens, collection } from './paging.js';
import { type Answer, defaultDescription, json, partnerCenterError } from './responses.js';
import {
  REGISTRATION_STATUS_ROUTE,
  REGISTRATIONS_ROUTE,
  type RouteMatch,
  SUBSCRIBED_SKUS_ROUTE,
} from './routes.js';
import type { OperationsConfig, PagingConfig } from './scenario.js';
import type { StatsRecorder } from './stats.js';
import type { JsonValue, PartnerStore } from './store.js';
import { subscribedSkus } from './subscribedSkus.js';

/**
 * What a route answer reads and changes: the partner's data and registrations, the continuation tokens, the
 * paging and operation settings, and the counters.
 */
export interface RouteState {
  readonly store: PartnerStore;
  readonly stats: StatsRecorder;
  readonly registrations: RegistrationTracker;
  readonly tokens: ContinuationTokens;
  readonly paging: Required<PagingConfig>;
  readonly operations: Required<OperationsConfig>;
}

/** One fully read request that reached its route. */
export interface RouteRequest {
  readonly facts: RequestFacts;
  readonly route: RouteMatch;
  readonly requestId: string;
  readonly body: Buffer;
  readonly tooLarge: boolean;
  readonly now: number;
  /** The query string without `?` (`''` when none). */
  readonly query: string;
  /** The `MS-ContinuationToken` header, if any. */
  readonly continuationToken: string | undefined;
}

/** The normal answer of a route, with its side effects (orders, registrations). */
export function answerRoute(state: RouteState, request: RouteRequest): Answer {
  const { facts, route } = request;
  const { store } = state;
  const { method } = facts;
  if (route.template === undefined) {
    return partnerCenterError(404, 404, `No route matches ${method} ${facts.path}`, 'unmatched');
  }
  if (!route.allowed.includes(method)) {
    return partnerCenterError(405, 405, defaultDescription(405), 'method-not-allowed', {
      Allow: route.allowed.join(', '),
    });
  }
  if (route.template === '/v1/customers') {
    const { query, continuationToken: token, now } = request;
    const paging = { tokens: state.tokens, settings: state.paging, stats: state.stats };
    return answerCollection(paging, { uri: '/customers', items: store.customers, query, token, now });
  }
  const segment = route.customerSegment ?? '';
  if (!isGuid(segment)) {
    const body = {
      code: 2000,
      description: 'Tenant Id must be a GUID.',
      data: [],
      source: 'PartnerApiServiceControllers',
    };
    return json(400, body, 'bad-tenant-id');
  }
  const customer = store.customer(segment);
  if (customer === undefined) {
    return partnerCenterError(404, 3000, `Customer ${segment} could not be found`, 'customer-not-found');
  }
  const base = `/customers/${customer.id}`;
  switch (route.template) {
    case '/v1/customers/{id}':
      return json(200, customer, 'ok');
    case '/v1/customers/{id}/subscriptions':
      return json(200, collection(store.subscriptionsOf(customer.id), `${base}/subscriptions`), 'ok');
    case SUBSCRIBED_SKUS_ROUTE: {
      const skus = subscribedSkus(store.subscriptionsOf(customer.id));
      return json(200, collection(skus, `${base}/subscribedskus`), 'ok');
    }
    case '/v1/customers/{id}/orders/{orderId}': {
      const order = store.order(customer.id, route.orderId ?? '');
      if (order === undefined) {
        return partnerCenterError(
          404,
          3000,
          `Order ${route.orderId ?? ''} could not be found`,
          'order-not-found',
        );
      }
      return json(200, order, 'ok');
    }
    case REGISTRATIONS_ROUTE:
    case REGISTRATION_STATUS_ROUTE:
      return answerRegistration(state, customer.id, request);
    default:
      break;
  }
  if (method === 'GET') return json(200, collection(store.ordersOf(customer.id), `${base}/orders`), 'ok');
  return placeOrder(state, customer.id, request);
}

function answerRegistration(state: RouteState, customerId: string, request: RouteRequest): Answer {
  const { route, now } = request;
  const subscription = state.store.subscription(customerId, route.subscriptionId ?? '');
  if (subscription === undefined) {
    const description = `Subscription ${route.subscriptionId ?? ''} could not be found`;
    return partnerCenterError(404, 3000, description, 'subscription-not-found');
  }
  if (route.template === REGISTRATION_STATUS_ROUTE) {
    return state.registrations.status(customerId, subscription.id, now);
  }
  return state.registrations.accept(customerId, subscription.id, now, state.operations, state.stats);
}

function placeOrder(state: RouteState, customerId: string, request: RouteRequest): Answer {
  const { requestId, body, tooLarge, now } = request;
  if (tooLarge) return partnerCenterError(413, 413, 'The request body is too large.', 'too-large');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return partnerCenterError(400, 2000, 'The order body is not valid JSON.', 'bad-order');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return partnerCenterError(400, 2000, 'The order body must be a JSON object.', 'bad-order');
  }
  const outcome = state.store.placeOrder(
    customerId,
    requestId,
    parsed as { [key: string]: JsonValue },
    Number.isFinite(now) ? now : 0,
  );
  if (outcome.kind === 'replayed') {
    state.stats.orderReplays++;
    return json(200, outcome.order, 'replay');
  }
  state.stats.ordersCreated++;
  if (outcome.duplicate) state.stats.duplicateOrders++;
  return json(201, outcome.order, outcome.duplicate ? 'duplicate-order' : 'order-created', {
    Location: outcome.order.links.self.uri,
  });
}
