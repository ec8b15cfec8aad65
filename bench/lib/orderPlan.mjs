// The exactly-once orders benchmark without I/O: the plan of order POSTs, how a failed call is counted, and
// one result row per variant with its targets (bench/lib/orders.mjs runs the plan).
import { seededRandom } from './stats.mjs';

/** The variants, in the order they run and are shown. */
export const ORDER_VARIANTS = ['axios', 'axios-retry', 'ours', 'ours+reconcile'];

/** Label of each variant in the tables. */
export const ORDER_VARIANT_LABELS = {
  axios: 'axios',
  'axios-retry': 'axios + axios-retry',
  ours: 'ours, no reconcile',
  'ours+reconcile': 'ours, orders recipe as reconcile',
};

/** The offers the plan orders (Partner Center offer ids, as in docs/testing.md). */
const OFFERS = ['CFQ7TTC0LH18:0001', 'CFQ7TTC0LDPB:0001', 'CFQ7TTC0LCHC:0002'];

/**
 * `count` order POSTs over `customerIds`, deterministic for `seed`: `{ customer, body }`, each body one line
 * item whose `friendlyName` is a unique client reference (`bench-order-<i>`), so that no two orders are
 * alike and a lookup can tell them apart.
 */
export function planOrders(count, customerIds, seed) {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const customer = customerIds[Math.floor(random() * customerIds.length)];
    const lineItem = {
      lineItemNumber: 0,
      offerId: OFFERS[Math.floor(random() * OFFERS.length)],
      quantity: 1 + Math.floor(random() * 25),
      friendlyName: `bench-order-${i + 1}`,
    };
    return { customer, body: { lineItems: [lineItem] } };
  });
}

/** Network codes that prove a request never left: its outcome is known (nothing was created). */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * True when a failed order call leaves its outcome unknown to the caller. Ours says so itself
 * (`outcomeUnknown`); for the other clients, a gateway or server error (500, 502, 504) or a network fault
 * after sending (a reset, a hang-up) may have been processed.
 */
export function unknownOutcome(error) {
  if (error !== null && typeof error === 'object' && typeof error.outcomeUnknown === 'boolean') {
    return error.outcomeUnknown;
  }
  const status = error?.response?.status;
  if (typeof status === 'number') return status === 500 || status === 502 || status === 504;
  return !NOT_SENT.has(error?.code);
}

/** The targets of a variant: ours with reconcile must leave no order duplicated and no outcome unknown. */
export const ORDER_TARGETS = { 'ours+reconcile': { duplicateOrders: 0, unknown: 0 } };

/**
 * One result row: the caller's counts (`run`: `{ ok, unknown, otherFailures, durationMs }`), the
 * simulator's (`stats`) and the `onReconcile` outcomes (`reconciled`, counts by outcome, ours only).
 */
export function orderRow(variant, plan, run, stats, reconciled) {
  const target = ORDER_TARGETS[variant];
  return {
    variant,
    calls: plan.length,
    ok: run.ok,
    unknown: run.unknown,
    otherFailures: run.otherFailures,
    ordersCreated: stats.ordersCreated,
    duplicateOrders: stats.duplicateOrders,
    orderReplays: stats.orderReplays,
    lost: Object.values(stats.faultsFired ?? {}).reduce((sum, n) => sum + n, 0),
    reconciled: reconciled ?? null,
    hits: stats.totalHits,
    postHits: stats.hitsPerRoute?.['POST /v1/customers/{id}/orders'] ?? 0,
    lookupHits: stats.hitsPerRoute?.['GET /v1/customers/{id}/orders'] ?? 0,
    durationMs: run.durationMs,
    targetsMet:
      target === undefined
        ? null
        : run.unknown <= target.unknown && stats.duplicateOrders <= target.duplicateOrders,
  };
}
