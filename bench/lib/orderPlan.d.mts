// Types of orderPlan.mjs, for the TypeScript unit test.
export type OrderVariant = 'axios' | 'axios-retry' | 'ours' | 'ours+reconcile';
export const ORDER_VARIANTS: readonly OrderVariant[];
export const ORDER_VARIANT_LABELS: Readonly<Record<OrderVariant, string>>;
export const ORDER_TARGETS: Readonly<
  Partial<Record<OrderVariant, { duplicateOrders: number; unknown: number }>>
>;
export interface PlannedOrder {
  customer: string;
  body: {
    lineItems: { lineItemNumber: number; offerId: string; quantity: number; friendlyName: string }[];
  };
}
export function planOrders(count: number, customerIds: readonly string[], seed: number): PlannedOrder[];
export function unknownOutcome(error: unknown): boolean;
export interface OrderRun {
  ok: number;
  unknown: number;
  otherFailures: number;
  durationMs: number;
}
export interface OrderStats {
  totalHits: number;
  ordersCreated: number;
  duplicateOrders: number;
  orderReplays: number;
  faultsFired?: Record<string, number>;
  hitsPerRoute?: Record<string, number>;
}
export interface ReconcileCounts {
  found: number;
  absent: number;
  failed: number;
}
export interface OrderRow {
  variant: string;
  calls: number;
  ok: number;
  unknown: number;
  otherFailures: number;
  ordersCreated: number;
  duplicateOrders: number;
  orderReplays: number;
  lost: number;
  reconciled: ReconcileCounts | null;
  hits: number;
  postHits: number;
  lookupHits: number;
  durationMs: number;
  targetsMet: boolean | null;
}
export function orderRow(
  variant: string,
  plan: readonly unknown[],
  run: OrderRun,
  stats: OrderStats,
  reconciled?: ReconcileCounts,
): OrderRow;
