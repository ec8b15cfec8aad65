import type { Scenario } from './scenario.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** No faults, no limits, no authentication: 3 customers with 2 subscriptions each. The default scenario. */
export const healthy: Scenario = deepFreeze({
  name: 'healthy',
  description: 'No faults, no rate limits, no authentication.',
});

/**
 * Rate limits only: 10 partner-scope requests and 5 requests per customer per second. Every hit over the
 * limit gets the gateway 429 with `Retry-After: 1`; a client that retries before the second is up shows in
 * `hitsBeforeDeadline`.
 */
export const throttled: Scenario = deepFreeze({
  name: 'throttled',
  description: 'Fixed-window limits: 10/s for the partner scope, 5/s per customer; 429 with Retry-After.',
  customers: 5,
  throttle: {
    partner: { limit: 10, windowMs: 1000 },
    customer: { limit: 5, windowMs: 1000 },
  },
});

/**
 * A 2-second outage starting 500 ms after the scenario starts: every request answers 503 with
 * `Retry-After: 1`; `hitsDuringOutage` counts them. Before and after, the service is healthy.
 */
export const outage: Scenario = deepFreeze({
  name: 'outage',
  description: 'Everything answers 503 (Retry-After: 1) from 500 ms to 2500 ms after start.',
  outage: { fromMs: 500, untilMs: 2500, retryAfterSeconds: 1 },
});

/**
 * A realistic bad day, deterministic for a seed: per-customer limit of 20/s, every 7th GET a 503, every
 * 11th GET the HTML 502 gateway page, 5% of GETs a 429 with `Retry-After: 1`, 3% of GETs reset the
 * connection, 10% of requests 150 ms slower, and the first order POST is processed and then answered 504
 * (outcome unknown: a client that retries it with a fresh `MS-RequestId` creates a duplicate order).
 */
export const mixedFaults: Scenario = deepFreeze({
  name: 'mixedFaults',
  description:
    'Throttling, 503 bursts, HTML 502, 429, resets, slow answers and an order answered 504 after processing.',
  customers: 5,
  throttle: { customer: { limit: 20, windowMs: 1000 } },
  faults: [
    {
      name: 'order-504-after-processing',
      match: { method: 'POST', path: '/orders$' },
      times: 1,
      respond: { status: 504, afterProcessing: true },
    },
    { name: 'get-503', match: { method: 'GET' }, every: 7, respond: { status: 503 } },
    { name: 'get-502-html', match: { method: 'GET' }, every: 11, respond: { status: 502, html: true } },
    {
      name: 'get-429',
      match: { method: 'GET' },
      probability: 0.05,
      respond: { status: 429, retryAfterSeconds: 1 },
    },
    {
      name: 'get-reset',
      match: { method: 'GET' },
      probability: 0.03,
      respond: { hangUp: 'before-response' },
    },
    { name: 'slow', probability: 0.1, respond: { delayMs: 150 } },
  ],
});

/** Options of {@link lostOrders}. */
export interface LostOrdersOptions {
  /**
   * The share of `POST /v1/customers/{id}/orders` that are processed (the order is committed, or a replay
   * answered) and then lost: half answered 504, half with the connection reset. From 0 to 1. Default: 0.2.
   */
  readonly rate?: number;
}

/**
 * Orders whose outcome the client cannot know, deterministic for a seed: a share (`rate`, default 20%) of
 * order POSTs commit and then answer 504 (`{ code: 504, ... }`) or reset the connection, half each. The order
 * then shows in `GET /v1/customers/{id}/orders`; resending the POST with the same `MS-RequestId` answers the
 * existing order (200, `orderReplays`), resending with a new one creates a duplicate (`duplicateOrders`).
 * Five customers, no other faults. Throws a `RangeError` when `rate` is not a number from 0 to 1.
 *
 * @example
 * const sim = await startPartnerCenterSimulator({ scenario: lostOrders({ rate: 0.5 }), seed: 7 });
 */
export function lostOrders(options: LostOrdersOptions = {}): Scenario {
  const { rate = 0.2 } = options;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
    throw new RangeError(`lostOrders: rate must be a number from 0 to 1, got ${String(rate)}`);
  }
  const half = rate / 2;
  const percent = Number((rate * 100).toFixed(2));
  const match = { method: 'POST', path: '^/v1/customers/[^/]+/orders/?$' };
  return deepFreeze({
    name: 'lostOrders',
    description: `${percent}% of order POSTs commit, then answer 504 or reset the connection (half each).`,
    customers: 5,
    faults: [
      {
        name: 'order-504-after-commit',
        match,
        probability: half,
        respond: { status: 504, afterProcessing: true },
      },
      {
        name: 'order-reset-after-commit',
        match,
        // Drawn only for POSTs the first rule left, so that each rule takes `half` of all of them.
        probability: half / (1 - half),
        respond: { hangUp: 'before-response', afterProcessing: true },
      },
    ],
  });
}

/** Options of {@link quotaLimited}. */
export interface QuotaLimitedOptions {
  /** Requests per second for the whole partner, in a 1-second sliding window (integer >= 1). Default: 20. */
  readonly partnerPerSecond?: number;
  /** Requests per second for each partner+customer scope (integer >= 1). Default: no customer quota. */
  readonly customerPerSecond?: number;
  /** How many customers the partner has (integer from 0 to 100000). Default: 5. */
  readonly customers?: number;
}

function checkRate(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1_000_000) {
    throw new RangeError(`quotaLimited: ${name} must be an integer from 1 to 1000000, got ${String(value)}`);
  }
}

/**
 * Partner Center's sliding-window quotas, to test a client's pacing: `partnerPerSecond` (default 20)
 * requests in any second for the whole partner (quota `partner`), and optionally `customerPerSecond` for each
 * customer (quota `customer`). Over a quota the gateway answers 429 with `Retry-After`; throttled requests
 * count against the quota too. `customers` customers (default 5), no other faults. Throws a `RangeError` for a
 * rate that is not an integer from 1 to 1000000, or a count of customers outside 0-100000.
 *
 * @example
 * const sim = await startPartnerCenterSimulator({ scenario: quotaLimited({ partnerPerSecond: 20 }) });
 */
export function quotaLimited(options: QuotaLimitedOptions = {}): Scenario {
  const { partnerPerSecond = 20, customerPerSecond, customers = 5 } = options;
  checkRate('partnerPerSecond', partnerPerSecond);
  if (customerPerSecond !== undefined) checkRate('customerPerSecond', customerPerSecond);
  if (!Number.isInteger(customers) || customers < 0 || customers > 100_000) {
    throw new RangeError(
      `quotaLimited: customers must be an integer from 0 to 100000, got ${String(customers)}`,
    );
  }
  const perCustomer = customerPerSecond === undefined ? '' : `, ${customerPerSecond}/s per customer`;
  return deepFreeze({
    name: 'quotaLimited',
    description: `Sliding-window quotas: ${partnerPerSecond}/s for the partner${perCustomer}.`,
    customers,
    quotas: [
      { name: 'partner', scope: 'partner', limit: partnerPerSecond, windowMs: 1000 },
      ...(customerPerSecond === undefined
        ? []
        : [{ name: 'customer', scope: 'customer', limit: customerPerSecond, windowMs: 1000 } as const]),
    ],
  });
}

/** The ready scenarios, as frozen plain data. */
export const scenarios = {
  healthy,
  throttled,
  outage,
  mixedFaults,
} as const satisfies Readonly<Record<string, Scenario>>;
