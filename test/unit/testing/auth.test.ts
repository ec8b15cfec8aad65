import { readFileSync } from 'node:fs';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { attachResilience } from '../../../src/index.js';
import { harness } from './helpers.js';

const PARTNER = '00000000-0000-0000-0000-000000000001';
const fixture = JSON.parse(
  readFileSync(
    new URL('../../fixtures/partner-center-errors/401-token-missing-realm.json', import.meta.url),
    'utf8',
  ),
) as { headers: Record<string, string>; body: Record<string, unknown> };

describe('simulator auth', () => {
  it('answers 401 code 800001 with the partner realm when the token is missing, like the real fixture', async () => {
    const { sim, api } = await harness({ scenario: { partnerId: PARTNER, auth: { required: true } } });
    const res = await api.get('/v1/customers');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(fixture.headers['www-authenticate']);
    expect(res.data).toEqual(fixture.body);
    expect(sim.stats().unauthorized).toBe(1);
  });

  it('accepts an issued token and rejects unknown, malformed and wrong-tenant tokens', async () => {
    const { sim, api } = await harness({ scenario: { auth: { required: true } } });
    const token = sim.issueToken();
    expect((await api.get('/v1/customers', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
    const unknown = await api.get('/v1/customers', { headers: { Authorization: 'Bearer forged' } });
    expect(unknown.status).toBe(401);
    expect(unknown.data).toMatchObject({ code: 800001, source: 'PartnerFD' });
    expect(unknown.headers['www-authenticate']).toBe(`OAuth realm=urn:cpsvc:cpid:${sim.partnerId}`);
    expect((await api.get('/v1/customers', { headers: { Authorization: token } })).status).toBe(401);
    const other = sim.issueToken({ tenant: 'ffffffff-0000-4000-8000-000000000000' });
    expect((await api.get('/v1/customers', { headers: { Authorization: `Bearer ${other}` } })).status).toBe(
      401,
    );
    expect(sim.stats().tokensIssued).toBe(2);
  });

  it('expires tokens on the injected clock', async () => {
    const { sim, api, clock } = await harness({
      scenario: { auth: { required: true, tokenLifetimeMs: 60_000 } },
    });
    const short = sim.issueToken({ lifetimeMs: 1_000 });
    const long = sim.issueToken();
    const get = (token: string) =>
      api.get('/v1/customers', { headers: { Authorization: `Bearer ${token}` } });
    expect((await get(short)).status).toBe(200);
    clock.advance(999);
    expect((await get(short)).status).toBe(200);
    clock.advance(1);
    const expired = await get(short);
    expect(expired.status).toBe(401);
    expect(expired.data.description).toMatch(/expired/);
    expect((await get(long)).status).toBe(200);
    clock.advance(59_000);
    expect((await get(long)).status).toBe(401);
  });

  it('tokenProvider() answers { token, expiresOnTimestamp } with the scenario lifetime (or its own)', async () => {
    const { sim, api } = await harness({ scenario: { auth: { required: true, tokenLifetimeMs: 60_000 } } });
    const before = Date.now();
    const scenarioLifetime = await sim
      .tokenProvider()
      .getToken({ scope: 'partner', scopes: [], forceRefresh: false });
    const own = await sim
      .tokenProvider({ lifetimeMs: 5_000 })
      .getToken({ scope: 'partner', scopes: [], forceRefresh: false });
    const after = Date.now();
    expect(scenarioLifetime.expiresOnTimestamp).toBeGreaterThanOrEqual(before + 60_000);
    expect(scenarioLifetime.expiresOnTimestamp).toBeLessThanOrEqual(after + 60_000);
    expect(own.expiresOnTimestamp).toBeLessThanOrEqual(after + 5_000);
    const get = (token: string) =>
      api.get('/v1/customers', { headers: { Authorization: `Bearer ${token}` } });
    expect((await get(scenarioLifetime.token)).status).toBe(200);
    expect((await get(own.token)).status).toBe(200);
    expect(sim.stats().tokensIssued).toBe(2);
  });

  it('tokenProvider() plugs into attachResilience: calls pass auth.required, one token for many calls', async () => {
    const { sim } = await harness({ scenario: { auth: { required: true } } });
    const api = axios.create({ baseURL: sim.url, proxy: false });
    attachResilience(api, { tokenProvider: sim.tokenProvider() });
    for (let i = 0; i < 5; i++) expect((await api.get('/v1/customers')).status).toBe(200);
    expect(sim.stats().unauthorized).toBe(0);
    expect(sim.stats().tokensIssued).toBe(1);
  });

  it('answers 401 code 900421 (MFA required) from the mfa rule, even with a valid token', async () => {
    const { sim, api } = await harness({
      scenario: { auth: { required: true, mfa: { match: { method: 'POST' } } } },
    });
    const headers = { Authorization: `Bearer ${sim.issueToken()}` };
    expect((await api.get('/v1/customers', { headers })).status).toBe(200);
    const res = await api.post(`/v1/customers/${sim.customerIds[0]}/orders`, { lineItems: [] }, { headers });
    expect(res.status).toBe(401);
    expect(res.data).toMatchObject({ code: 900421, data: [], source: 'PartnerFD' });
    expect(res.headers['www-authenticate']).toContain('urn:cpsvc:cpid:');
    const stats = sim.stats();
    expect(stats.ordersCreated).toBe(0);
    expect(stats.log.at(-1)?.reason).toBe('mfa');
  });

  it('does not check tokens when auth is not required', async () => {
    const { api } = await harness();
    expect((await api.get('/v1/customers')).status).toBe(200);
  });
});
