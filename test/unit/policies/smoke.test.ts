import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachResilience, isPartnerCenterError } from '../../../src/index.js';
import { scriptedAdapter } from '../../helpers/scriptedAdapter.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('smoke', () => {
  it('503, 503, 200 -> 3 hits with one MS-RequestId', async () => {
    const { adapter, hits } = scriptedAdapter([
      { status: 503 },
      { status: 503 },
      { status: 200, data: { ok: true } },
    ]);
    const instance = axios.create({ adapter, baseURL: 'https://api.partnercenter.microsoft.com' });
    attachResilience(instance);
    const pending = instance.get('/v1/customers');
    await vi.runAllTimersAsync();
    const response = await pending;
    expect(response.data).toEqual({ ok: true });
    expect(hits).toHaveLength(3);
    expect(new Set(hits.map((h) => h['headers']['ms-requestid'])).size).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('400 -> 1 hit and a PartnerCenterError', async () => {
    const { adapter, hits } = scriptedAdapter([
      { status: 400, data: { code: 2000, description: 'Tenant Id must be a GUID.' } },
    ]);
    const instance = axios.create({ adapter });
    attachResilience(instance);
    const error = await instance.get('https://x.test/v1/customers/abc').catch((e: unknown) => e);
    expect(isPartnerCenterError(error)).toBe(true);
    expect(hits).toHaveLength(1);
  });
});
