import { createHash } from 'node:crypto';
import type { SeededRandom } from './rng.js';

/** JSON value as read from a request body. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A simulated customer, shaped like Partner Center's `Customer` resource. */
export interface SimulatedCustomer {
  readonly id: string;
  readonly companyProfile: {
    readonly tenantId: string;
    readonly domain: string;
    readonly companyName: string;
  };
  readonly relationshipToPartner: 'reseller';
  readonly attributes: { readonly objectType: 'Customer' };
}

/** A simulated subscription, shaped like Partner Center's `Subscription` resource (the fields read here). */
export interface SimulatedSubscription {
  readonly id: string;
  /** The offer bought (e.g. `CFQ7TTC0LH18:0001`). */
  readonly offerId: string;
  readonly offerName: string;
  /** Licences bought. */
  readonly quantity: number;
  readonly attributes: { readonly objectType: 'Subscription' };
}

/** A simulated order, shaped like Partner Center's `Order` resource. */
export interface SimulatedOrder {
  readonly id: string;
  readonly referenceCustomerId: string;
  readonly billingCycle: string;
  readonly currencyCode: string;
  readonly lineItems: JsonValue;
  readonly creationDate: string;
  readonly status: 'completed';
  readonly links: { readonly self: { readonly uri: string; readonly method: 'GET'; readonly headers: [] } };
  readonly attributes: { readonly etag: string; readonly objectType: 'Order' };
}

/** The outcome of a POST order. */
export type OrderOutcome =
  | { readonly kind: 'created'; readonly order: SimulatedOrder; readonly duplicate: boolean }
  | { readonly kind: 'replayed'; readonly order: SimulatedOrder };

/** Orders (and their request-id and body keys) kept before the oldest are forgotten. */
const MAX_ORDERS = 10_000;

const OFFERS: readonly { readonly offerId: string; readonly offerName: string }[] = [
  { offerId: 'CFQ7TTC0LH18:0001', offerName: 'Microsoft 365 Business Basic' },
  { offerId: 'CFQ7TTC0LDPB:0001', offerName: 'Microsoft 365 Business Standard' },
  { offerId: 'CFQ7TTC0LCHC:0002', offerName: 'Microsoft 365 E3' },
  { offerId: 'CFQ7TTC0LH0R:0001', offerName: 'Exchange Online (Plan 1)' },
];

function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] ?? null)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function setBounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.set(key, value);
  if (map.size > MAX_ORDERS) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}

/** Customers, subscriptions and orders of one simulated partner. Deterministic for a given random source. */
export class PartnerStore {
  readonly customers: readonly SimulatedCustomer[];
  private readonly byId = new Map<string, SimulatedCustomer>();
  private readonly subscriptions = new Map<string, readonly SimulatedSubscription[]>();
  private readonly orders = new Map<string, SimulatedOrder>();
  private readonly ordersByRequestId = new Map<string, SimulatedOrder>();
  private readonly bodyFingerprints = new Set<string>();
  private readonly fingerprintOrder: string[] = [];

  constructor(
    customers: number | readonly string[],
    subscriptionsPerCustomer: number,
    private readonly random: SeededRandom,
  ) {
    const ids =
      typeof customers === 'number'
        ? Array.from({ length: customers }, () => random.guid())
        : customers.map((id) => id.toLowerCase());
    this.customers = ids.map((id, index) => {
      const customer: SimulatedCustomer = {
        id,
        companyProfile: {
          tenantId: id,
          domain: `customer${index + 1}.onmicrosoft.com`,
          companyName: `Simulated Customer ${index + 1}`,
        },
        relationshipToPartner: 'reseller',
        attributes: { objectType: 'Customer' },
      };
      this.byId.set(id, customer);
      return customer;
    });
    for (const customer of this.customers) {
      const subs = Array.from({ length: subscriptionsPerCustomer }, (_, index) => {
        const offer = OFFERS[index % OFFERS.length] as (typeof OFFERS)[number];
        return {
          id: random.guid(),
          offerId: offer.offerId,
          offerName: offer.offerName,
          friendlyName: offer.offerName,
          quantity: 1 + random.int(50),
          unitType: 'Licenses',
          creationDate: '2024-01-01T00:00:00Z',
          effectiveStartDate: '2024-01-01T00:00:00Z',
          commitmentEndDate: '2025-01-01T00:00:00Z',
          status: 'active',
          autoRenewEnabled: true,
          billingType: 'license',
          billingCycle: 'monthly',
          attributes: { objectType: 'Subscription' as const },
        };
      });
      this.subscriptions.set(customer.id, subs);
    }
  }

  customer(id: string): SimulatedCustomer | undefined {
    return this.byId.get(id.toLowerCase());
  }

  subscriptionsOf(customerId: string): readonly SimulatedSubscription[] {
    return this.subscriptions.get(customerId.toLowerCase()) ?? [];
  }

  subscription(customerId: string, subscriptionId: string): SimulatedSubscription | undefined {
    const id = subscriptionId.toLowerCase();
    return this.subscriptionsOf(customerId).find((subscription) => subscription.id === id);
  }

  order(customerId: string, orderId: string): SimulatedOrder | undefined {
    const order = this.orders.get(orderId);
    return order?.referenceCustomerId === customerId.toLowerCase() ? order : undefined;
  }

  ordersOf(customerId: string): SimulatedOrder[] {
    const id = customerId.toLowerCase();
    return [...this.orders.values()].filter((order) => order.referenceCustomerId === id);
  }

  /**
   * Creates an order, or returns the original one when `requestId` was seen before for this customer (a
   * replay). A new order whose body equals an earlier one for the same customer is flagged `duplicate`.
   */
  placeOrder(
    customerId: string,
    requestId: string,
    body: { [key: string]: JsonValue },
    nowMs: number,
  ): OrderOutcome {
    const customer = customerId.toLowerCase();
    const requestKey = `${customer}|${requestId.toLowerCase()}`;
    const previous = this.ordersByRequestId.get(requestKey);
    if (previous !== undefined) return { kind: 'replayed', order: previous };

    const fingerprint = createHash('sha256')
      .update(`${customer}|${canonicalJson(body)}`)
      .digest('hex');
    const duplicate = this.bodyFingerprints.has(fingerprint);
    if (!duplicate) {
      this.bodyFingerprints.add(fingerprint);
      this.fingerprintOrder.push(fingerprint);
      if (this.fingerprintOrder.length > MAX_ORDERS) {
        const oldest = this.fingerprintOrder.shift();
        if (oldest !== undefined) this.bodyFingerprints.delete(oldest);
      }
    }

    const id = this.random.hex(12).toUpperCase();
    const billingCycle = typeof body['billingCycle'] === 'string' ? body['billingCycle'] : 'monthly';
    const currencyCode = typeof body['currencyCode'] === 'string' ? body['currencyCode'] : 'USD';
    const order: SimulatedOrder = {
      id,
      referenceCustomerId: customer,
      billingCycle,
      currencyCode,
      lineItems: body['lineItems'] ?? [],
      creationDate: new Date(nowMs).toISOString(),
      status: 'completed',
      links: { self: { uri: `/customers/${customer}/orders/${id}`, method: 'GET', headers: [] } },
      attributes: { etag: this.random.hex(16), objectType: 'Order' },
    };
    setBounded(this.orders, id, order);
    setBounded(this.ordersByRequestId, requestKey, order);
    return { kind: 'created', order, duplicate };
  }
}
