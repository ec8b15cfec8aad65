import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import axios from 'axios';
import { build } from 'esbuild';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attachResilience, isPartnerCenterError, type TokenProvider } from '../../src/index.js';
import { type LoopbackServer, reply, startLoopbackServer } from '../helpers/loopbackServer.js';

/*
 * The main entry is runtime-neutral: it runs on axios's `fetch` adapter, and its browser bundle runs in a
 * realm that has only web-standard globals (no process, Buffer, require or node: modules).
 */

const root = join(import.meta.dirname, '..', '..');

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** 429 (Retry-After 0) on the first hit and on `/x`, else 200 with the request's MS-RequestId echoed back. */
async function throttleOnceServer(): Promise<LoopbackServer> {
  return startLoopbackServer((hit, index, _req, res) => {
    if (index === 0 || hit.url.endsWith('/x')) {
      reply(res, 429, { statusCode: 429, message: 'Rate limit is exceeded.' }, { 'retry-after': '0' });
      return;
    }
    reply(res, 200, { totalCount: 1, items: [{ id: 'c1' }], requestId: hit.headers['ms-requestid'] });
  });
}

const tokenProvider: TokenProvider = {
  getToken: async () => ({ token: 'fetch-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

describe("axios's fetch adapter", () => {
  it('retries a 429 with the same MS-RequestId and sends the token', async () => {
    server = await throttleOnceServer();
    const api = axios.create({ baseURL: server.url, adapter: 'fetch' });
    attachResilience(api, { tokenProvider, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    const response = await api.get('/v1/customers');
    expect(response.status).toBe(200);
    expect(server.hits).toHaveLength(2);
    const [first, second] = server.hits;
    expect(second?.headers['ms-requestid']).toBe(first?.headers['ms-requestid']);
    expect(second?.headers['authorization']).toBe('Bearer fetch-token');
    expect((response.data as { requestId?: string }).requestId).toBe(first?.headers['ms-requestid']);
  });

  it('turns a failure into a PartnerCenterError', async () => {
    server = await startLoopbackServer((_hit, _index, _req, res) =>
      reply(res, 404, { code: 600, description: 'Customer not found', source: 'PartnerFD' }),
    );
    const api = axios.create({ baseURL: server.url, adapter: 'fetch' });
    attachResilience(api);
    const error: unknown = await api.get('/v1/customers/x').catch((e: unknown) => e);
    expect(isPartnerCenterError(error)).toBe(true);
    expect(isPartnerCenterError(error) && [error.kind, error.code, error.attempts]).toEqual([
      'not-found',
      '600',
      1,
    ]);
  });
});

describe('the browser bundle of dist/index.js', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'index.js'))) {
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'ignore', timeout: 120_000 });
    }
  }, 130_000);

  it('runs in a realm without Node globals, on the fetch adapter', async () => {
    const bundle = await build({
      stdin: {
        contents: [
          "export { default as axios } from 'axios';",
          "export { attachResilience, isPartnerCenterError } from './dist/index.js';",
        ].join('\n'),
        resolveDir: root,
        loader: 'js',
      },
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'iife',
      globalName: 'pcr',
      logLevel: 'silent',
    });
    const code = bundle.outputFiles[0]?.text ?? '';
    server = await throttleOnceServer();
    const warnings: string[] = [];
    // Web-standard globals only: a browser, a service worker or an edge runtime has these.
    const web = {
      fetch,
      Request,
      Response,
      Headers,
      FormData,
      Blob,
      ReadableStream,
      AbortController,
      AbortSignal,
      URL,
      URLSearchParams,
      TextEncoder,
      TextDecoder,
      atob,
      btoa,
      crypto: globalThis.crypto,
      console: { ...console, warn: (message: unknown) => warnings.push(String(message)) },
      setTimeout,
      clearTimeout,
      queueMicrotask,
      structuredClone,
      performance,
    };
    const context = createContext({ ...web, baseURL: server.url });
    runInContext(`globalThis.self = globalThis;\n${code}`, context);
    expect(runInContext('[typeof process, typeof Buffer, typeof require]', context)).toEqual([
      'undefined',
      'undefined',
      'undefined',
    ]);
    const result = (await runInContext(
      `(async () => {
        const api = pcr.axios.create({ baseURL, adapter: 'fetch' });
        pcr.attachResilience(api, {
          tokenProvider: { getToken: async () => ({ token: 'edge-token', expiresOnTimestamp: Date.now() + 3600000 }) },
          retry: { baseDelayMs: 1, maxDelayMs: 5 },
          hooks: { onRetry: () => { throw new Error('a hook that throws'); } },
        });
        const ok = await api.get('/v1/customers');
        const failed = await api.get('/v1/customers/x', { partnerCenter: { retry: false } }).catch((e) => e);
        return { status: ok.status, total: ok.data.totalCount, failedKind: failed.kind, typed: pcr.isPartnerCenterError(failed) };
      })()`,
      context,
    )) as { status: number; total: number; failedKind: string; typed: boolean };
    expect(server.hits).toHaveLength(3);
    expect(server.hits[1]?.headers['authorization']).toBe('Bearer edge-token');
    expect(server.hits[1]?.headers['ms-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(result).toEqual({ status: 200, total: 1, failedKind: 'throttled', typed: true });
    // Without process.emitWarning, a hook that throws is reported on the console.
    expect(warnings).toEqual([expect.stringContaining('hook onRetry failed')]);
  }, 30_000);
});

describe('npm run check:bundle (scripts/check-bundle.mjs)', () => {
  it('passes on the main entry and fails on a Node-only entry (the simulator)', () => {
    const check = (entry: string) =>
      spawnSync(process.execPath, ['scripts/check-bundle.mjs', entry], { cwd: root, encoding: 'utf8' });
    expect(check('dist/index.js').status).toBe(0);
    const nodeOnly = check('dist/testing.js');
    expect(nodeOnly.status).toBe(1);
    expect(nodeOnly.stderr).toContain('-> http');
  });
});
