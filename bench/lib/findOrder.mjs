// The orders recipe of docs/exactly-once-orders.md, in JavaScript for the benchmark: a `reconcile` for one
// order POST that looks the order up among the customer's orders. Keep the two in step.

/** How far before the call's start an order may be dated: Partner Center's clock and ours differ a little. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Two line items are the same purchase: same offer, same quantity, same client reference (friendlyName). */
function sameItem(a, b) {
  return a.offerId === b.offerId && a.quantity === b.quantity && a.friendlyName === b.friendlyName;
}

/** True when `found` holds exactly the line items of `wanted`, in any order. */
export function sameLineItems(wanted, found) {
  if (!Array.isArray(found) || found.length !== wanted.length) return false;
  const left = [...found];
  return wanted.every((item) => {
    const at = left.findIndex(
      (other) => other !== null && typeof other === 'object' && sameItem(item, other),
    );
    if (at < 0) return false;
    left.splice(at, 1);
    return true;
  });
}

/**
 * The order among `orders` that `order` created: same line items, created no earlier than `startedAt`
 * (less the clock skew). The oldest when several match; `undefined` when none does.
 */
export function matchOrder(orders, order, startedAt) {
  const since = startedAt - CLOCK_SKEW_MS;
  return orders
    .filter((candidate) => Date.parse(candidate.creationDate) >= since)
    .filter((candidate) => sameLineItems(order.lineItems, candidate.lineItems))
    .sort((a, b) => Date.parse(a.creationDate) - Date.parse(b.creationDate))[0];
}

/**
 * A `reconcile` for one order POST of `customerId`, started at `startedAt`: the customer's orders are read
 * through `api` (bounded by the signal reconcile is given); the matching order is returned as the response,
 * `null` when none matches (the engine resends under the same MS-RequestId). A failed lookup throws: the
 * call keeps its unknown-outcome error.
 */
export function findOrder(api, customerId, order, startedAt) {
  return async ({ signal }) => {
    const response = await api.get(`/v1/customers/${customerId}/orders`, { signal });
    const found = matchOrder(response.data.items ?? [], order, startedAt);
    return found === undefined ? null : { ...response, data: found };
  };
}
