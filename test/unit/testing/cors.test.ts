import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type PartnerCenterSimulator, startPartnerCenterSimulator } from '../../../src/testing/index.js';

// CORS (`corsOrigins`): what a browser page on another origin needs to call the simulator. The real
// browser test (test/browser/) drives Chromium; this one checks the headers over plain HTTP.

const PAGE = 'http://127.0.0.1:5173';
let sim: PartnerCenterSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** One request with exactly these headers (node:http sends Origin as given, as a browser would). */
function send(url: string, method: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const preflight = (url: string, origin: string) =>
  send(url, 'OPTIONS', {
    Origin: origin,
    'Access-Control-Request-Method': 'GET',
    'Access-Control-Request-Headers': 'authorization,ms-requestid,ms-correlationid',
  });

describe('simulator CORS', () => {
  it('is off by default: no CORS headers, and a preflight goes to the routes as any request', async () => {
    sim = await startPartnerCenterSimulator();
    const get = await send(`${sim.url}/v1/customers`, 'GET', { Origin: PAGE });
    expect(get.status).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    const options = await preflight(`${sim.url}/v1/customers`, PAGE);
    expect(options.headers['access-control-allow-origin']).toBeUndefined();
    expect(sim.stats().totalHits).toBe(2);
  });

  it('answers an allowed origin: preflight 204 with the requested headers, answers expose Retry-After', async () => {
    sim = await startPartnerCenterSimulator({
      corsOrigins: [PAGE],
      scenario: { faults: [{ times: 1, respond: { status: 429, retryAfterSeconds: 3 } }] },
    });
    const url = `${sim.url}/v1/customers`;
    const pre = await preflight(url, PAGE);
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(PAGE);
    expect(pre.headers['access-control-allow-headers']).toBe('authorization,ms-requestid,ms-correlationid');
    expect(pre.headers['access-control-allow-methods']).toContain('POST');
    expect(sim.stats().totalHits).toBe(0); // a preflight is the browser's, not an API request

    const throttled = await send(url, 'GET', { Origin: PAGE });
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('3');
    expect(throttled.headers['access-control-allow-origin']).toBe(PAGE);
    const exposed = String(throttled.headers['access-control-expose-headers']).toLowerCase().split(/,\s*/);
    for (const name of ['retry-after', 'ms-requestid', 'ms-correlationid', 'www-authenticate']) {
      expect(exposed).toContain(name);
    }
    expect(throttled.headers['vary']).toBe('Origin');
  });

  it('does not answer another origin; a request without Origin gets no CORS headers', async () => {
    sim = await startPartnerCenterSimulator({ corsOrigins: [PAGE] });
    const url = `${sim.url}/v1/customers`;
    const other = await preflight(url, 'http://127.0.0.1:9999');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const plain = await send(url, 'GET', {});
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("'*' allows any origin (echoed back)", async () => {
    sim = await startPartnerCenterSimulator({ corsOrigins: '*' });
    const pre = await preflight(`${sim.url}/v1/customers`, 'http://localhost:3000');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('http://localhost:3000');
  });

  it('falls back to a fixed header list when the preflight asks for something that is not a header list', async () => {
    sim = await startPartnerCenterSimulator({ corsOrigins: [PAGE] });
    const pre = await send(`${sim.url}/v1/customers`, 'OPTIONS', {
      Origin: PAGE,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'x-a, <script>',
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-headers']).toContain('MS-RequestId');
    expect(pre.headers['access-control-allow-headers']).not.toContain('script');
  });

  it('rejects an entry that is not an origin, naming it', async () => {
    for (const bad of [['http://127.0.0.1:5173/'], ['localhost:5173'], ['http://a.test/path'], [42]]) {
      await expect(
        startPartnerCenterSimulator({ corsOrigins: bad as unknown as readonly string[] }),
      ).rejects.toThrow(/corsOrigins\[0\] must be an origin/);
    }
    await expect(
      startPartnerCenterSimulator({ corsOrigins: 'http://a.test' as unknown as '*' }),
    ).rejects.toThrow(/corsOrigins must be '\*' or an array/);
  });
});
