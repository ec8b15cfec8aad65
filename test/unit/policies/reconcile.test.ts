import axios, { type AxiosResponse } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachResilience } from '../../../src/attach.js';
import { isPartnerCenterError } from '../../../src/errors/normalizeError.js';
import type { ReconcileEvent } from '../../../src/observability/events.js';
import type { ReconcileRequest } from '../../../src/options/Reconcile.js';
import type { ResilienceOptions } from '../../../src/options/ResilienceOptions.js';
import { type Step, scriptedAdapter } from '../../helpers/scriptedAdapter.js';
import { capture } from '../../helpers/settle.js';

const ORDERS = '/v1/customers/aaaaaaaa-0000-0000-0000-00000000000a/orders';
const ORDER = { lineItems: [{ offerId: 'offer-1', quantity: 3, friendlyName: 'ref-42' }] };
const GATEWAY_TIMEOUT: Step = { status: 504, data: '<html>Gateway Timeout</html>' };
const CREATED: Step = { status: 201, data: { id: 'order-1' } };

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse('2026-11-25T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(steps: Step[], options: ResilienceOptions = {}) {
  const scripted = scriptedAdapter(steps);
  const instance = axios.create({
    adapter: scripted.adapter,
    baseURL: 'https://api.partnercenter.microsoft.com',
  });
  const events: ReconcileEvent[] = [];
  attachResilience(instance, {
    retry: { baseDelayMs: 10, maxDelayMs: 10 },
    timeout: { attemptMs: 1_000, totalMs: 30_000 },
    ...options,
    hooks: { onReconcile: (event) => void events.push(event) },
  });
  return { ...scripted, instance, events };
}

const found = {
  status: 200,
  statusText: 'OK',
  headers: {},
  data: { id: 'order-1' },
  config: {},
} as AxiosResponse;

async function run<T>(promise: Promise<T>) {
  const outcome = capture(promise);
  await vi.advanceTimersByTimeAsync(5_000);
  return outcome;
}

