import axios, { type AxiosAdapter, AxiosError, type AxiosResponse } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachResilience } from '../../../src/attach.js';
import type { RetryEvent } from '../../../src/observability/events.js';
import { capture } from '../../helpers/settle.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse('2026-11-25T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * An adapter that passes for axios's own http adapter (it settles once its signal aborts): the first
 * `hangs` requests answer only when aborted, the others at once.
 */
function ownLikeAdapter(hangs: number) {
  const signals: AbortSignal[] = [];
  const adapter: AxiosAdapter = (config) => {
    const signal = config.signal as AbortSignal;
    signals.push(signal);
    if (signals.length > hangs) {
      return Promise.resolve({
        status: 200,
        statusText: 'OK',
        headers: {},
        data: { ok: true },
        config,
        request: {},
      } as AxiosResponse);
    }
    return new Promise<AxiosResponse>((_, reject) => {
      signal.addEventListener('abort', () =>
        reject(new AxiosError('canceled', AxiosError.ERR_CANCELED, config)),
      );
    });
  };
  Object.defineProperty(adapter, 'adapterName', { value: 'http' });
  return { adapter, signals };
}

describe('the success path through an adapter that settles on abort', () => {
  it('ends an attempt past attemptMs as a timeout through the adapter, and the retry answers', async () => {
    const { adapter, signals } = ownLikeAdapter(1);
    const instance = axios.create({ adapter, baseURL: 'https://api.partnercenter.microsoft.com' });
    const retries: RetryEvent[] = [];
    attachResilience(instance, {
      timeout: { attemptMs: 1_000, totalMs: 60_000 },
      retry: { baseDelayMs: 10, maxDelayMs: 10 },
      hooks: { onRetry: (event) => void retries.push(event) },
    });
    const outcome = capture(instance.get('/v1/customers'));
    await vi.advanceTimersByTimeAsync(2_000);
    const { value, error } = await outcome;
    expect(error).toBeUndefined();
    expect(value?.status).toBe(200);
    expect(value?.config.signal).toBeUndefined();
    expect(signals).toHaveLength(2);
    expect(signals[0]?.aborted).toBe(true);
    expect(retries.map((r) => r.errorKind)).toEqual(['timeout']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('answers at once when the adapter does, leaving no timer behind', async () => {
    const { adapter, signals } = ownLikeAdapter(0);
    const instance = axios.create({ adapter, baseURL: 'https://api.partnercenter.microsoft.com' });
    attachResilience(instance);
    const response = await instance.get('/v1/customers');
    expect(response.status).toBe(200);
    expect(response.config.signal).toBeUndefined();
    expect(signals[0]?.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
