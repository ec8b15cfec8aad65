import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { attachResilience } from '../../src/index.js';
import { cleanupAfterEach, reply } from '../helpers/loopbackServer.js';

const { defer, server } = cleanupAfterEach();

describe('the engine adapter', () => {
  it('is one wrapper per adapter setting, although axios copies the default adapter list into every request', async () => {
    const loopback = await server((_hit, _i, _req, res) => reply(res, 200, { ok: true }));
    const api = axios.create({ baseURL: loopback.url });
    const handle = attachResilience(api);
    defer(() => handle.detach());
    const first = await api.get('/v1/customers');
    const second = await api.get('/v1/customers');
    expect(Array.isArray(api.defaults.adapter)).toBe(true);
    expect(typeof first.config.adapter).toBe('function');
    expect(second.config.adapter).toBe(first.config.adapter);
    // A request's own adapter gets a wrapper of its own.
    const own = await api.get('/v1/customers', { adapter: 'fetch' });
    expect(own.status).toBe(200);
    expect(own.config.adapter).not.toBe(first.config.adapter);
  });
});
