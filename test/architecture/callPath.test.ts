import { Session } from 'node:inspector/promises';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachResilience } from '../../src/attach.js';
import { type LoopbackServer, reply, startLoopbackServer } from '../helpers/loopbackServer.js';

/**
 * Which src files run during one healthy call: V8's precise coverage (call counts) is reset, one call is
 * made through an attached instance, and every src file with a function that ran is listed. A healthy call
 * (closed breaker, no throttle, a rate limiter slot at once, a fresh token) must stay within a few files.
 */
const MAX_FILES = 8;

let server: LoopbackServer;
let session: Session;

beforeAll(async () => {
  server = await startLoopbackServer((_hit, _index, _req, res) =>
    reply(res, 200, { items: [] }, { 'content-type': 'application/json' }),
  );
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
});

afterAll(async () => {
  await session.post('Profiler.stopPreciseCoverage');
  session.disconnect();
  await server.close();
});

/** The src files (relative) in which a function ran since the last reading. */
async function filesRun(): Promise<string[]> {
  const { result } = await session.post('Profiler.takePreciseCoverage');
  const files = new Set<string>();
  for (const script of result) {
    const match = /\/src\/(.+\.ts)(?:\?.*)?$/.exec(script.url);
    if (match === null) continue;
    // The first range of a function is its whole body; count > 0: it ran.
    if (script.functions.some((fn) => (fn.ranges[0]?.count ?? 0) > 0)) files.add(match[1] as string);
  }
  return [...files].sort();
}

async function healthyCallFiles(options: Parameters<typeof attachResilience>[1]): Promise<string[]> {
  const instance = axios.create({ baseURL: `${server.url}/v1` });
  attachResilience(instance, options);
  // Warm up: scope, plan and token are cached after the first calls.
  for (let i = 0; i < 3; i++) await instance.get('/customers/c1/subscriptions');
  await filesRun();
  await instance.get('/customers/c1/subscriptions');
  return filesRun();
}

describe('a healthy call', () => {
  it(`runs code in at most ${MAX_FILES} src files with the defaults`, async () => {
    const files = await healthyCallFiles({});
    expect(files.length, files.join('\n')).toBeLessThanOrEqual(MAX_FILES);
  });

  it(`runs code in at most ${MAX_FILES} src files with a token provider`, async () => {
    const files = await healthyCallFiles({
      tokenProvider: {
        getToken: async () => ({ token: 'secret-token-value', expiresOnTimestamp: Date.now() + 3_600_000 }),
      },
    });
    expect(files.length, files.join('\n')).toBeLessThanOrEqual(MAX_FILES);
  });
});
