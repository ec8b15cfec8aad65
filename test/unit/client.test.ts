import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccessToken, TokenRequest } from '../../src/auth/TokenProvider.js';
import { createPartnerCenterClient } from '../../src/client.js';
import { scriptedAdapter } from '../helpers/scriptedAdapter.js';
import { settle } from '../helpers/settle.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-25T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

/** A provider that records every request and hands out `tok-1`. */
function recordingProvider() {
  const requests: TokenRequest[] = [];
  const provider = {
    async getToken(request: TokenRequest): Promise<AccessToken> {
      requests.push(request);
      return { token: 'tok-1', expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
  return { provider, requests };
}

describe('createPartnerCenterClient', () => {
  it('sets the cloud base URL, Partner Center headers and token scope', async () => {
    const { provider, requests } = recordingProvider();
    const client = createPartnerCenterClient({
      cloud: 'china',
      credential: provider,
      application: 'Contoso Billing',
      locale: 'en-US',
    });
    expect(client.defaults.baseURL).toBe('https://partner.partnercenterapi.microsoftonline.cn');
    const scripted = scriptedAdapter([{ status: 200 }]);
    client.defaults.adapter = scripted.adapter;
    await settle(client.get('/v1/customers'));
    const headers = scripted.hits[0]?.headers ?? {};
    expect(headers['ms-contract-version']).toBe('v1');
    expect(headers['accept']).toBe('application/json');
    expect(headers['ms-partnercenter-application']).toBe('Contoso Billing');
    expect(headers['x-locale']).toBe('en-US');
    expect(headers['authorization']).toBe('Bearer tok-1');
    expect(requests[0]?.scopes).toEqual(['https://partner.partnercenterapi.microsoftonline.cn/.default']);
    expect(client.resilience.breakerState('partner')).toBe('closed');
  });

  it('has a preset for every cloud and rejects an unknown one', () => {
    const { provider } = recordingProvider();
    expect(createPartnerCenterClient({ credential: provider }).defaults.baseURL).toBe(
      'https://api.partnercenter.microsoft.com',
    );
    expect(createPartnerCenterClient({ cloud: 'usgov', credential: provider }).defaults.baseURL).toBe(
      'https://api.partnercenter.microsoft.com',
    );
    expect(
      createPartnerCenterClient({ cloud: 'germany-legacy', credential: provider }).defaults.baseURL,
    ).toBe('https://api.partnercenter.microsoft.com');
    expect(
      createPartnerCenterClient({ credential: provider, baseURL: 'http://127.0.0.1:9' }).defaults.baseURL,
    ).toBe('http://127.0.0.1:9');
    expect(() => createPartnerCenterClient({ cloud: 'mars' as 'global', credential: provider })).toThrow(
      /mars/,
    );
  });
});
