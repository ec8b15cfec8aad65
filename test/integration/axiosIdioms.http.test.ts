import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { attachResilience, isPartnerCenterError } from '../../src/index.js';
import { cleanupAfterEach, closedLoopbackPort, rejectionOf, reply } from '../helpers/loopbackServer.js';

// Issue 12: code written for plain axios keeps working once the library is attached.

const { server } = cleanupAfterEach();

describe('existing axios handler idioms on an attached instance', () => {
  it("an HTTP error: isAxiosError, response.status, response.data.code, config.url; code stays Partner Center's", async () => {
    const pc = await server((_hit, _i, _req, res) =>
      reply(
        res,
        404,
        { code: 3000, description: 'Customer not found', source: 'PartnerFD' },
        { 'MS-CV': 'cv.1' },
      ),
    );
    const instance = axios.create({ baseURL: pc.url, headers: { 'X-Api-Key': 'k-0123456789abcdef' } });
    attachResilience(instance, { retry: { maxAttempts: 1 } });
    const error = await rejectionOf(
      instance.post(
        '/v1/customers/c1/carts',
        { secret: 'body-secret-0123456789' },
        {
          headers: { Authorization: 'Bearer caller-token-0123456789' },
        },
      ),
    );
    expect(axios.isAxiosError(error)).toBe(true);
    expect(axios.isCancel(error)).toBe(false);
    if (!axios.isAxiosError(error) || !isPartnerCenterError(error)) return;
    expect(error.response?.status).toBe(404);
    expect(error.response?.statusText).toBe('Not Found');
    expect(error.response?.data?.code).toBe(3000);
    expect(error.response?.data).toEqual({
      code: 3000,
      description: 'Customer not found',
      source: 'PartnerFD',
    });
    expect(error.response?.headers['ms-cv']).toBe('cv.1');
    expect(error.config?.url).toBe('/v1/customers/c1/carts');
    expect(error.config?.baseURL).toBe(`${pc.url}/`); // sanitized: the origin gains its path
    expect(error.config?.method).toBe('post');
    expect(error.config?.headers['ms-requestid']).toBe(error.requestId);
    expect(JSON.stringify(error.config)).not.toMatch(/caller-token|k-0123456789abcdef|body-secret/i);
    expect(error.config).not.toHaveProperty('data');
    expect(error.request).toBeUndefined();
    expect(error.code).toBe('3000');
    expect(error.axiosCode).toBe('ERR_BAD_REQUEST');
    // Each read is a fresh copy: changing it changes nothing on the error.
    (error.response?.data as { code: number }).code = 1;
    expect(error.response?.data?.code).toBe(3000);
  });

  it('a non-JSON gateway page: response.data is the capped snippet', async () => {
    const pc = await server((_hit, _i, _req, res) =>
      reply(res, 502, '<html><title>Bad Gateway</title></html>', { 'content-type': 'text/html' }),
    );
    const instance = axios.create({ baseURL: pc.url });
    attachResilience(instance, { retry: { maxAttempts: 1 } });
    const error = await rejectionOf(instance.get('/v1/customers'));
    if (!axios.isAxiosError(error)) throw new Error('not an axios error');
    expect(error.response?.status).toBe(502);
    expect(error.response?.data).toBe('<html><title>Bad Gateway</title></html>');
    expect((error as { axiosCode?: string }).axiosCode).toBe('ERR_BAD_RESPONSE');
  });

  it('a network error: isAxiosError, no response, config.url, the axios code on axiosCode', async () => {
    const port = await closedLoopbackPort();
    const instance = axios.create({ baseURL: `http://127.0.0.1:${port}` });
    attachResilience(instance, { retry: { maxAttempts: 1 } });
    const error = await rejectionOf(instance.get('/v1/customers?size=5'));
    expect(axios.isAxiosError(error)).toBe(true);
    if (!axios.isAxiosError(error) || !isPartnerCenterError(error)) return;
    expect(error.kind).toBe('network');
    expect(error.response).toBeUndefined();
    expect(error.config?.url).toBe('/v1/customers?size=5');
    expect(error.axiosCode).toBe('ECONNREFUSED');
  });

  it('a timeout: isAxiosError, no response, config.url, ECONNABORTED', async () => {
    const pc = await server(() => new Promise(() => {}));
    const instance = axios.create({ baseURL: pc.url });
    attachResilience(instance, { retry: { maxAttempts: 1 }, timeout: { attemptMs: 50, totalMs: 100 } });
    const error = await rejectionOf(instance.get('/v1/customers'));
    expect(axios.isAxiosError(error)).toBe(true);
    expect(axios.isCancel(error)).toBe(false);
    if (!axios.isAxiosError(error) || !isPartnerCenterError(error)) return;
    expect(error.kind).toBe('timeout');
    expect(error.response).toBeUndefined();
    expect(error.config?.url).toBe(`${pc.url}/v1/customers`);
    expect(error.axiosCode).toBe('ECONNABORTED');
  });

  it("the caller's abort: axios.isCancel and isAxiosError", async () => {
    const pc = await server(() => new Promise(() => {}));
    const instance = axios.create({ baseURL: pc.url });
    attachResilience(instance);
    const controller = new AbortController();
    const pending = rejectionOf(instance.get('/v1/customers', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    const error = await pending;
    expect(axios.isCancel(error)).toBe(true);
    expect(axios.isAxiosError(error)).toBe(true);
    if (!isPartnerCenterError(error)) throw new Error('not a PartnerCenterError');
    expect(error.kind).toBe('cancelled');
    expect(error.axiosCode).toBe('ERR_CANCELED');
    expect(error.config?.url).toBe(`${pc.url}/v1/customers`);
  });
});
