/** What one customer route was read: the answers of `stats().customerReads`. */
export interface CustomerReadStats {
  /** Successful (2xx) answers of the route. */
  readonly reads: number;
  /** Customers read at least once. */
  readonly customers: number;
  /** Customers read more than once (a task run twice, or a read repeated after its answer arrived). */
  readonly customersReadAgain: number;
  /** Most reads of one customer. */
  readonly maxPerCustomer: number;
}

interface RouteReads {
  reads: number;
  readAgain: number;
  max: number;
  readonly perCustomer: Map<string, number>;
}

/**
 * Successful reads (`GET` answered 2xx) of each customer route, per customer, kept as they happen: O(1) a
 * read and O(routes) a snapshot. Memory: one entry per route and customer read (customers are at most the
 * scenario's 100_000: an unknown one is answered 404, not counted).
 */
export class CustomerReads {
  private readonly routes = new Map<string, RouteReads>();
  private readonly readAgain = new Set<string>();

  /** Counts a successful read of `route` (e.g. `GET /v1/customers/{id}/subscriptions`) for `customer`. */
  read(route: string, customer: string): void {
    let entry = this.routes.get(route);
    if (entry === undefined) {
      entry = { reads: 0, readAgain: 0, max: 0, perCustomer: new Map() };
      this.routes.set(route, entry);
    }
    const count = (entry.perCustomer.get(customer) ?? 0) + 1;
    entry.perCustomer.set(customer, count);
    entry.reads++;
    if (count === 2) {
      entry.readAgain++;
      this.readAgain.add(customer);
    }
    if (count > entry.max) entry.max = count;
  }

  /** Customers one of whose routes was read more than once. */
  get customersReadAgain(): number {
    return this.readAgain.size;
  }

  /** Per route, in the order first read. */
  snapshot(): Record<string, CustomerReadStats> {
    const result: Record<string, CustomerReadStats> = {};
    for (const [route, entry] of this.routes) {
      result[route] = {
        reads: entry.reads,
        customers: entry.perCustomer.size,
        customersReadAgain: entry.readAgain,
        maxPerCustomer: entry.max,
      };
    }
    return result;
  }
}