describe('reconcile: a POST whose outcome is unknown', () => {
  it('resolves with what reconcile found, sending the POST once', async () => {
    const seen: ReconcileRequest[] = [];
    const { instance, hits, events } = setup([GATEWAY_TIMEOUT], {
      reconcile: (request) => {
        seen.push(request);
        return found;
      },
    });
    const { value, error } = await run(instance.post(ORDERS, ORDER));
    expect(error).toBeUndefined();
    expect(value).toBe(found);
    expect(hits).toHaveLength(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      startedAt: Date.parse('2026-11-25T12:00:00Z'),
      scope: 'customer:aaaaaaaa-0000-0000-0000-00000000000a',
      url: `https://api.partnercenter.microsoft.com${ORDERS}`,
      requestId: hits[0]?.headers['ms-requestid'],
      correlationId: hits[0]?.headers['ms-correlationid'],
    });
    expect(JSON.parse(String(seen[0]?.data))).toEqual(ORDER);
    expect(seen[0]?.error.outcomeUnknown).toBe(true);
    expect(seen[0]?.error.status).toBe(504);
    expect(events.map((e) => e.outcome)).toEqual(['found']);
  });

  it('resends with the same MS-RequestId when reconcile says it was surely not created', async () => {
    const { instance, hits, events } = setup([GATEWAY_TIMEOUT, CREATED], { reconcile: () => null });
    const { value } = await run(instance.post(ORDERS, ORDER));
    expect(value?.status).toBe(201);
    expect(hits).toHaveLength(2);
    expect(hits[1]?.headers['ms-requestid']).toBe(hits[0]?.headers['ms-requestid']);
    expect(hits[1]?.data).toBe(hits[0]?.data);
    expect(events.map((e) => e.outcome)).toEqual(['absent']);
  });

  it('asks again after a resend that also ends unknown, within maxAttempts', async () => {
    let asked = 0;
    const { instance, hits } = setup([GATEWAY_TIMEOUT], {
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 },
      reconcile: () => {
        asked += 1;
        return null;
      },
    });
    const { error } = await run(instance.post(ORDERS, ORDER));
    expect(hits).toHaveLength(3);
    expect(asked).toBe(3);
    expect(isPartnerCenterError(error)).toBe(true);
    if (!isPartnerCenterError(error)) return;
    expect(error.outcomeUnknown).toBe(false);
    expect(error.reason).toMatch(
      /reconcile found that the request was not processed, but it cannot be resent/,
    );
  });

  it('says the attempts are spent, not the last failure, when a reset resend cannot be resent again', async () => {
    const { instance, hits } = setup([{ fault: 'ECONNRESET', message: 'socket hang up' }], {
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
      reconcile: () => null,
    });
    const { error } = await run(instance.post(ORDERS, ORDER));
    expect(hits).toHaveLength(2);
    if (!isPartnerCenterError(error)) throw new Error('expected a PartnerCenterError');
    expect(error.kind).toBe('network');
    expect(error.outcomeUnknown).toBe(false);
    expect(error.reason).toBe(
      'reconcile found that the request was not processed, but it cannot be resent: all 2 attempts are spent',
    );
  });

  it('fails with the unknown-outcome error, reason and cause, when reconcile throws', async () => {
    const { instance, hits, events } = setup([GATEWAY_TIMEOUT], {
      reconcile: () => {
        throw new Error('orders lookup failed');
      },
    });
    const { error } = await run(instance.post(ORDERS, ORDER));
    expect(hits).toHaveLength(1);
    if (!isPartnerCenterError(error)) throw new Error('expected a PartnerCenterError');
    expect(error.outcomeUnknown).toBe(true);
    expect(error.status).toBe(504);
    expect(error.reason).toMatch(/reconcile could not decide: it threw/);
    expect(isPartnerCenterError(error.cause)).toBe(true);
    expect(events.map((e) => e.outcome)).toEqual(['failed']);
  });

  it('bounds a reconcile that never answers and ignores its signal by the attempt limit', async () => {
    let signal: AbortSignal | undefined;
    const { instance } = setup([GATEWAY_TIMEOUT], {
      reconcile: (request) => {
        signal = request.signal;
        return new Promise<null>(() => undefined);
      },
    });
    const outcome = capture(instance.post(ORDERS, ORDER));
    await vi.advanceTimersByTimeAsync(999);
    let settled = false;
    void outcome.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1_100);
    const { error } = await outcome;
    if (!isPartnerCenterError(error)) throw new Error('expected a PartnerCenterError');
    expect(error.outcomeUnknown).toBe(true);
    expect(error.reason).toMatch(/did not answer within 1000 ms/);
    expect(signal?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('treats an answer that is neither a response nor null as undecided', async () => {
    const { instance } = setup([GATEWAY_TIMEOUT], {
      reconcile: () => ({ nope: true }) as unknown as AxiosResponse,
    });
    const { error } = await run(instance.post(ORDERS, ORDER));
    if (!isPartnerCenterError(error)) throw new Error('expected a PartnerCenterError');
    expect(error.outcomeUnknown).toBe(true);
    expect(error.reason).toMatch(/neither a response nor null/);
  });

  it('uses the request own reconcile first, and none with reconcile: false', async () => {
    const instanceWide = vi.fn(() => found);
    const own = vi.fn(() => null);
    const a = setup([GATEWAY_TIMEOUT, CREATED], { reconcile: instanceWide });
    const first = await run(a.instance.post(ORDERS, ORDER, { partnerCenter: { reconcile: own } }));
    expect(first.value?.status).toBe(201);
    expect(own).toHaveBeenCalledTimes(1);
    expect(instanceWide).not.toHaveBeenCalled();

    const b = setup([GATEWAY_TIMEOUT], { reconcile: instanceWide });
    const second = await run(b.instance.post(ORDERS, ORDER, { partnerCenter: { reconcile: false } }));
    expect(isPartnerCenterError(second.error) && second.error.outcomeUnknown).toBe(true);
    expect(instanceWide).not.toHaveBeenCalled();
  });

  it('decides a connection reset after sending the same way', async () => {
    const { instance, hits } = setup([{ fault: 'ECONNRESET', message: 'socket hang up' }], {
      reconcile: () => found,
    });
    const { value } = await run(instance.post(ORDERS, ORDER));
    expect(value).toBe(found);
    expect(hits).toHaveLength(1);
  });

  it('is never asked about a GET, or about a POST surely not processed (a 400)', async () => {
    const reconcile = vi.fn(() => found);
    const get = setup([{ status: 503 }, { status: 200, data: {} }], { reconcile });
    await run(get.instance.get(ORDERS));
    const post = setup([{ status: 400, data: { code: 2000, description: 'bad order' } }], { reconcile });
    const { error } = await run(post.instance.post(ORDERS, ORDER));
    expect(isPartnerCenterError(error) && error.status).toBe(400);
    expect(reconcile).not.toHaveBeenCalled();
  });

  it('rejects a reconcile option that is not a function, naming its path', () => {
    expect(() =>
      attachResilience(axios.create(), { reconcile: 'yes' } as unknown as ResilienceOptions),
    ).toThrow(/reconcile/);
  });
});
