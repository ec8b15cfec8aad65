import type { SimulatedSubscription } from './store.js';

/** A customer's licences of one product, shaped like Partner Center's `SubscribedSku` resource. */
export interface SimulatedSubscribedSku {
  readonly productSku: {
    /** The product's SKU id in Microsoft Entra ID (a GUID). */
    readonly id: string;
    readonly name: string;
    readonly skuPartNumber: string;
    readonly targetType: 'User';
    readonly licenseGroupId: 'group1';
  };
  readonly servicePlans: readonly [];
  readonly capabilityStatus: 'Enabled';
  /** Active plus warning units. */
  readonly totalUnits: number;
  readonly activeUnits: number;
  /** Units assigned to users. */
  readonly consumedUnits: number;
  /** Units left to assign: total minus consumed. */
  readonly availableUnits: number;
  readonly suspendedUnits: 0;
  readonly warningUnits: 0;
  readonly attributes: { readonly objectType: 'SubscribedSku' };
}

/** The Entra ID SKU of each offer the simulator sells (Microsoft's published SKU ids and part numbers). */
const SKUS: Readonly<Record<string, { readonly id: string; readonly skuPartNumber: string }>> = {
  'CFQ7TTC0LH18:0001': {
    id: '3b555118-da6a-4418-894f-7df1e2096870',
    skuPartNumber: 'O365_BUSINESS_ESSENTIALS',
  },
  'CFQ7TTC0LDPB:0001': { id: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3', skuPartNumber: 'O365_BUSINESS_PREMIUM' },
  'CFQ7TTC0LCHC:0002': { id: '05e9a617-0261-4cee-bb44-138d3ef5d965', skuPartNumber: 'SPE_E3' },
  'CFQ7TTC0LH0R:0001': { id: '4b9405b0-7788-4568-add1-99614e613b69', skuPartNumber: 'EXCHANGESTANDARD' },
};

/**
 * The subscribed SKUs of a customer with these subscriptions: one per product, its units the sum of the
 * subscriptions' quantities, some of them consumed (a share drawn from the first subscription's id, so the
 * answer is the same on every read and takes nothing from the simulator's random sequences).
 */
export function subscribedSkus(subscriptions: readonly SimulatedSubscription[]): SimulatedSubscribedSku[] {
  const byOffer = new Map<string, { readonly first: SimulatedSubscription; units: number }>();
  for (const subscription of subscriptions) {
    const entry = byOffer.get(subscription.offerId);
    if (entry === undefined)
      byOffer.set(subscription.offerId, { first: subscription, units: subscription.quantity });
    else entry.units += subscription.quantity;
  }
  return [...byOffer.values()].map(({ first, units }) => {
    const sku = SKUS[first.offerId] ?? { id: first.id, skuPartNumber: first.offerId };
    const unused = Number.parseInt(first.id.slice(0, 2), 16) % (units + 1);
    const consumedUnits = units - unused;
    return {
      productSku: {
        id: sku.id,
        name: first.offerName,
        skuPartNumber: sku.skuPartNumber,
        targetType: 'User',
        licenseGroupId: 'group1',
      },
      servicePlans: [],
      capabilityStatus: 'Enabled',
      totalUnits: units,
      activeUnits: units,
      consumedUnits,
      availableUnits: units - consumedUnits,
      suspendedUnits: 0,
      warningUnits: 0,
      attributes: { objectType: 'SubscribedSku' },
    };
  });
}
