// Types of findOrder.mjs, for the TypeScript unit test.
export interface LineItem {
  readonly offerId: string;
  readonly quantity: number;
  readonly friendlyName?: string;
  readonly [key: string]: unknown;
}
export interface OrderLike {
  readonly id?: string;
  readonly creationDate: string;
  readonly lineItems: unknown;
}
export interface OrdersApi {
  get(
    url: string,
    config: { signal: AbortSignal },
  ): Promise<{ status: number; data: { items?: readonly OrderLike[] }; [key: string]: unknown }>;
}
export const CLOCK_SKEW_MS: number;
export function sameLineItems(wanted: readonly LineItem[], found: unknown): boolean;
export function matchOrder<T extends OrderLike>(
  orders: readonly T[],
  order: { readonly lineItems: readonly LineItem[] },
  startedAt: number,
): T | undefined;
export function findOrder(
  api: OrdersApi,
  customerId: string,
  order: { readonly lineItems: readonly LineItem[] },
  startedAt: number,
): (request: { signal: AbortSignal }) => Promise<{ status: number; data: unknown } | null>;
