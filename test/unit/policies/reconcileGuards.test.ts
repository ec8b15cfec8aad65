import axios, { type AxiosAdapter } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  attachResilience,
  isPartnerCenterError,
  PartnerCenterError,
  type ResilienceOptions,
} from '../../../src/index.js';
import type { ReconcileEvent } from '../../../src/observability/events.js';
import { type Step, scriptedAdapter } from '../../helpers/scriptedAdapter.js';
import { capture } from '../../helpers/settle.js';

/*
 * The guards around reconcile that the main reconcile tests leave open: an "absent" verdict resends a
 * failure that is not retryable by itself (a POST answered 500), and a GET is never reconciled, even when
 * its failure says the outcome is unknown.
 */

const ORDERS = '/v1/customers/aaaaaaaa-0000-0000-0000-00000000000a/orders';
const ORDER = { lineItems: [{ offerId: 'offer-1', quantity: 1 }] };
const BASE = 'https://api.partnercenter.microsoft.com';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse('2026-11-25T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

function attach(adapter: AxiosAdapter, options: ResilienceOptions) {
  const instance = axios.create({ adapter, baseURL: BASE });
  const events: ReconcileEvent[] = [];
  attachResilience(instance, {
    retry: { baseDelayMs: 10, maxDelayMs: 10 },
    timeout: { attemptMs: 1_000, totalMs: 30_000 },
    ...options,
    hooks: { onReconcile: (event) => void events.push(event) },
  });
  return { instance, events };
}

async function run<T>(promise: Promise<T>) {
  const outcome = capture(promise);
  await vi.advanceTimersByTimeAsync(5_000);
  return outcome;
}

describe('reconcile guards', () => {
  it('resends a POST answered 500 (not retryable by itself) once, under the same MS-RequestId, when reconcile answers null', async () => {
    const steps: Step[] = [
      { status: 500, data: { code: 500, description: 'internal error' } },
      { status: 201, data: { id: 'order-1' } },
    ];
    const scripted = scriptedAdapter(steps);
    const reconcile = vi.fn(() => null);
    const { instance, events } = attach(scripted.adapter, { reconcile });

    const { value, error } = await run(instance.post(ORDERS, ORDER));

    expect(error).toBeUndefined();
    expect(value?.status).toBe(201);
    expect(reconcile).toHaveBeenCalledTimes(1);
    expect(events.map((e) => e.outcome)).toEqual(['absent']);
    expect(scripted.hits.map((h) => h.method)).toEqual(['POST', 'POST']);
    expect(scripted.hits[1]?.headers['ms-requestid']).toBe(scripted.hits[0]?.headers['ms-requestid']);
    expect(scripted.hits[1]?.data).toBe(scripted.hits[0]?.data);
  });

  it('without reconcile, the same POST + 500 is sent once and fails with outcomeUnknown', async () => {
    const scripted = scriptedAdapter([{ status: 500, data: { code: 500, description: 'internal error' } }]);
    const { instance } = attach(scripted.adapter, {});
    const { error } = await run(instance.post(ORDERS, ORDER));
    expect(isPartnerCenterError(error) && error.outcomeUnknown).toBe(true);
    expect(error?.status).toBe(500);
    expect(scripted.hits).toHaveLength(1);
  });

  it('never asks reconcile about a GET, even when its failure says the outcome is unknown', async () => {
    let sent = 0;
    const adapter: AxiosAdapter = async () => {
      sent += 1;
      throw new PartnerCenterError({
        kind: 'server',
        retryable: false,
        status: 500,
        outcomeUnknown: true,
        reason: 'a wrapped client lost the answer',
      });
    };
    const reconcile = vi.fn(() => null);
    const { instance, events } = attach(adapter, { reconcile });

    const { error } = await run(instance.get(ORDERS));

    expect(isPartnerCenterError(error)).toBe(true);
    expect(error?.outcomeUnknown).toBe(true);
    expect(error?.reason).toBe('a wrapped client lost the answer');
    expect(reconcile).not.toHaveBeenCalled();
    expect(events).toEqual([]);
    expect(sent).toBe(1);
  });
});
