import { describe, expect, it, vi } from 'vitest';
import { CLOCK_SKEW_MS, findOrder, matchOrder, sameLineItems } from '../../../bench/lib/findOrder.mjs';

const item = (quantity: number, friendlyName: string) => ({
  lineItemNumber: 0,
  offerId: 'CFQ7TTC0LH18:0001',
  quantity,
  friendlyName,
});
const STARTED = Date.parse('2026-11-25T12:00:00Z');
const at = (offsetMs: number) => new Date(STARTED + offsetMs).toISOString();

describe('bench orders recipe (findOrder.mjs)', () => {
  it('sameLineItems matches offer, quantity and client reference, in any order, nothing more or less', () => {
    const wanted = [item(3, 'PO-1'), item(1, 'PO-2')];
    expect(sameLineItems(wanted, [item(1, 'PO-2'), item(3, 'PO-1')])).toBe(true);
    expect(sameLineItems(wanted, [item(3, 'PO-1'), item(2, 'PO-2')])).toBe(false);
    expect(sameLineItems(wanted, [item(3, 'PO-1'), item(1, 'PO-3')])).toBe(false);
    expect(sameLineItems(wanted, [item(3, 'PO-1'), item(1, 'PO-2'), item(1, 'PO-2')])).toBe(false);
    expect(sameLineItems([item(1, 'PO-2'), item(1, 'PO-2')], [item(1, 'PO-2'), item(5, 'PO-9')])).toBe(false);
    expect(sameLineItems(wanted, undefined)).toBe(false);
    expect(sameLineItems(wanted, [null, 'x'])).toBe(false);
  });

  it('matchOrder takes only orders created since the call started (less the clock skew), the oldest first', () => {
    const order = { lineItems: [item(3, 'PO-1')] };
    const orders = [
      { id: 'before', creationDate: at(-CLOCK_SKEW_MS - 1), lineItems: [item(3, 'PO-1')] },
      { id: 'other', creationDate: at(1_000), lineItems: [item(4, 'PO-1')] },
      { id: 'later', creationDate: at(2_000), lineItems: [item(3, 'PO-1')] },
      { id: 'skewed', creationDate: at(-CLOCK_SKEW_MS), lineItems: [item(3, 'PO-1')] },
    ];
    expect(matchOrder(orders, order, STARTED)?.id).toBe('skewed');
    expect(matchOrder(orders.slice(0, 3), order, STARTED)?.id).toBe('later');
    expect(matchOrder(orders.slice(0, 2), order, STARTED)).toBeUndefined();
  });

  it('findOrder reads the customer orders with the signal it is given and answers the match as the response', async () => {
    const match = { id: 'order-1', creationDate: at(10), lineItems: [item(3, 'PO-1')] };
    const list = { status: 200, headers: { 'ms-cv': 'cv' }, data: { items: [match] } };
    const api = { get: vi.fn(async () => list) };
    const signal = new AbortController().signal;
    const reconcile = findOrder(api, 'customer-1', { lineItems: [item(3, 'PO-1')] }, STARTED);
    const answer = await reconcile({ signal });
    expect(api.get).toHaveBeenCalledWith('/v1/customers/customer-1/orders', { signal });
    expect(answer).toEqual({ status: 200, headers: { 'ms-cv': 'cv' }, data: match });
  });

  it('findOrder answers null when no order matches, and rejects when the lookup fails', async () => {
    const signal = new AbortController().signal;
    const empty = { get: async () => ({ status: 200, data: { items: [] } }) };
    expect(await findOrder(empty, 'c', { lineItems: [item(1, 'PO-1')] }, STARTED)({ signal })).toBeNull();
    const failing = { get: async () => Promise.reject(new Error('503')) };
    await expect(
      findOrder(failing, 'c', { lineItems: [item(1, 'PO-1')] }, STARTED)({ signal }),
    ).rejects.toThrow('503');
  });
});
