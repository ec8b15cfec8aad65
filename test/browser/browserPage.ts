import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';

/*
 * Headless Chromium (the Debian `chromium` package, driven by playwright-core: no browser download) on a
 * page that loads the library's browser bundle, built by esbuild from dist/index.js as
 * scripts/check-bundle.mjs builds it (platform browser: axios picks its browser build).
 */

const root = join(import.meta.dirname, '..', '..');

/** The Chromium binary: `PCR_CHROMIUM`, else Debian's. */
export const CHROMIUM = process.env['PCR_CHROMIUM'] || '/usr/bin/chromium';

/** Under CI (`CI` set) or `.ci/run` (`PCR_CHROMIUM_REQUIRED=1`) a missing Chromium fails the test. */
export function chromiumRequired(): boolean {
  return Boolean(process.env['CI'] || process.env['PCR_CHROMIUM_REQUIRED']);
}

/** What the page's script exposes as `globalThis.pcr`. */
export interface PageLibrary {
  readonly axios: typeof import('axios').default;
  readonly attachResilience: typeof import('../../src/index.js').attachResilience;
  readonly isPartnerCenterError: typeof import('../../src/index.js').isPartnerCenterError;
}

/** The page's script: axios and the library from dist/, as one browser bundle (IIFE). */
async function bundle(): Promise<string> {
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'ignore', timeout: 120_000 });
  }
  const result = await build({
    stdin: {
      contents: [
        "import axios from 'axios';",
        "import { attachResilience, isPartnerCenterError } from './dist/index.js';",
        'globalThis.pcr = { axios, attachResilience, isPartnerCenterError };',
      ].join('\n'),
      resolveDir: root,
      loader: 'js',
    },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no bundle');
  return output.text;
}

/** A page server on 127.0.0.1 (its own origin) and Chromium showing its page. */
export interface BrowserPage {
  /** The page's origin, e.g. `http://127.0.0.1:40123`. */
  readonly origin: string;
  readonly page: Page;
  close(): Promise<void>;
}

/** Builds the bundle, serves it on a free loopback port, launches Chromium and opens the page. */
export async function openBrowserPage(): Promise<BrowserPage> {
  const script = await bundle();
  const server: Server = createServer((req, res) => {
    if (req.url === '/bundle.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'text/html' })
      .end('<!doctype html><title>pcr</title><script src="/bundle.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Root (CI) needs --no-sandbox; small containers have a small /dev/shm.
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
      timeout: 15_000,
    });
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'pcr' in globalThis);
    const opened = browser;
    return {
      origin,
      page,
      async close() {
        await opened.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  } catch (error) {
    await browser?.close();
    server.closeAllConnections();
    server.close();
    throw error;
  }
}
