import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isCancelledError,
  isCircuitOpenError,
  isPartnerCenterError,
  isRetryableError,
  isThrottledError,
  normalizeError,
} from '../../../src/errors/normalizeError.js';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';

/** What a built copy of the library exports, as far as these tests use it. */
interface LibraryCopy {
  readonly PartnerCenterError: typeof PartnerCenterError;
  readonly isPartnerCenterError: typeof isPartnerCenterError;
  readonly isThrottledError: typeof isThrottledError;
  readonly isRetryableError: typeof isRetryableError;
  readonly normalizeError: typeof normalizeError;
}

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('guards in this copy', () => {
  const throttled = new PartnerCenterError({ kind: 'throttled', retryable: true, status: 429 });
  const cancelled = new PartnerCenterError({ kind: 'cancelled', retryable: false });
  const open = new PartnerCenterError({ kind: 'circuit-open', retryable: false });

  it('recognise PartnerCenterErrors and check the kind', () => {
    expect(isPartnerCenterError(throttled)).toBe(true);
    expect(isPartnerCenterError(throttled, 'throttled')).toBe(true);
    expect(isPartnerCenterError(throttled, 'server')).toBe(false);
    expect(isThrottledError(throttled)).toBe(true);
    expect(isThrottledError(cancelled)).toBe(false);
    expect(isCancelledError(cancelled)).toBe(true);
    expect(isCircuitOpenError(open)).toBe(true);
    expect(isRetryableError(throttled)).toBe(true);
    expect(isRetryableError(cancelled)).toBe(false);
    expect(PartnerCenterError.is(open)).toBe(true);
  });

  it('reject look-alikes and hostile values without throwing', () => {
    const lookAlike = Object.assign(new Error('x'), {
      name: 'PartnerCenterError',
      kind: 'throttled',
      retryable: true,
    });
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('get');
        },
      },
    );
    for (const value of [
      lookAlike,
      { kind: 'throttled' },
      null,
      undefined,
      'PartnerCenterError',
      1,
      Symbol('x'),
    ]) {
      expect(isPartnerCenterError(value)).toBe(false);
      expect(isThrottledError(value)).toBe(false);
      expect(isRetryableError(value)).toBe(false);
    }
    expect(isPartnerCenterError(hostile)).toBe(false);
    expect(isRetryableError(hostile)).toBe(false);
  });

  it('keep the marker non-enumerable, so it is not printed or serialised', () => {
    expect(Object.keys(throttled)).not.toContain('partner-center-resilience.PartnerCenterError');
    expect(JSON.stringify(throttled)).not.toContain('partner-center-resilience');
  });
});

describe('guards across two installed copies', () => {
  const outDir = join(ROOT, 'node_modules', '.cache', `pcr-guards-${process.pid}`);
  let cjs: LibraryCopy;
  let esm: LibraryCopy;

  beforeAll(async () => {
    let dir = outDir;
    try {
      // A private build, so that another build cleaning dist/ at the same time cannot break this test.
      execFileSync(
        'npx',
        [
          '--no-install',
          'tsup',
          'src/index.ts',
          '--no-config',
          '--format',
          'esm,cjs',
          '--target',
          'node20',
          '--platform',
          'node',
          '--out-dir',
          outDir,
        ],
        { cwd: ROOT, timeout: 60_000, stdio: 'pipe' },
      );
      // Inside node_modules the package scope of the repository does not apply: say that .js is ESM.
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
    } catch (failure: unknown) {
      if (!existsSync(join(ROOT, 'dist', 'index.cjs'))) {
        execFileSync('npm', ['run', 'build'], { cwd: ROOT, timeout: 60_000, stdio: 'pipe' });
      }
      console.info(`private build failed (${String(failure).slice(0, 200)}); using dist/`);
      dir = join(ROOT, 'dist');
    }
    const require = createRequire(import.meta.url);
    cjs = require(join(dir, 'index.cjs')) as LibraryCopy;
    esm = (await import(pathToFileURL(join(dir, 'index.js')).href)) as LibraryCopy;
  }, 90_000);

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('loads three distinct classes', () => {
    expect(cjs.PartnerCenterError).not.toBe(PartnerCenterError);
    expect(esm.PartnerCenterError).not.toBe(PartnerCenterError);
    expect(esm.PartnerCenterError).not.toBe(cjs.PartnerCenterError);
  });

  it('an error built by the CJS copy passes the source guards, though instanceof is false', () => {
    const foreign = new cjs.PartnerCenterError({ kind: 'throttled', retryable: true, status: 429 });
    expect(foreign instanceof PartnerCenterError).toBe(false);
    expect(isPartnerCenterError(foreign)).toBe(true);
    expect(isPartnerCenterError(foreign, 'throttled')).toBe(true);
    expect(isThrottledError(foreign)).toBe(true);
    expect(isRetryableError(foreign)).toBe(true);
    expect(PartnerCenterError.is(foreign)).toBe(true);
  });

  it('an error built by the source passes the CJS and ESM guards, though instanceof is false', () => {
    const local = new PartnerCenterError({ kind: 'throttled', retryable: true, status: 429 });
    for (const copy of [cjs, esm]) {
      expect(local instanceof copy.PartnerCenterError).toBe(false);
      expect(copy.isPartnerCenterError(local)).toBe(true);
      expect(copy.isPartnerCenterError(local, 'throttled')).toBe(true);
      expect(copy.isPartnerCenterError(local, 'server')).toBe(false);
      expect(copy.isThrottledError(local)).toBe(true);
      expect(copy.isRetryableError(local)).toBe(true);
      expect(copy.PartnerCenterError.is(local)).toBe(true);
    }
  });

  it('an error built by the ESM copy passes the CJS guards and the source guards', () => {
    const foreign = new esm.PartnerCenterError({ kind: 'server', retryable: false, status: 500 });
    expect(foreign instanceof cjs.PartnerCenterError).toBe(false);
    expect(cjs.isPartnerCenterError(foreign, 'server')).toBe(true);
    expect(isPartnerCenterError(foreign, 'server')).toBe(true);
  });

  it('normalizeError keeps a foreign-copy error instead of wrapping it', () => {
    const foreign = cjs.normalizeError({
      isAxiosError: true,
      response: { status: 503, headers: {}, data: '' },
    });
    const same = normalizeError(foreign);
    expect(same).toBe(foreign);
    const filled = normalizeError(foreign, { scope: 'partner', attempts: 3 });
    expect(isPartnerCenterError(filled, 'server')).toBe(true);
    expect(filled.status).toBe(503);
    expect(filled.scope).toBe('partner');
    expect(filled.attempts).toBe(3);
    const back = cjs.normalizeError(
      normalizeError({ isAxiosError: true, response: { status: 429, headers: {} } }),
    );
    expect(cjs.isThrottledError(back)).toBe(true);
  });
});
